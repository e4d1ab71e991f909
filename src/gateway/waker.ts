/**
 * Wake on connection: the first request or WebSocket to a hibernated session sets its
 * spec.state to running, and every other connection that arrives while that write is in flight,
 * or before this process's cache shows its result, joins it instead of writing again. So a
 * hundred tabs reconnecting at once cost one Session write. The write carries the
 * resourceVersion it read: a second gateway replica waking the same session at the same moment
 * gets a 409, re-reads, finds it running and writes nothing.
 */
import type { Logger } from 'pino';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { isConflict } from '../runtime/api-error.ts';
import { mergePatch } from '../runtime/patch.ts';
import type { ClusterView } from '../api/kube/cluster-view.ts';
import { SESSION } from '../api/kube/kinds.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { SessionRecord } from './session-directory.ts';

/** How long a finished wake keeps absorbing connections while the cache catches up. */
const CACHE_CATCH_UP_MS = 10_000;

/** See the module comment. */
export class Waker {
  readonly #view: ClusterView;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Session name → when its wake was written (epoch ms), until its first byte is counted. */
  readonly #wokenAt = new Map<string, number>();

  constructor(view: ClusterView, metrics: GatewayMetrics, logger: Logger) {
    this.#view = view;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  /**
   * Makes sure a hibernated session is asked to run; resolves once the write is done (or was not
   * needed). `onWritten` runs once, for the connection whose call made the write (audit).
   */
  wake(record: SessionRecord, onWritten?: () => void): Promise<void> {
    if (record.state !== 'hibernated') return Promise.resolve();
    let pending = this.#inFlight.get(record.name);
    if (!pending) {
      pending = this.#write(record.name).then((wrote) => { if (wrote) onWritten?.(); });
      this.#inFlight.set(record.name, pending);
      const forget = (): void => { if (this.#inFlight.get(record.name) === pending) this.#inFlight.delete(record.name); };
      // Keep absorbing connections until the cache shows the new state, so none of them writes again.
      pending.then(() => this.#view.waitFor<Session>(SESSION, record.name, (s) => (s?.spec?.state ?? 'running') !== 'hibernated', CACHE_CATCH_UP_MS)).finally(forget).catch(() => undefined);
    }
    return pending;
  }

  async #write(name: string): Promise<boolean> {
    let session = this.#view.get<Session>(SESSION, name);
    for (let attempt = 0; session && attempt < 3; attempt++) {
      if ((session.spec.state ?? 'running') !== 'hibernated') return false;
      try {
        await this.#view.client.patch(session, mergePatch({ metadata: { resourceVersion: session.metadata.resourceVersion }, spec: { state: 'running' } }));
        this.#metrics.wakes.inc();
        this.#wokenAt.set(name, Date.now());
        this.#logger.info({ session: name }, 'Woke a hibernated session on connection');
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Someone else changed the session (another replica woke it, or the controller wrote): look again.
        session = await this.#view.client.get<Session>(SESSION, { namespace: this.#view.namespace, name });
      }
    }
    return false;
  }

  /** The session sent its first byte after a wake: observe wake-to-first-byte once. */
  firstByte(name: string): void {
    const at = this.#wokenAt.get(name);
    if (at === undefined) return;
    this.#wokenAt.delete(name);
    this.#metrics.wakeToFirstByte.observe((Date.now() - at) / 1000);
  }
}
