/**
 * What auditing costs a mutating call (run: `npx node bench/api-audit.ts`; BENCH_CALLS=2000).
 * The control plane and the API (embedded PGlite) run in their own processes; this process sends
 * BENCH_CALLS sequential requests of three kinds, interleaved, and reports each kind's median and
 * p99 latency:
 * - `written ahead`: an audited call that reaches its handler (DELETE of an unknown connection,
 *   404): its entry is written before the handler and finished after the answer;
 * - `after only`: an audited call refused by validation before its handler (400): one entry,
 *   written after the answer;
 * - `not audited`: a session heartbeat to an unknown session (404), which is not audited.
 * Audit writes after the answer (all three kinds' onResponse work) do not delay the answer.
 * Calls rotate over USERS accounts to stay inside the per-user rate limit.
 */
import { ADMIN_PASSWORD, call, startApiStack } from './api-support.ts';
import { percentile, report } from './support.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const USERS = 20;

const KINDS = {
  'written ahead': { method: 'DELETE', path: '/api/v1/connections/unknown-connection', status: 404 },
  'after only': { method: 'DELETE', path: `/api/v1/connections/${'x'.repeat(65)}`, status: 400 },
  'not audited': { method: 'POST', path: '/api/v1/sessions/unknown-session/heartbeat', status: 404 },
} as const;

async function main(): Promise<void> {
  const { api, stop } = await startApiStack();
  try {
    const login = await call(api, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD });
    const admin = login.json.accessToken as string;
    const tokens: string[] = [];
    for (let u = 0; u < USERS; u++) {
      await call(api, 'POST', '/api/v1/users', admin, { username: `bench-${u}`, password: 'bench-password' });
      tokens.push((await call(api, 'POST', '/api/v1/auth/login', undefined, { username: `bench-${u}`, password: 'bench-password' })).json.accessToken);
    }
    const times = new Map<string, number[]>(Object.keys(KINDS).map((k) => [k, []]));
    const warmup = Math.min(200, CALLS / 10);
    for (let i = 0; i < CALLS + warmup; i++) {
      for (const [name, k] of Object.entries(KINDS)) {
        const started = performance.now();
        const res = await call(api, k.method, k.path, tokens[i % USERS]);
        const elapsed = performance.now() - started;
        if (res.status !== k.status) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.json)}`);
        if (i >= warmup) times.get(name)!.push(elapsed);
      }
    }
    for (const [name, values] of times) {
      report(`${name}: median`, percentile(values, 50), 'ms');
      report(`${name}: p99`, percentile(values, 99), 'ms');
    }
  } finally {
    await stop();
  }
}

await main();
