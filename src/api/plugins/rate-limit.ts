/**
 * Per-caller rate limiting: a token bucket per user (per client address for anonymous calls),
 * refilled continuously. An empty bucket answers 429 with Retry-After. Buckets live in this
 * replica's memory, so the limit is per replica.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

/** Rate limit settings. */
export interface RateLimitSettings {
  /** Sustained requests per second per caller. */
  requestsPerSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** The token buckets. */
export class RateLimiter {
  readonly #s: RateLimitSettings;
  readonly #buckets = new Map<string, Bucket>();
  #calls = 0;

  constructor(settings: RateLimitSettings) {
    this.#s = settings;
  }

  /** Takes one token for `key`: 0 when allowed, else the seconds until one is available. */
  take(key: string, now = performance.now()): number {
    if (++this.#calls % 10_000 === 0) this.#sweep(now);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#s.burst, updated: now };
    bucket.tokens = Math.min(this.#s.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.#s.requestsPerSecond);
    bucket.updated = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#s.requestsPerSecond));
  }

  /** Forgets buckets that would be full again anyway. */
  #sweep(now: number): void {
    const fullAfterMs = (this.#s.burst / this.#s.requestsPerSecond) * 1000;
    for (const [key, b] of this.#buckets) if (now - b.updated > fullAfterMs) this.#buckets.delete(key);
  }
}

function callerKey(request: FastifyRequest): string {
  return request.identity ? `user:${request.identity.username}` : `ip:${request.ip}`;
}

/** Adds the limit to `app`'s routes (after authentication, so users are told apart). */
export function installRateLimit(app: FastifyInstance, settings: RateLimitSettings): void {
  const limiter = new RateLimiter(settings);
  app.addHook('onRequest', async (request) => {
    const retryAfter = limiter.take(callerKey(request));
    if (retryAfter > 0) {
      throw new ApiError('SS_ERR_RATE_LIMITED', `Too many requests; retry in ${retryAfter} s`, { headers: { 'retry-after': String(retryAfter) } });
    }
  });
}
