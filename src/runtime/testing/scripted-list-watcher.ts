/**
 * A ListWatcher whose list answer and watch streams are driven by the test: `state` is what
 * list() returns, and every watch() is recorded so the test can push events into it or end it.
 */
import type { ListResult, ListWatcher, WatchCallbacks, WatchHandle } from '../internal/list-watcher.ts';

/** One watch opened by the informer under test. */
export interface ScriptedWatch {
  resourceVersion: string;
  callbacks: WatchCallbacks;
  aborted: boolean;
}

/** See the module comment. */
export class ScriptedListWatcher implements ListWatcher {
  state: ListResult = { items: [], resourceVersion: '1' };
  /** How many upcoming list() calls fail. */
  listFailures = 0;
  listCalls = 0;
  readonly watches: ScriptedWatch[] = [];

  async list(): Promise<ListResult> {
    this.listCalls++;
    if (this.listFailures > 0) {
      this.listFailures--;
      throw new Error('list failed');
    }
    return structuredClone(this.state);
  }

  async watch(resourceVersion: string, callbacks: WatchCallbacks): Promise<WatchHandle> {
    const w: ScriptedWatch = { resourceVersion, callbacks, aborted: false };
    this.watches.push(w);
    return { abort: () => { w.aborted = true; } };
  }

  /** The most recent watch. */
  get current(): ScriptedWatch {
    return this.watches[this.watches.length - 1];
  }

  /** Pushes an event into the current watch. */
  emit(type: string, object: unknown): void {
    this.current.callbacks.onEvent(type, structuredClone(object));
  }
}
