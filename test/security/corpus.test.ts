/**
 * The hostile-input corpus (issue 18): a generated table of hostile values (NUL and control
 * characters, lone surrogates, path traversal, shell and template injection, prototype keys,
 * huge and non-finite numbers, wrong types, deep nesting) sent into every field of the REST API,
 * into path parameters, login, quotas, WebSocket tokens, the admission webhook endpoints and
 * Session CRDs. Every answer must be a deliberate one (never 5xx), and nothing may be written
 * beyond what was answered 2xx (counted afterwards).
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { WEBHOOKS } from '../../src/webhooks/configurations.ts';
import { templateSpec } from '../controllers/support.ts';
import { rawRequest } from '../support/control-plane.ts';
import { GROUP_VERSION, NAMESPACE } from '../api/harness.ts';
import { startPlatform, type Platform } from './platform.ts';

const TOKEN = 'corpus-webhook-token';

function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** The hostile values, each with a label for the test name. */
const HOSTILE: [string, unknown][] = [
  ['empty string', ''], ['blank', '   '], ['NUL', 'a\u0000b'], ['control characters', '\u0001\u001b[31m\u007f'], ['lone surrogate', '\uD800'],
  ['BOM and RTL override', '\uFEFF\u202Eevil'], ['10 000 characters', 'a'.repeat(10_000)], ['path traversal', '../../etc/passwd'],
  ['URL-encoded traversal', '%2e%2e%2f%2e%2e%2fetc'], ['shell substitution', '$(id)'], ['backticks', '`id`'], ['shell chain', 'x; rm -rf / #'],
  ['newline injection', 'x\nSet-Cookie: a=b'], ['HTML', '<script>alert(1)</script>'], ['template injection', '{{7*7}}${7*7}'],
  ['SQL', '\' OR 1=1 --'], ['__proto__', '__proto__'], ['constructor', 'constructor'], ['git option', '--upload-pack=touch /tmp/pwned'],
  ['file URL', 'file:///etc/passwd'], ['metadata URL', 'http://169.254.169.254/latest/meta-data/'], ['negative', -1], ['zero', 0],
  ['huge number', 1e308], ['float', 0.5], ['huge quantity', '1e400'], ['Infinity text', 'Infinity'], ['NaN text', 'NaN'], ['null', null],
  ['true', true], ['empty array', []], ['array of string', ['firefox']], ['empty object', {}], ['prototype object', JSON.parse('{"__proto__":{"polluted":1}}')],
  ['nested 40 deep', nested(40)],
];

/** The fields of a session create body, each sent every hostile value (others valid). */
const SESSION_FIELDS = ['template', 'state', 'persistentHome', 'idleTimeout', 'maxSessionDuration', 'tags', 'resources', 'repository', 'unknownField'];

/** `text` for a query string; a lone surrogate goes as the raw (invalid UTF-8) bytes it would be. */
function queryValue(text: string): string {
  return text.isWellFormed() ? encodeURIComponent(text) : '%ED%A0%80';
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('hostile-input corpus', () => {
  let p: Platform;
  let user: string;
  let sessionName: string;
  let created = 0;
  before(async () => {
    p = await startPlatform({}, { cluster: { webhookToken: TOKEN }, webhooks: { callerToken: TOKEN } });
    await p.createTemplate('firefox', p.admin, templateSpec());
    user = await p.userToken('hostile');
    const first = await p.request('POST', '/api/v1/sessions', { token: user, body: { template: 'firefox' } });
    assert.equal(first.status, 202, first.text);
    sessionName = first.json.metadata.name;
    created = 1;
  });
  after(async () => {
    const stored = await p.sessionsOf('hostile');
    assert.equal(stored.length, created, 'no session was written beyond those answered 2xx');
    await p?.stop();
  });

  function noServerError(status: number, what: string, text = ''): void {
    assert.ok(status > 0 && status < 500, `${what}: ${status} ${text.slice(0, 300)}`);
  }

  for (const field of SESSION_FIELDS) {
    for (const [label, value] of HOSTILE) {
      it(`REST POST /sessions ${field} = ${label}`, async () => {
        const body = field === 'template' ? { template: value } : { template: 'firefox', [field]: value };
        const res = await p.request('POST', '/api/v1/sessions', { token: user, body });
        noServerError(res.status, 'create', res.text);
        if (res.status === 202) created++;
        else assert.ok(res.json?.message, 'a refusal says why');
      });
    }
  }

  for (const [label, value] of HOSTILE) {
    it(`REST PATCH /sessions/:id state = ${label}`, async () => {
      const res = await p.request('PATCH', `/api/v1/sessions/${sessionName}`, { token: user, body: { state: value } });
      noServerError(res.status, 'patch', res.text);
      if (!(typeof value === 'string' && ['running', 'hibernated', 'terminated'].includes(value))) assert.equal(res.status, 400, res.text);
    });
    it(`REST path parameter = ${label}`, async () => {
      const res = await p.request('DELETE', `/api/v1/sessions/${encodeURIComponent(String(JSON.stringify(value)))}`, { token: user });
      noServerError(res.status, 'delete', res.text);
      assert.notEqual(res.status, 202);
    });
    it(`REST login username = ${label}`, async () => {
      const res = await p.request('POST', '/api/v1/auth/login', { body: { username: value, password: 'whatever-password' } });
      noServerError(res.status, 'login', res.text);
      assert.ok(res.status === 400 || res.status === 401, `${res.status}`);
    });
    it(`REST quota maxSessions = ${label}`, async () => {
      const res = await p.request('POST', '/api/v1/quotas', { token: p.admin, body: { name: `corpus-${HOSTILE.findIndex(([l]) => l === label)}`, spec: { users: ['nobody'], limits: { maxSessions: value } } } });
      noServerError(res.status, 'quota', res.text);
      if (res.status === 201) assert.ok(Number.isInteger(value) && (value as number) >= 0, `only a whole number is stored: ${JSON.stringify(value)}`);
    });
    it(`WebSocket access_token = ${label}`, async () => {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${p.api.url.replace('http', 'ws')}/api/v1/ws?access_token=${queryValue(String(value))}`);
        ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
        ws.once('open', () => { resolve(101); ws.close(); });
        ws.once('error', () => resolve(-1));
      });
      assert.ok(status === 401 || status === 400, `refused: ${status}`);
    });
    it(`webhook review with spec.template = ${label}`, async () => {
      const review = {
        apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
        request: {
          uid: 'corpus', kind: { group: 'stream.streamspace.io', version: 'v1alpha1', kind: 'Session' }, resource: { group: 'stream.streamspace.io', version: 'v1alpha1', resource: 'sessions' },
          namespace: NAMESPACE, operation: 'CREATE', userInfo: { username: 'hostile' }, dryRun: true,
          object: { apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: 'corpus', namespace: NAMESPACE }, spec: { user: 'hostile', template: value } },
        },
      };
      for (const path of [WEBHOOKS.sessionDefaults.path, WEBHOOKS.sessionValidation.path]) {
        noServerError(await post(`${p.webhookUrl}${path}`, JSON.stringify(review), { authorization: `Bearer ${TOKEN}` }), path);
      }
    });
    it(`CRD Session spec.template = ${label}`, async () => {
      const res = await rawRequest(p.cluster.cp, 'POST', `/apis/${GROUP_VERSION}/namespaces/${NAMESPACE}/sessions?dryRun=All`, {
        apiVersion: GROUP_VERSION, kind: 'Session', metadata: { generateName: 'corpus-', namespace: NAMESPACE }, spec: { user: 'hostile', template: value },
      });
      noServerError(res.status, 'crd', JSON.stringify(res.json));
    });
  }
});
