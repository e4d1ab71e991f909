/**
 * The steps a session goes through while starting or waking. With the gateway on this origin
 * they are the gateway's own (the steps of its waiting page, streamed); otherwise they are read
 * from the Session: template checked, home volume bound, workspace pod created, ready.
 */
import { useEffect, useState } from 'react';
import type { Condition, Session } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { followProgress, type GatewayProgress, type GatewayStep } from '../gateway';

function condition(s: Session, type: string): Condition | undefined {
  return s.status?.conditions?.find((c) => c.type === type);
}

/** True while the session is on its way to Running (starting, or waking from hibernation). */
export function isStarting(s: Session): boolean {
  const wanted = s.spec.state ?? 'running';
  return wanted === 'running' && s.status?.phase !== 'Running' && s.status?.phase !== 'Failed' && s.status?.phase !== 'Terminated';
}

function stepsFromSession(s: Session, waking: boolean): GatewayStep[] {
  return [
    { id: 'template', label: 'Template checked', done: condition(s, 'TemplateValid')?.status === 'True' },
    { id: 'volume', label: 'Home volume ready', done: condition(s, 'HomeVolumeBound')?.status === 'True' },
    { id: 'pod', label: waking ? 'Workspace waking up' : 'Workspace created', done: !!s.status?.podName },
    { id: 'ready', label: 'Workspace ready', done: s.status?.phase === 'Running' },
  ];
}

/** The gateway's progress of `name` while mounted (undefined until the first report, or without a gateway). */
function useGatewayProgress(name: string): GatewayProgress | undefined {
  const { config } = useAuth();
  const [progress, setProgress] = useState<GatewayProgress>();
  useEffect(() => {
    const abort = new AbortController();
    followProgress(config?.gateway, name, abort.signal, setProgress).catch(() => undefined);
    return () => abort.abort();
  }, [config?.gateway, name]);
  return progress;
}

export function SessionProgress({ session: s }: { session: Session }) {
  const waking = !!s.status?.hibernatedAt;
  const fromGateway = useGatewayProgress(s.metadata.name);
  const steps = fromGateway?.steps ?? stepsFromSession(s, waking);
  const done = steps.filter((x) => x.done).length;
  return (
    <div className="progress" data-testid="progress" data-source={fromGateway ? 'gateway' : 'session'}>
      <progress max={steps.length} value={done} aria-label={`${waking ? 'Waking' : 'Starting'}: step ${done} of ${steps.length}`} />
      <ol>
        {steps.map((x) => <li key={x.id} className={x.done ? 'done' : ''} data-step={x.id}>{x.done ? '✓ ' : ''}{x.label}</li>)}
      </ol>
      {fromGateway?.failed && <p className="error" role="alert">The workspace failed to start: {fromGateway.failed}</p>}
      {s.status?.message && <p className="muted">{s.status.message}</p>}
    </div>
  );
}
