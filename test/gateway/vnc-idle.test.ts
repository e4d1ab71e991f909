/**
 * VNC through the gateway and the idle signal: the viewer page and noVNC are served for a
 * desktop session; the WebSocket bridge carries RFB to the session's VNC server; an open tab
 * that only asks for screen updates leaves status.lastActivity alone (so the controller's idle
 * limit hibernates it), while typing moves it (so it stays up).
 */
import type { Gateway } from '../../src/gateway/gateway.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { eventually } from '../support/control-plane.ts';
import type { ApiHarness } from '../api/harness.ts';
import { limitDecision } from '../../src/controllers/session/timing.ts';
import { createSession, getSession, serveSession, startGatewayStack, type GatewayStack } from './support.ts';
import { CLIENT_HANDSHAKE, keyEvent, startFakeRfb, updateRequest, type FakeRfbServer } from './fake-rfb.ts';

const LIMITS = { idleGraceMs: 0, maxDurationAction: 'hibernate' as const };

describe('gateway VNC bridge and idle signal', () => {
  let h: ApiHarness & { dataDir: string };
  let rfb: FakeRfbServer;
  let alice: string;
  let token: string;

  let stack: GatewayStack;

  before(async () => {
    stack = await startGatewayStack();
    ({ h, alice } = stack);
    rfb = await startFakeRfb();
    await createSession(h, 'desk', 'alice', { template: 'desktop', spec: { idleTimeout: '30s' } });
    // Started a minute ago: with a 30 s idle timeout, only fresh activity keeps it up.
    await h.kube.patchStatus(await getSession(h, 'desk'), { type: 'merge', body: { status: { startedAt: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') } } } as any);
    await serveSession(h, 'desk', rfb.port);
    token = await h.login('alice', 'alice-password');
    await eventually('desk reachable', () => { const g = (h.api.gateway as Gateway).directory; const r = g.byName('desk'); return r && g.backend(r); });
  });
  after(async () => {
    await rfb.close();
    await stack.stop();
  });

  it('serves the noVNC viewer and noVNC itself for a desktop session', async () => {
    const page = await fetch(`${h.api.url}/s/desk/`, { headers: { cookie: alice, accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script src="\.streamspace\/novnc\.js">/);
    const script = await fetch(`${h.api.url}/s/desk/.streamspace/novnc.js`, { headers: { cookie: alice } });
    assert.equal(script.status, 200);
    assert.match(await script.text(), /window\.NoVNC = \{ RFB: load\('rfb\.js'\)/);
    assert.equal((await fetch(`${h.api.url}/s/desk/other`, { headers: { cookie: alice } })).status, 404);
  });

  it('an open tab asking only for screen updates does not count as activity; typing does', async () => {
    const ws = new WebSocket(`${h.api.url.replace('http', 'ws')}/s/desk/.streamspace/vnc`, { headers: { cookie: alice } });
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    const serverInit = new Promise<void>((resolve) => { let bytes = 0; ws.on('message', (d: Buffer) => { bytes += d.length; if (bytes >= 12 + 2 + 4 + 28) resolve(); }); });
    for (const b of CLIENT_HANDSHAKE) ws.send(b);
    await serverInit;
    for (let i = 0; i < 20; i++) ws.send(updateRequest());
    await eventually('the updates reached the VNC server', () => rfb.received() >= 200);
    await h.api.heartbeats.flush();
    let session = await getSession(h, 'desk');
    assert.equal(session.status.lastActivity, undefined, 'no activity recorded for update requests');
    assert.equal(limitDecision(session, LIMITS, Date.now()).action, 'hibernate', 'so the idle limit puts it to sleep');

    for (const down of [true, false]) ws.send(keyEvent(0x61, down));
    await eventually('the keys reached the VNC server', () => rfb.received() >= 216);
    await h.api.heartbeats.flush();
    session = await getSession(h, 'desk');
    assert.ok(Date.parse(session.status.lastActivity) >= Date.now() - 5000, 'typing is activity');
    assert.equal(limitDecision(session, LIMITS, Date.now()).action, 'none', 'so it stays up');
    ws.close();
  });

  it('keep-running: set through the API within maxSessionDuration, survives the idle timeout, stops at its time', async () => {
    await createSession(h, 'job', 'alice', { template: 'desktop', spec: { idleTimeout: '30s', maxSessionDuration: '5m' } });
    const startedAt = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await h.kube.patchStatus(await getSession(h, 'job'), { type: 'merge', body: { status: { startedAt } } } as any);
    await eventually('job in the API cache', async () => (await h.request('GET', '/api/v1/sessions/job', { token })).json?.status?.startedAt === startedAt);
    const tooLate = await h.request('PATCH', '/api/v1/sessions/job', { token, body: { keepRunningUntil: new Date(Date.now() + 3_600_000).toISOString() } });
    assert.equal(tooLate.status, 400);
    assert.equal(tooLate.json.field, 'body.keepRunningUntil');
    assert.match(tooLate.json.message, /maxSessionDuration \(5m\)/);
    const until = Date.now() + 120_000;
    const ok = await h.request('PATCH', '/api/v1/sessions/job', { token, body: { keepRunningUntil: new Date(until).toISOString() } });
    assert.equal(ok.status, 202);
    const session = await getSession(h, 'job');
    assert.equal(session.status.lastActivity, undefined);
    assert.equal(limitDecision(session, LIMITS, Date.now()).action, 'none', 'idle for longer than its timeout, still running');
    assert.equal(limitDecision(session, LIMITS, Math.floor(until / 1000) * 1000).action, 'hibernate', 'stops at the keep-running time');
  });
});
