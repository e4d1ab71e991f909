/**
 * The steps a session goes through while starting or waking, from its status: template checked,
 * home volume bound, workspace pod created, workspace ready. Shown until it is Running.
 */
import type { Condition, Session } from '../api/types';

function condition(s: Session, type: string): Condition | undefined {
  return s.status?.conditions?.find((c) => c.type === type);
}

/** True while the session is on its way to Running (starting, or waking from hibernation). */
export function isStarting(s: Session): boolean {
  const wanted = s.spec.state ?? 'running';
  return wanted === 'running' && s.status?.phase !== 'Running' && s.status?.phase !== 'Failed' && s.status?.phase !== 'Terminated';
}

export function SessionProgress({ session: s }: { session: Session }) {
  const waking = !!s.status?.hibernatedAt;
  const steps = [
    { label: 'Template checked', done: condition(s, 'TemplateValid')?.status === 'True' },
    { label: 'Home volume ready', done: condition(s, 'HomeVolumeBound')?.status === 'True' },
    { label: waking ? 'Workspace waking up' : 'Workspace created', done: !!s.status?.podName },
    { label: 'Workspace ready', done: s.status?.phase === 'Running' },
  ];
  const done = steps.filter((x) => x.done).length;
  return (
    <div className="progress" data-testid="progress">
      <progress max={steps.length} value={done} aria-label={`${waking ? 'Waking' : 'Starting'}: step ${done} of ${steps.length}`} />
      <ol>
        {steps.map((x) => <li key={x.label} className={x.done ? 'done' : ''}>{x.done ? '✓ ' : ''}{x.label}</li>)}
      </ol>
      {s.status?.message && <p className="muted">{s.status.message}</p>}
    </div>
  );
}
