/**
 * Test support for the admission webhook tests: a real HTTPS webhook server with its own CA, whose
 * answer per path is decided by the test, and which records every AdmissionReview it receives.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '../../src/tls/certificates.ts';

/** One call the webhook server received. */
export interface ReceivedReview {
  path: string;
  /** The request's path with its query (`/validate?timeout=10s`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  review: any;
}

/** What a handler answers: the AdmissionResponse (uid is filled in), a raw HTTP answer, or nothing yet. */
export type Answer =
  | { response: Record<string, unknown> }
  | { raw: { status: number; contentType?: string; body: string } };

/** An answer now or later (a handler may hold the call open). */
export type HandlerAnswer = Answer | Promise<Answer>;

/** Decides the answer to one review. */
export type ReviewHandler = (review: any, call: ReceivedReview) => HandlerAnswer;

/** A running webhook server. */
export interface WebhookServer {
  port: number;
  /** Base64 of the CA's PEM: the `caBundle` of configurations pointing here. */
  caBundle: string;
  /** `https://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** Sets the handler of `path`. */
  handle(path: string, handler: ReviewHandler): void;
  /** Every review received so far, in arrival order. */
  received: ReceivedReview[];
  /** Reviews received on `path`. */
  on(path: string): ReceivedReview[];
  stop(): Promise<void>;
}

/** Host names the serving certificate is valid for (a service reference resolves to the last). */
export const WEBHOOK_SERVICE = { namespace: 'webhooks', name: 'hooks' };

/** Allows everything unchanged. */
export const allow: ReviewHandler = () => ({ response: { allowed: true } });

/** A JSON patch answer. */
export function patchAnswer(ops: unknown[], extra: Record<string, unknown> = {}): Answer {
  return { response: { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64'), ...extra } };
}

async function answerOf(handler: ReviewHandler | undefined, call: ReceivedReview): Promise<Answer> {
  if (!handler) return { raw: { status: 404, contentType: 'text/plain', body: 'no handler' } };
  return handler(call.review, call);
}

/** Starts a webhook server on 127.0.0.1 with a certificate from a new CA. */
export async function startWebhookServer(): Promise<WebhookServer> {
  const ca = await createCertificateAuthority('webhook-test-ca', 3600_000);
  const hosts = ['localhost', '127.0.0.1', `${WEBHOOK_SERVICE.name}.${WEBHOOK_SERVICE.namespace}.svc`];
  const serving = await issueServingCertificate(ca, { hosts, validForMs: 3600_000 });
  const handlers = new Map<string, ReviewHandler>();
  const received: ReceivedReview[] = [];
  const server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const path = url.split('?')[0];
      const call: ReceivedReview = { path, url, headers: req.headers, review: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      received.push(call);
      void answerOf(handlers.get(path), call).then((answer) => {
        if (res.destroyed) return;
        if ('raw' in answer) {
          res.writeHead(answer.raw.status, answer.raw.contentType ? { 'Content-Type': answer.raw.contentType } : {});
          res.end(answer.raw.body);
          return;
        }
        const response = { uid: call.review.request.uid, ...answer.response };
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port, received,
    caBundle: Buffer.from(ca.certPem).toString('base64'),
    url: (path) => `https://127.0.0.1:${port}${path}`,
    handle: (path, handler) => handlers.set(path, handler),
    on: (path) => received.filter((r) => r.path === path),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
