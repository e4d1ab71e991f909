/**
 * My sessions, live over the WebSocket: phase, progress while starting or waking, open, hibernate,
 * wake, terminate, the idle time left, and errors as the API gives them.
 */
import { useEffect, useState } from 'react';
import { api, must } from '../api/client';
import type { Session } from '../api/types';
import { ErrorBanner } from '../components/ErrorBanner';
import { isStarting, SessionProgress } from '../components/SessionProgress';
import { humanDuration, parseGoDuration } from '../duration';
import type { LiveState } from '../live';
import { useAuth } from '../auth/AuthProvider';
import { sessionUrl } from '../gateway';

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

function IdleLeft({ s }: { s: Session }) {
  const now = useNow(15_000);
  const timeout = parseGoDuration(s.spec.idleTimeout);
  if (!timeout || s.status?.phase !== 'Running') return null;
  const since = Date.parse(s.status.lastActivity ?? s.status.startedAt ?? '') || now;
  return <span className="muted">Hibernates after {humanDuration(Math.max(0, since + timeout - now))} more idle</span>;
}

function Actions({ s, onError }: { s: Session; onError: (e: unknown) => void }) {
  const { config } = useAuth();
  const name = s.metadata.name;
  const setState = async (state: 'running' | 'hibernated') => {
    try {
      must(await api.PATCH('/api/v1/sessions/{id}', { params: { path: { id: name } }, body: { state } }));
    } catch (err) {
      onError(err);
    }
  };
  const terminate = async () => {
    if (!confirm(`Terminate ${name}? Your home volume is kept.`)) return;
    try {
      must(await api.DELETE('/api/v1/sessions/{id}', { params: { path: { id: name } } }));
    } catch (err) {
      onError(err);
    }
  };
  const phase = s.status?.phase;
  const wanted = s.spec.state ?? 'running';
  const url = sessionUrl(config?.gateway, name);
  return (
    <div className="actions">
      {phase === 'Running' && url && <a className="button primary" href={url} target="_blank" rel="noopener">Open</a>}
      {phase === 'Running' && wanted === 'running' && <button type="button" onClick={() => void setState('hibernated')}>Hibernate</button>}
      {phase === 'Hibernated' && wanted === 'hibernated' && <button type="button" className="primary" onClick={() => void setState('running')}>Wake</button>}
      {phase !== 'Terminated' && <button type="button" className="danger" onClick={() => void terminate()}>Terminate</button>}
    </div>
  );
}

function limitsText(s: Session): string {
  const l = s.spec.resources?.limits;
  const parts = [l?.cpu !== undefined ? `${l.cpu} CPU` : '', l?.memory ? `${l.memory} memory` : ''].filter(Boolean);
  return parts.length ? ` · up to ${parts.join(', ')}` : '';
}

function SessionCard({ s }: { s: Session }) {
  const [error, setError] = useState<unknown>();
  const phase = s.status?.phase ?? 'Pending';
  const hibernating = (s.spec.state === 'hibernated') && phase === 'Running';
  return (
    <li className="card session" data-testid={`session-${s.metadata.name}`} aria-label={`Session ${s.metadata.name}`}>
      <div className="session-head">
        <h2>{s.metadata.name}</h2>
        <span className={`phase phase-${phase.toLowerCase()}`} data-testid="phase">{hibernating ? 'Hibernating' : phase}</span>
      </div>
      <p className="muted">Template {s.spec.template}{limitsText(s)}</p>
      {isStarting(s) && <SessionProgress session={s} />}
      {phase === 'Failed' && <div className="error" role="alert"><strong>Failed:</strong> {s.status?.reason} {s.status?.message}</div>}
      <IdleLeft s={s} />
      <ErrorBanner error={error} />
      <Actions s={s} onError={setError} />
    </li>
  );
}

export function SessionsPage({ live }: { live: LiveState }) {
  const { me } = useAuth();
  const mine = live.sessions.filter((s) => s.spec.user === me?.username && s.status?.phase !== 'Terminated');
  return (
    <>
      <p className="muted" aria-live="polite">{live.connected ? 'Live: changes appear as they happen.' : 'Connecting…'}</p>
      {live.connected && !mine.length && <p>No sessions. <a href="#/">Launch one from the catalog</a>.</p>}
      <ul className="grid">{mine.map((s) => <SessionCard key={s.metadata.name} s={s} />)}</ul>
    </>
  );
}
