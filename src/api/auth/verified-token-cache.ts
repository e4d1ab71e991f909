/**
 * A cache of bearer tokens already verified, so a client that sends the same access token with
 * every heartbeat pays for one signature check, not one per request. Entries live until the
 * token's own expiry (a JWT cannot be revoked before it anyway) and the oldest go first when
 * the cache is full.
 */
import type { Identity } from './identity.ts';

interface Entry {
  identity: Identity;
  expiresAt: number;
}

/** See the module comment. */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(maxEntries = 10_000) {
    this.#max = maxEntries;
  }

  /** The identity of an unexpired cached token. */
  get(token: string, now = Date.now()): Identity | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.identity;
    this.#entries.delete(token);
    return undefined;
  }

  /** Remembers a verified token until `expiresAt` (ms since the epoch). */
  set(token: string, identity: Identity, expiresAt: number): void {
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { identity, expiresAt });
  }
}
