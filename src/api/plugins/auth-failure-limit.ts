/**
 * Limits before authentication: guessing API keys, tokens or passwords gets slower with every
 * failure. Each failed authentication (any 401) counts against the client address, and each failed
 * login also against the account named; past `freeFailures` the address (or account) is refused
 * with 429 and Retry-After for a back-off that doubles with each further failure up to
 * `maxBlockMs`, checked before the credentials are even looked at. A successful login clears the
 * account's count; counts are forgotten after `maxBlockMs` without failures. In this replica's memory.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { noteAudit } from './audit.ts';

/** Settings of {@link FailureLimiter}. */
export interface AuthFailureLimitSettings {
  /** Failures before back-off starts (default 10 per address, and half that per account). */
  freeFailures: number;
  /** First back-off (default 1 s), doubled per further failure. */
  baseBlockMs: number;
  /** Longest back-off (default 15 min). */
  maxBlockMs: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimitSettings = { freeFailures: 10, baseBlockMs: 1000, maxBlockMs: 15 * 60_000 };

interface Record {
  failures: number;
  blockedUntil: number;
  last: number;
}

/** Failure counts with exponential back-off, by key. */
export class FailureLimiter {
  readonly #s: AuthFailureLimitSettings;
  readonly #records = new Map<string, Record>();

  constructor(settings: AuthFailureLimitSettings) {
    this.#s = settings;
  }

  /** Seconds until `key` may try again (0: now). */
  retryAfter(key: string, now = Date.now()): number {
    const r = this.#records.get(key);
    return r && r.blockedUntil > now ? Math.ceil((r.blockedUntil - now) / 1000) : 0;
  }

  /** Counts a failure of `key`; past the free ones it blocks, doubling each time. */
  fail(key: string, free: number, now = Date.now()): void {
    if (this.#records.size > 100_000) this.#sweep(now);
    const r = this.#records.get(key) ?? { failures: 0, blockedUntil: 0, last: now };
    if (now - r.last > this.#s.maxBlockMs) r.failures = 0;
    r.failures++;
    r.last = now;
    // The `free`-th failure starts the back-off; each one after doubles it.
    const over = r.failures - free;
    if (over >= 0) r.blockedUntil = now + Math.min(this.#s.maxBlockMs, this.#s.baseBlockMs * 2 ** Math.min(over, 30));
    this.#records.set(key, r);
  }

  /** Forgets `key` (a successful login). */
  clear(key: string): void {
    this.#records.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, r] of this.#records) if (now - r.last > this.#s.maxBlockMs && r.blockedUntil <= now) this.#records.delete(key);
  }
}

function loginAccount(request: FastifyRequest): string | undefined {
  if (!request.url.startsWith('/api/v1/auth/login')) return undefined;
  const name = (request.body as { username?: unknown } | undefined)?.username;
  return typeof name === 'string' ? name.toLowerCase() : undefined;
}

function tooMany(seconds: number, what: string): ApiError {
  return new ApiError('SS_ERR_RATE_LIMITED', `Too many failed sign-ins ${what}; retry in ${seconds} s`, { headers: { 'retry-after': String(seconds) } });
}

/** Adds the limit to `app`; install it before authentication so a blocked caller costs no verification. */
export function installAuthFailureLimit(app: FastifyInstance, settings: AuthFailureLimitSettings = DEFAULT_AUTH_FAILURE_LIMIT): void {
  const limiter = new FailureLimiter(settings);
  const accountFree = Math.max(1, Math.floor(settings.freeFailures / 2));
  app.addHook('onRequest', async (request) => {
    const wait = limiter.retryAfter(`ip:${request.ip}`);
    if (wait > 0) throw tooMany(wait, 'from this address');
  });
  // The account is known once the body is parsed; checked before the password is hashed.
  app.addHook('preHandler', async (request) => {
    const account = loginAccount(request);
    const wait = account === undefined ? 0 : limiter.retryAfter(`account:${account}`);
    if (wait > 0) {
      noteAudit(request, { actor: account, target: account });
      throw tooMany(wait, 'for this account');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const account = loginAccount(request);
    if (reply.statusCode === 401) {
      limiter.fail(`ip:${request.ip}`, settings.freeFailures);
      if (account !== undefined) limiter.fail(`account:${account}`, accountFree);
    } else if (reply.statusCode < 300 && account !== undefined) limiter.clear(`account:${account}`);
  });
}
