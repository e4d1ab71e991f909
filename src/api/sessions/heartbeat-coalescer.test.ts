import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { KubeApiError } from '../../runtime/api-error.ts';
import type { Patch } from '../../runtime/patch.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { ClusterView } from '../kube/cluster-view.ts';
import { ApiMetrics } from '../metrics.ts';
import { HeartbeatCoalescer, SESSIONS_PER_WRITER, toKubeTime } from './heartbeat-coalescer.ts';

function session(resourceVersion: string, lastActivity?: string): Session {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 's', namespace: 'ns', resourceVersion }, spec: { user: 'u', template: 't' }, status: lastActivity ? { lastActivity } : {} };
}

const conflict = (): KubeApiError => new KubeApiError(409, JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'the object has been modified', code: 409 }));

/** A view whose cache holds `cached`, whose live object is `live`, and whose first status patch fails with `firstError`. */
function fakeView(cached: Session, live: Session, firstError?: Error): { view: ClusterView; patches: Patch[] } {
  const patches: Patch[] = [];
  const client = {
    get: async () => live,
    patchStatus: async (_target: unknown, patch: Patch) => {
      patches.push(patch);
      if (firstError && patches.length === 1) throw firstError;
      return live;
    },
  };
  return { view: { namespace: 'ns', get: () => cached, client } as unknown as ClusterView, patches };
}

function coalescer(view: ClusterView): HeartbeatCoalescer {
  return new HeartbeatCoalescer({ view, metrics: new ApiMetrics(), logger: pino({ level: 'silent' }), flushIntervalMs: 60_000 });
}

describe('HeartbeatCoalescer', () => {
  const t = Date.UTC(2026, 0, 1, 12, 0, 0, 500);

  it('keeps the newest heartbeat per session and writes it once, at second precision, guarded by resourceVersion', async () => {
    const { view, patches } = fakeView(session('7'), session('7'));
    const c = coalescer(view);
    c.record('s', t - 5000);
    c.record('s', t);
    c.record('s', t - 1000);
    await c.flush();
    assert.deepEqual(patches, [{ type: 'merge', body: { metadata: { resourceVersion: '7' }, status: { lastActivity: '2026-01-01T12:00:00Z' } } }]);
    assert.equal(c.pendingCount(), 0);
  });

  it('re-checks the live object after a 409 and writes against its resourceVersion', async () => {
    const { view, patches } = fakeView(session('7'), session('9', toKubeTime(t - 60_000)), conflict());
    const c = coalescer(view);
    c.record('s', t);
    await c.flush();
    assert.equal(patches.length, 2);
    assert.deepEqual((patches[1] as { body: unknown }).body, { metadata: { resourceVersion: '9' }, status: { lastActivity: '2026-01-01T12:00:00Z' } });
  });

  it('does not write when the live object already holds a newer time', async () => {
    const { view, patches } = fakeView(session('7'), session('9', toKubeTime(t + 60_000)), conflict());
    const c = coalescer(view);
    c.record('s', t);
    await c.flush();
    assert.equal(patches.length, 1, 'only the refused attempt');
  });

  it('keeps a failed write for the next flush', async () => {
    const { view, patches } = fakeView(session('7'), session('7'), new Error('connection reset'));
    const c = coalescer(view);
    c.record('s', t);
    await c.flush();
    assert.equal(c.pendingCount(), 1);
    await c.flush();
    assert.equal(patches.length, 2);
    assert.equal(c.pendingCount(), 0);
  });

  it('writes a small flush one session at a time, and a large one with a writer per hundred sessions, at most the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const client = {
      patchStatus: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    };
    const view = { namespace: 'ns', get: () => session('7'), client } as unknown as ClusterView;
    const flushOf = async (sessions: number, concurrency?: number): Promise<number> => {
      const c = new HeartbeatCoalescer({ view, metrics: new ApiMetrics(), logger: pino({ level: 'silent' }), flushIntervalMs: 60_000, concurrency });
      for (let i = 0; i < sessions; i++) c.record(`s${i}`, t);
      most = 0;
      await c.flush();
      return most;
    };
    assert.equal(await flushOf(50), 1);
    assert.equal(await flushOf(SESSIONS_PER_WRITER * 2 + 1), 3);
    assert.equal(await flushOf(SESSIONS_PER_WRITER * 20), 8);
    assert.equal(await flushOf(SESSIONS_PER_WRITER * 20, 2), 2);
  });
});
