/**
 * What the gateway will not forward, and what it changes on the way: only session addresses
 * reach sessions (an absolute-form request, a host that is not a session host, a Service the
 * Session controller did not make: refused); paths cannot climb out of the session prefix;
 * ambiguous framing is refused; hop-by-hop headers do not cross.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, type ApiHarness } from '../api/harness.ts';
import { createSession, createTemplates, loginCookie, rawHttp, serveSession, startBackend, startGatewayHarness, startSideGateway, type Backend } from './support.ts';

describe('gateway forwarding rules', () => {
  let h: ApiHarness & { dataDir: string };
  let backend: Backend;
  let alice: string;
  let side: Awaited<ReturnType<typeof startSideGateway>>;

  before(async () => {
    h = await startGatewayHarness();
    backend = await startBackend();
    const adminToken = await h.login('admin', ADMIN_PASSWORD);
    await h.userToken('alice');
    await createTemplates(h, adminToken);
    await createSession(h, 'alice-web', 'alice');
    await serveSession(h, 'alice-web', backend.port);
    await createSession(h, 'stray', 'alice');
    // A Service of the right name that the Session controller did not make (no labels): not a session Service.
    await serveSession(h, 'stray', backend.port, {});
    alice = await loginCookie(h, 'alice', 'alice-password');
    side = await startSideGateway(h, { mode: { kind: 'host', domain: 'sessions.test' }, holdTimeoutMs: 200 });
    await eventually('sessions known', () => side.gateway.directory.backend(side.gateway.directory.byName('alice-web')!) !== undefined);
  });
  after(async () => {
    await side.stop();
    await backend.close();
    await h.stop();
  });

  const get = (port: number, target: string, headers: string[] = []): Promise<string> =>
    rawHttp(port, [`GET ${target} HTTP/1.1`, ...headers, `Cookie: ${alice}`, 'Connection: close', '', ''].join('\r\n'));

  it('refuses absolute-form targets and hosts that are not session hosts, without contacting anything', async () => {
    const seen = backend.received.length;
    const absolute = await get(h.api.port, `http://127.0.0.1:${backend.port}/s/alice-web/`, [`Host: 127.0.0.1:${backend.port}`]);
    assert.match(absolute, /^HTTP\/1\.1 404/);
    const metadata = await get(side.port, '/latest/meta-data/', ['Host: 169.254.169.254']);
    assert.match(metadata, /^HTTP\/1\.1 404/);
    assert.match(metadata, /not a StreamSpace workspace/);
    const internal = await get(side.port, '/', ['Host: kubernetes.default.svc']);
    assert.match(internal, /^HTTP\/1\.1 404/);
    const unknown = await get(side.port, '/', ['Host: nobody.sessions.test']);
    assert.match(unknown, /^HTTP\/1\.1 404/);
    assert.equal(backend.received.length, seen, 'nothing reached a backend');
    const session = await get(side.port, '/in-host-mode', ['Host: alice-web.sessions.test']);
    assert.match(session, /^HTTP\/1\.1 200/);
    assert.match(session, /"url":"\/in-host-mode"/);
  });

  it('does not reach a Service the Session controller did not make', async () => {
    const seen = backend.received.length;
    assert.match(await get(side.port, '/', ['Host: stray.sessions.test']), /^HTTP\/1\.1 503/);
    assert.equal(backend.received.length, seen);
  });

  it('refuses paths that climb out of the session prefix', async () => {
    const seen = backend.received.length;
    for (const target of ['/s/alice-web/..%2f..%2fapi/v1/users', '/s/alice-web/%2e%2e/x', '/s/alice-web/a/../../api/v1/users', '/s/alice-web/a%5c..%5cx', '/s/alice-web/%zz']) {
      assert.match(await get(h.api.port, target, [`Host: 127.0.0.1:${h.api.port}`]), /^HTTP\/1\.1 400/, target);
    }
    assert.equal(backend.received.length, seen);
  });

  it('refuses ambiguous framing (request smuggling)', async () => {
    const seen = backend.received.length;
    const both = await rawHttp(h.api.port, [
      'POST /s/alice-web/x HTTP/1.1', `Host: 127.0.0.1:${h.api.port}`, `Cookie: ${alice}`, 'Content-Length: 4', 'Transfer-Encoding: chunked', 'Connection: close', '', '0', '', 'GET /s/alice-web/smuggled HTTP/1.1', '', ''].join('\r\n'));
    assert.match(both, /^HTTP\/1\.1 400/);
    const twoHosts = await get(h.api.port, '/s/alice-web/x', [`Host: 127.0.0.1:${h.api.port}`, 'Host: other']);
    assert.match(twoHosts, /^HTTP\/1\.1 400/);
    assert.equal(backend.received.filter((r) => r.url.includes('smuggled')).length, 0);
    assert.equal(backend.received.length, seen);
  });

  it('drops hop-by-hop headers both ways and redirects /s/{session} to /s/{session}/', async () => {
    const answer = await get(h.api.port, '/s/alice-web/hop', [
      `Host: 127.0.0.1:${h.api.port}`, 'X-Hop: 1', 'Keep-Alive: timeout=1', 'Proxy-Authorization: Basic eA==', 'TE: trailers', 'Connection: close, X-Hop'].join('\r\n').split('\r\n'));
    assert.match(answer, /^HTTP\/1\.1 200/);
    const seen = backend.received.at(-1)!;
    for (const name of ['x-hop', 'keep-alive', 'proxy-authorization', 'te']) assert.equal(seen.headers[name], undefined, name);
    assert.doesNotMatch(answer, /x-backend-hop/i, 'the session\'s own hop-by-hop header does not reach the client');
    const redirect = await fetch(`${h.api.url}/s/alice-web`, { redirect: 'manual', headers: { cookie: alice } });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/s/alice-web/');
  });
});
