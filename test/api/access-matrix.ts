/**
 * Test support: authorization matrices. Each row is one route, tried as the owner, another
 * user, an admin and an anonymous caller, with the status expected for each.
 */
import assert from 'node:assert/strict';
import type { ApiHarness } from './harness.ts';

/** Who makes the call. */
export type Caller = 'owner' | 'other' | 'admin' | 'anonymous';

/** The callers, in the order of a row's `expect`. */
export const CALLERS: Caller[] = ['owner', 'other', 'admin', 'anonymous'];

/** One row: a request (built per caller, so destructive calls get a fresh target) and the statuses expected. */
export interface Row {
  name: string;
  request: (caller: Caller) => Promise<{ method: string; path: string; body?: unknown }>;
  expect: [owner: number, other: number, admin: number, anonymous: number];
}

/** Calls `row` as every caller and checks each status, and that refusals carry the right error body. */
export async function checkRow(
  h: ApiHarness, tokens: Partial<Record<Caller, string>>, row: Row, checkRefusalMessage: (message: string) => void,
): Promise<void> {
  for (const [i, caller] of CALLERS.entries()) {
    const { method, path, body } = await row.request(caller);
    const res = await h.request(method, path, { token: tokens[caller], body });
    assert.equal(res.status, row.expect[i], `${row.name} as ${caller}: ${method} ${path} → ${res.status} ${res.text}`);
    if (res.status === 403) {
      assert.equal(res.json.error, 'SS_ERR_FORBIDDEN');
      checkRefusalMessage(res.json.message);
    }
    if (res.status === 401) assert.equal(res.json.error, 'SS_ERR_UNAUTHENTICATED');
  }
}
