/**
 * Tells long-lived connections of this replica that an account changed (deleted, disabled,
 * demoted, re-passworded, an API key revoked), so they re-check their caller at once instead of
 * at their next periodic check. Other replicas learn it at that periodic check.
 */
import { EventEmitter } from 'node:events';

/** See the module comment. */
export class AccountChanges {
  readonly #emitter = new EventEmitter().setMaxListeners(0);

  /** Announces that `username`'s account or credentials changed. */
  changed(username: string): void {
    this.#emitter.emit('changed', username);
  }

  /** Calls `listener` with each changed user name; returns the unsubscribe function. */
  subscribe(listener: (username: string) => void): () => void {
    this.#emitter.on('changed', listener);
    return () => this.#emitter.off('changed', listener);
  }
}
