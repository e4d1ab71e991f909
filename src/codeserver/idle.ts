/**
 * Activity of code-server instances for the idle timeout. code-server's `GET /healthz` answers
 * `{"status": "alive"|"expired", "lastHeartbeat": <epoch ms>}` without authentication and
 * without counting as activity itself; lastHeartbeat moves whenever the editor is used (and
 * while a browser tab stays connected). The poller reads it from every running instance and
 * hands newer heartbeats to a sink that writes `status.lastActivity`, from which the Session
 * controller's idle timeout counts. A heartbeat of 0 (never used) or one not newer than the
 * stored lastActivity writes nothing.
 */
import type { Logger } from 'pino';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { workloadName } from '../apis/stream/v1alpha1/naming.ts';
import { isConflict, isNotFound, type KubeClient } from '../runtime/client.ts';
import { mergePatch } from '../runtime/patch.ts';
import { kubeTime } from '../apimachinery/time.ts';
import { desiredState } from '../apis/stream/v1alpha1/desired-state.ts';
import { activityPatchBody, newerActivity } from '../apis/stream/v1alpha1/activity.ts';

/** Receives activity seen on an instance. */
export interface ActivitySink {
  record(session: Session, atMs: number): Promise<void> | void;
}

/** Options of {@link ActivityPoller}. */
export interface ActivityPollerOptions {
  /** The sessions to poll (the running ones among them are polled). */
  listSessions: () => Promise<Session[]>;
  sink: ActivitySink;
  /** code-server's port (default 8080); used by the default healthzUrl. */
  port?: number;
  /** Where an instance's /healthz is (default: its Service, `http://ss-<session>.<namespace>.svc:<port>/healthz`). */
  healthzUrl?: (session: Session) => string;
  /** Between polls (default 60 s: code-server moves its heartbeat at most once a minute). */
  intervalMs?: number;
  /** Per request (default 3 s). */
  timeoutMs?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** What one poll did. */
export interface PollSummary {
  polled: number;
  recorded: number;
  failed: number;
}

export { kubeTime };


/** See the module comment. */
export class ActivityPoller {
  readonly #o: ActivityPollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PollSummary> | undefined;

  constructor(opts: ActivityPollerOptions) {
    this.#o = opts;
  }

  /** Polls every interval until stop(). */
  start(): void {
    this.#timer ??= setInterval(() => void this.pollOnce().catch((err: unknown) => this.#o.logger?.warn({ err: String(err) }, 'Activity poll failed')), this.#o.intervalMs ?? 60_000);
    this.#timer.unref();
  }

  /** Stops polling and waits for a poll in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One poll of every running instance (joins a poll already in progress). */
  pollOnce(): Promise<PollSummary> {
    this.#running ??= this.#poll().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #poll(): Promise<PollSummary> {
    const running = (await this.#o.listSessions()).filter((s) => desiredState(s) === 'running' && s.status?.phase === 'Running');
    const summary: PollSummary = { polled: running.length, recorded: 0, failed: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < running.length) {
        const session = running[next++];
        const outcome = await this.#pollOne(session);
        if (outcome === 'recorded') summary.recorded++;
        if (outcome === 'failed') summary.failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#o.concurrency ?? 8) }, worker));
    return summary;
  }

  async #pollOne(session: Session): Promise<'recorded' | 'unchanged' | 'failed'> {
    const heartbeat = await this.#heartbeat(session).catch((err: unknown) => {
      this.#o.logger?.debug({ session: session.metadata.name, err: String(err) }, 'code-server /healthz did not answer');
      return undefined;
    });
    if (heartbeat === undefined) return 'failed';
    if (heartbeat <= 0 || newerActivity(session, heartbeat) === undefined) return 'unchanged';
    await this.#o.sink.record(session, heartbeat);
    return 'recorded';
  }

  /** lastHeartbeat of the instance's code-server. */
  async #heartbeat(session: Session): Promise<number> {
    const url = this.#o.healthzUrl?.(session) ?? `http://${workloadName(session)}.${session.metadata.namespace}.svc:${this.#o.port ?? 8080}/healthz`;
    const res = await (this.#o.fetch ?? fetch)(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.#o.timeoutMs ?? 3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json() as { lastHeartbeat?: unknown };
    if (typeof body.lastHeartbeat !== 'number' || !Number.isFinite(body.lastHeartbeat)) throw new Error('no lastHeartbeat in the answer');
    return body.lastHeartbeat;
  }
}

/**
 * A sink that writes `status.lastActivity` itself: only forwards, with the resourceVersion it
 * compared against, so a concurrent writer makes it a 409 that the next poll looks at again.
 * (The API's heartbeat coalescer is the other sink: `record: (s, at) => heartbeats.record(s.metadata.name, at)`.)
 */
export class StatusActivityWriter implements ActivitySink {
  readonly #client: KubeClient;
  readonly #logger: Logger | undefined;

  constructor(client: KubeClient, logger?: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  async record(session: Session, atMs: number): Promise<void> {
    const lastActivity = newerActivity(session, atMs);
    if (lastActivity === undefined) return;
    try {
      await this.#client.patchStatus(session, mergePatch(activityPatchBody(session, lastActivity)));
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return;
      this.#logger?.warn({ session: session.metadata.name, err: String(err) }, 'Could not write lastActivity');
    }
  }
}
