/**
 * Wake on connection: a hundred requests at once to a hibernated session write the Session
 * once; a browser meanwhile gets the waiting page and a progress stream that ends when the
 * session answers; a program is held, then answered 503 with Retry-After when the session does
 * not come up in time. The test does the Session controller's part (status, Service, Endpoints).
 */
import type { Gateway } from '../../src/gateway/gateway.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, type ApiHarness } from '../api/harness.ts';
import {
  createSession, createTemplates, getSession, loginCookie, metricValue, serveSession, startBackend, startGatewayHarness, startSideGateway, type Backend,
} from './support.ts';

/** Reads server-sent events from `res` until the stream ends, passing each progress to `onEvent`. */
async function readProgress(res: Response, onEvent: (p: any) => void): Promise<any[]> {
  const events: any[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) {
        const progress = JSON.parse(data.slice(6));
        events.push(progress);
        onEvent(progress);
      }
    }
  }
  return events;
}

describe('gateway wake on connection', () => {
  let h: ApiHarness & { dataDir: string };
  let backend: Backend;
  let alice: string;

  before(async () => {
    h = await startGatewayHarness();
    backend = await startBackend();
    const adminToken = await h.login('admin', ADMIN_PASSWORD);
    await h.userToken('alice');
    await createTemplates(h, adminToken);
    alice = await loginCookie(h, 'alice', 'alice-password');
  });
  after(async () => {
    await backend.close();
    await h.stop();
  });

  it('wakes a hibernated session with exactly one write for 100 concurrent connections, and shows browsers the progress', async () => {
    await createSession(h, 'sleepy', 'alice', { state: 'hibernated' });
    await eventually('the gateway knows the session', () => (h.api.gateway as Gateway).directory.byName('sleepy')?.phase === 'Hibernated');
    const generation = (await getSession(h, 'sleepy')).metadata.generation;
    const wakesBefore = await metricValue(h, 'streamspace_gateway_wakes_total');
    const url = `${h.api.url}/s/sleepy/`;
    const requests = Array.from({ length: 100 }, (_, i) => fetch(`${url}r/${i}`, { headers: { cookie: alice } }));
    await eventually('spec.state running', async () => (await getSession(h, 'sleepy')).spec.state === 'running');

    const page = await fetch(url, { headers: { cookie: alice, accept: 'text/html' } });
    assert.equal(page.status, 503);
    assert.equal(page.headers.get('retry-after'), '5');
    const html = await page.text();
    assert.match(html, /<li data-step="requested" class="done">/);
    assert.match(html, /<li data-step="probe" class="">/);

    const stream = await fetch(`${url}.streamspace/progress`, { headers: { cookie: alice } });
    assert.equal(stream.headers.get('content-type'), 'text/event-stream');
    let first: (p: any) => void;
    const firstEvent = new Promise<any>((resolve) => (first = resolve));
    const events = readProgress(stream, (p) => first(p));
    assert.equal((await firstEvent).ready, false);

    // The controller's part: the session runs and its Service points at the process.
    await h.kube.patchStatus(await getSession(h, 'sleepy'), { type: 'merge', body: { status: { phase: 'Running' } } } as any);
    await serveSession(h, 'sleepy', backend.port);

    const answers = await Promise.all(requests);
    assert.deepEqual(answers.map((r) => r.status), Array(100).fill(200));
    const last = (await events).at(-1);
    assert.equal(last.ready, true, 'the progress stream ends with ready');
    assert.ok(last.steps.every((s: { done: boolean }) => s.done));

    assert.equal((await getSession(h, 'sleepy')).metadata.generation, generation + 1, 'one spec write');
    assert.equal(await metricValue(h, 'streamspace_gateway_wakes_total'), wakesBefore + 1);
    const admin = await h.login('admin', ADMIN_PASSWORD);
    const audit = await h.request('GET', '/api/v1/audit?action=session.wake&target=sleepy', { token: admin });
    assert.equal(audit.json.items.length, 1);
    assert.equal(audit.json.items[0].actor, 'alice');
  });

  it('holds a program\'s request while the session wakes, then answers 503 with Retry-After', async () => {
    const side = await startSideGateway(h, { holdTimeoutMs: 300 });
    try {
      await createSession(h, 'slow', 'alice', { state: 'hibernated' });
      await eventually('the gateway knows the session', () => side.gateway.directory.byName('slow') !== undefined);
      const started = Date.now();
      const res = await fetch(`${side.url}/s/slow/api`, { headers: { cookie: alice } });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.ok(Date.now() - started >= 300, 'held for the hold time');
      assert.equal((await getSession(h, 'slow')).spec.state, 'running', 'and woken');
    } finally {
      await side.stop();
    }
  });
});
