/**
 * The runtime's HTTPS transport against a small local HTTPS server whose behaviour each test
 * controls: connection reuse, TLS verification, rotating tokens, streamed lines split anywhere.
 * (Its use against the embedded control plane is covered by every integration test.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority, issueServingCertificate, type CertificateAuthority } from '../../tls/certificates.ts';
import type { RestConfig } from '../rest-config.ts';
import { HttpsTransport } from './https-transport.ts';

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

interface TestServer {
  url: string;
  /** TLS connections accepted so far. */
  connections(): number;
  handle(h: Handler): void;
  close(): Promise<void>;
}

async function startServer(ca: CertificateAuthority): Promise<TestServer> {
  const serving = await issueServingCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], validForMs: 3600_000 });
  let handler: Handler = (_req, res) => res.end('{}');
  let connections = 0;
  const server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => handler(req, res));
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    handle: (h) => { handler = h; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
  });
}

describe('HttpsTransport', () => {
  let ca: CertificateAuthority;
  let server: TestServer;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'https-transport-'));
  const config = (over: Partial<RestConfig> = {}): RestConfig => ({ server: server.url, tls: { ca: ca.certPem }, credentials: { type: 'none' }, ...over });

  before(async () => {
    ca = await createCertificateAuthority('transport-test-ca', 3600_000);
    server = await startServer(ca);
  });
  after(async () => {
    await server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('sends method, path, query, body and headers, and returns status, headers and text', async () => {
    let seen: { method?: string; url?: string; headers?: import('node:http').IncomingHttpHeaders; body?: string } = {};
    server.handle(async (req, res) => {
      seen = { method: req.method, url: req.url, headers: req.headers, body: await readBody(req) };
      res.writeHead(201, { 'content-type': 'application/json', 'x-extra': 'yes' }).end('{"ok":true}');
    });
    const t = new HttpsTransport(config({ credentials: { type: 'token', token: 'secret-token' } }), { userAgent: 'default-agent' });
    const res = await t.send({ method: 'PATCH', path: '/api/v1/x', query: { a: 'b c', skip: undefined, n: 3 }, body: { x: 1 }, contentType: 'application/merge-patch+json' });
    t.close();
    assert.equal(res.status, 201);
    assert.equal(res.text, '{"ok":true}');
    assert.equal(res.headers['x-extra'], 'yes');
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.url, '/api/v1/x?a=b+c&n=3');
    assert.equal(seen.body, '{"x":1}');
    assert.equal(seen.headers?.['content-type'], 'application/merge-patch+json');
    assert.equal(seen.headers?.authorization, 'Bearer secret-token');
    assert.equal(seen.headers?.['user-agent'], 'default-agent');
  });

  it('keeps connections alive: many requests, few TLS handshakes, bounded by maxSockets', async () => {
    server.handle((_req, res) => res.end('{}'));
    const before = server.connections();
    const t = new HttpsTransport(config(), { maxSockets: 4 });
    for (let i = 0; i < 20; i++) await t.send({ method: 'GET', path: '/seq' });
    assert.equal(server.connections() - before, 1, 'sequential requests reuse one connection');
    await Promise.all(Array.from({ length: 40 }, () => t.send({ method: 'GET', path: '/par' })));
    t.close();
    assert.ok(server.connections() - before <= 4, `at most maxSockets connections, saw ${server.connections() - before}`);
  });

  it('refuses a server its CA does not vouch for, unless told to skip verification', async () => {
    const other = await createCertificateAuthority('other-ca', 3600_000);
    server.handle((_req, res) => res.end('{}'));
    const strict = new HttpsTransport(config({ tls: { ca: other.certPem } }));
    await assert.rejects(strict.send({ method: 'GET', path: '/' }), /certificate/i);
    const lax = new HttpsTransport(config({ tls: { insecureSkipVerify: true } }));
    assert.equal((await lax.send({ method: 'GET', path: '/' })).status, 200);
    strict.close();
    lax.close();
  });

  it('re-reads a rotated token file after a 401 and retries once', async () => {
    const tokenPath = path.join(tmp, 'token');
    fs.writeFileSync(tokenPath, 'old-token\n');
    const seen: string[] = [];
    server.handle((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(req.headers.authorization === 'Bearer new-token' ? 200 : 401).end('{}');
    });
    const t = new HttpsTransport(config({ credentials: { type: 'tokenFile', path: tokenPath } }));
    assert.equal((await t.send({ method: 'GET', path: '/' })).status, 401, 'the old token is refused');
    fs.writeFileSync(tokenPath, 'new-token\n');
    assert.equal((await t.send({ method: 'GET', path: '/' })).status, 200, 'the rotated token is read after the 401');
    t.close();
    assert.deepEqual(seen, ['Bearer old-token', 'Bearer old-token', 'Bearer old-token', 'Bearer new-token']);
  });

  it('does not retry a 401 for a fixed token', async () => {
    let calls = 0;
    server.handle((_req, res) => { calls++; res.writeHead(401).end('{}'); });
    const t = new HttpsTransport(config({ credentials: { type: 'token', token: 'wrong' } }));
    assert.equal((await t.send({ method: 'GET', path: '/' })).status, 401);
    t.close();
    assert.equal(calls, 1);
  });

  it('streams lines split across chunks anywhere, multi-byte characters included', async () => {
    const events = ['{"type":"ADDED","object":{"name":"é-first"}}', '{"type":"MODIFIED","object":{"name":"second ✓"}}', '{"type":"DELETED"}'];
    const bytes = Buffer.from(events.join('\n') + '\n');
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // One byte at a time: every line and every UTF-8 sequence is split.
      let i = 0;
      const next = (): void => {
        if (i >= bytes.length) return void res.end();
        res.write(bytes.subarray(i, ++i), next);
      };
      next();
    });
    const t = new HttpsTransport(config());
    const lines: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      void t.stream({ method: 'GET', path: '/watch' }, { onLine: (l) => lines.push(l), onEnd: (err) => resolve(err ?? 'clean') });
    });
    assert.equal(await ended, 'clean');
    t.close();
    assert.deepEqual(lines, events);
  });

  it('answers a refused stream with its status and body, and calls no handler', async () => {
    server.handle((_req, res) => res.writeHead(410, { 'content-type': 'application/json' }).end('{"kind":"Status","code":410,"reason":"Expired"}'));
    const t = new HttpsTransport(config());
    let called = false;
    const res = await t.stream({ method: 'GET', path: '/watch' }, { onLine: () => { called = true; }, onEnd: () => { called = true; } });
    t.close();
    assert.equal(res.status, 410);
    assert.match(res.text, /Expired/);
    assert.equal(called, false);
  });

  it('stops delivering after abort() and reports no end', async () => {
    let serverRes: import('node:http').ServerResponse | undefined;
    const closed = new Promise<void>((resolve) => {
      server.handle((req, res) => {
        serverRes = res;
        res.writeHead(200).write('{"n":1}\n');
        req.socket.on('close', () => resolve());
      });
    });
    const t = new HttpsTransport(config());
    const lines: string[] = [];
    let endCalls = 0;
    const first = new Promise<void>((resolve) => {
      void t.stream({ method: 'GET', path: '/watch' }, { onLine: (l) => { lines.push(l); resolve(); }, onEnd: () => endCalls++ }).then((res) => {
        void first.then(() => res.abort());
      });
    });
    await first;
    await closed;
    serverRes?.end();
    t.close();
    assert.deepEqual(lines, ['{"n":1}']);
    assert.equal(endCalls, 0);
  });

  it('reports a connection dropped mid-stream as an error end', async () => {
    server.handle((req, res) => {
      res.writeHead(200).write('{"n":1}\n', () => req.socket.destroy());
    });
    const t = new HttpsTransport(config());
    const end = await new Promise<unknown>((resolve) => {
      void t.stream({ method: 'GET', path: '/watch' }, { onLine: () => undefined, onEnd: (err) => resolve(err) });
    });
    t.close();
    assert.ok(end instanceof Error, 'an error, not a clean end');
  });

  it('rejects a server URL that is not http or https', () => {
    assert.throws(() => new HttpsTransport({ server: 'ftp://x', tls: {}, credentials: { type: 'none' } }), /http or https/);
  });
});
