/**
 * Start-up progress of a session, as a person waiting for it sees it: the steps from the wake
 * to the first answer, each done or not, read from the Session (its phase, its HomeVolumeBound
 * condition), its pod (conditions and container state) and the Events about both. The waiting
 * page (a browser opening a session that is not ready) streams these over server-sent events
 * from `{session address}/.streamspace/progress` and reloads itself once the session answers.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../apimachinery/object.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { escapeHtml, page } from './html.ts';
import { RESERVED_PREFIX } from './session-address.ts';
import type { SessionDirectory } from './session-directory.ts';

/** One step of a start. */
export interface ProgressStep {
  id: 'requested' | 'scheduled' | 'volume' | 'started' | 'probe';
  label: string;
  done: boolean;
}

/** Where a session's start is. */
export interface Progress {
  steps: ProgressStep[];
  /** The session answers: the page can reload. */
  ready: boolean;
  /** Why it will not start, when it failed. */
  failed?: string;
  /** The newest Events about the session and its pod, newest last. */
  events: string[];
}

function condition(obj: KubeObject | undefined, type: string): boolean {
  return ((obj?.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === type && c.status === 'True');
}

function containerStarted(pod: KubeObject | undefined): boolean {
  return ((pod?.status?.containerStatuses ?? []) as Array<{ state?: { running?: unknown } }>).some((c) => c.state?.running !== undefined);
}

/** What the steps are judged from: the session, its newest pod, and the reasons of their Events. */
interface Facts {
  session: Session | undefined;
  record: ReturnType<SessionDirectory['byName']>;
  pod: KubeObject | undefined;
  reasons: Set<string | undefined>;
  ready: boolean;
}

function steps(f: Facts): ProgressStep[] {
  const homeBound = f.session?.status?.conditions?.some((c) => c.type === 'HomeVolumeBound' && c.status === 'True') ?? false;
  const scheduled = condition(f.pod, 'PodScheduled') || Boolean(f.pod?.spec?.nodeName);
  const list: ProgressStep[] = [
    { id: 'requested', label: 'Workspace asked to start', done: f.record !== undefined && f.record.state === 'running' },
    { id: 'scheduled', label: 'Placed on a node', done: scheduled },
    { id: 'volume', label: 'Home volume attached', done: (homeBound && scheduled) || condition(f.pod, 'Initialized') || f.reasons.has('SuccessfulAttachVolume') },
    { id: 'started', label: 'Workspace process started', done: containerStarted(f.pod) || condition(f.pod, 'ContainersReady') },
    { id: 'probe', label: 'Workspace answering (readiness probe passing)', done: condition(f.pod, 'Ready') || f.ready },
  ];
  // A later step implies the earlier ones (an Event may be missed; conditions are the truth).
  for (let i = list.length - 2; i >= 0; i--) if (list[i + 1].done) list[i].done = true;
  return list;
}

/** The progress of session `name` now. */
export function progressOf(dir: SessionDirectory, name: string): Progress {
  const session = dir.session(name) as Session | undefined;
  const record = dir.byName(name);
  const pods = dir.pods(name).filter((p) => !p.metadata.deletionTimestamp);
  const events = dir.events(name, pods.map((p) => p.metadata.name!));
  const reasons = new Set(events.map((e) => (e as { reason?: string }).reason));
  const ready = record !== undefined && dir.backend(record) !== undefined && record.phase === 'Running';
  const failed = session?.status?.phase === 'Failed' ? session.status.message ?? session.status.reason ?? 'failed' : undefined;
  const lines = events.slice(-5).map((e) => `${(e as { reason?: string }).reason ?? ''}: ${(e as { message?: string }).message ?? ''}`);
  return { steps: steps({ session, record, pod: pods[0], reasons, ready }), ready, failed, events: lines };
}

/** Streams `name`'s progress as server-sent events until it is ready or the client leaves. */
export function streamProgress(dir: SessionDirectory, name: string, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  let last = '';
  const send = (): void => {
    const progress = progressOf(dir, name);
    const text = JSON.stringify(progress);
    if (text === last) return;
    last = text;
    res.write(`event: progress\ndata: ${text}\n\n`);
    if (progress.ready) finish();
  };
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const unwatch = dir.watch(name, send);
  const finish = (): void => {
    clearInterval(keepAlive);
    unwatch();
    res.end();
  };
  res.on('close', finish);
  send();
}

const PAGE_SCRIPT = `
var list = document.getElementById('steps'), events = document.getElementById('events'), err = document.getElementById('error');
var source = new EventSource(document.body.dataset.progress);
source.addEventListener('progress', function (e) {
  var p = JSON.parse(e.data);
  var firstOpen = p.steps.findIndex(function (s) { return !s.done; });
  list.innerHTML = '';
  p.steps.forEach(function (s, i) {
    var li = document.createElement('li');
    li.textContent = s.label;
    li.dataset.step = s.id;
    li.className = s.done ? 'done' : i === firstOpen ? 'active' : '';
    list.appendChild(li);
  });
  events.textContent = p.events.join('\\n');
  err.textContent = p.failed ? 'The workspace failed to start: ' + p.failed : '';
  if (p.ready) { source.close(); document.body.dataset.state = 'ready'; location.reload(); }
});
`;

/** The waiting page a browser gets while session `name` starts. */
export function waitingPage(name: string, progress: Progress, prefix: string): string {
  const items = progress.steps.map((s) => `<li data-step="${s.id}" class="${s.done ? 'done' : ''}">${escapeHtml(s.label)}</li>`).join('');
  const body = `<h1>Starting ${escapeHtml(name)}…</h1><p>Your workspace was asleep and is waking up. This page continues to it by itself.</p>`
    + `<ol id="steps">${items}</ol><p id="error" class="error"></p><pre id="events" class="detail"></pre>`
    + `<noscript><meta http-equiv="refresh" content="5"></noscript><script>${PAGE_SCRIPT}</script>`;
  return page(`Starting ${name}`, body).replace('<body>', `<body data-progress="${escapeHtml(`${prefix}${RESERVED_PREFIX}progress`)}">`);
}
