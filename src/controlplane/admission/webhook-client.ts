/**
 * Calling a webhook over HTTPS the way kube-apiserver's webhook client does
 * (apiserver pkg/util/webhook/client.go, client-go rest): a POST of the AdmissionReview to
 * `clientConfig.url`, or to `https://<name>.<namespace>.svc:<port><path>` for a service reference,
 * with `?timeout=<n>s` appended, the server certificate checked against `clientConfig.caBundle` (the
 * system roots when it is empty), and failures reported with the texts Go's HTTP client uses
 * (`Post "<url>": dial tcp …: connect: connection refused`, `… context deadline exceeded`,
 * `tls: failed to verify certificate: x509: certificate signed by unknown authority`).
 *
 * Service references: this process is not inside a cluster network, so `<name>.<namespace>.svc`
 * does not resolve. A ServiceResolver maps a service to the addresses to dial instead: by default
 * the Service's ready Endpoints (./endpoints-resolver.ts, kube-apiserver's aggregator routing), or
 * one fixed address (tests map it to 127.0.0.1:<port>). The certificate is still checked for the
 * service's DNS name, as kube-apiserver checks it. When an address refuses the connection the
 * next one is tried (see ./endpoints-resolver.ts for why).
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { WebhookClientConfig } from './webhook-configuration.ts';
import { WebhookCallError } from './webhook-errors.ts';

/** Where a webhook service can be reached from this process. */
export interface ServiceAddress {
  host: string;
  port: number;
}

/**
 * Maps a webhook's service reference to the addresses to dial, in the order to try them. Returning
 * undefined dials `<name>.<namespace>.svc:<port>` itself; throwing fails the call with the error's
 * message as the reason (`no endpoints available for service "x"`).
 */
export type ServiceResolver = (service: { namespace: string; name: string; port: number }) => ServiceAddress | ServiceAddress[] | undefined;

/** A resolved webhook endpoint: the URL kube-apiserver would print and the address actually dialled. */
export interface WebhookEndpoint {
  /** `https://host:port/path`, without the timeout query. */
  url: string;
  secure: boolean;
  /** The URL's host (and port, when it has one): the Host header and the name the certificate must carry. */
  authority: string;
  hostname: string;
  dialHost: string;
  dialPort: number;
  /** Further addresses to try when dialling the first is refused (ready endpoints of a service). */
  fallbacks: ServiceAddress[];
  /** Why the service could not be resolved to any address (the call then fails with it). */
  unresolved?: string;
  path: string;
}

/** path.Join of a request path as client-go builds it: rooted, cleaned, no trailing slash. */
function cleanPath(p: string | undefined): string {
  const joined = path.posix.normalize(`/${p ?? ''}`);
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

function restClientError(name: string, reason: string): WebhookCallError {
  // kube-apiserver wraps the client manager's own ErrCallingWebhook once more.
  return new WebhookCallError(name, `could not get REST client: failed calling webhook ${JSON.stringify(name)}: ${reason}`);
}

function serviceEndpoint(cc: WebhookClientConfig, resolver: ServiceResolver | undefined): WebhookEndpoint {
  const svc = cc.service!;
  const port = svc.port ?? 443;
  const hostname = `${svc.name}.${svc.namespace}.svc`;
  const authority = `${hostname}:${port}`;
  const p = cleanPath(svc.path);
  const base = { url: `https://${authority}${p}`, secure: true, authority, hostname, path: p };
  let resolved: ServiceAddress | ServiceAddress[] | undefined;
  try {
    resolved = resolver?.({ namespace: svc.namespace, name: svc.name, port });
  } catch (err) {
    return { ...base, dialHost: hostname, dialPort: port, fallbacks: [], unresolved: (err as Error).message };
  }
  const [first, ...fallbacks] = Array.isArray(resolved) ? resolved : [resolved ?? { host: hostname, port }];
  return { ...base, dialHost: first.host, dialPort: first.port, fallbacks };
}

function urlEndpoint(name: string, raw: string): WebhookEndpoint {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    throw restClientError(name, `Unparsable URL: ${(err as Error).message}`);
  }
  const secure = u.protocol !== 'http:';
  const hostname = u.hostname.replace(/^\[|\]$/g, '');
  const p = cleanPath(decodeURIComponent(u.pathname));
  const dialPort = u.port ? Number(u.port) : secure ? 443 : 80;
  return { url: `${u.protocol}//${u.host}${p}`, secure, authority: u.host, hostname, dialHost: hostname, dialPort, fallbacks: [], path: p };
}

/** Where a webhook's clientConfig points. Throws WebhookCallError for a config without url or service. */
export function resolveEndpoint(name: string, cc: WebhookClientConfig | undefined, resolver?: ServiceResolver): WebhookEndpoint {
  if (cc?.service) return serviceEndpoint(cc, resolver);
  if (!cc?.url) throw restClientError(name, 'webhook configuration must have either service or URL');
  return urlEndpoint(name, cc.url);
}

function caBundlePem(name: string, caBundle: string | undefined): string | undefined {
  if (!caBundle) return undefined;
  const pem = Buffer.from(caBundle, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new WebhookCallError(name, 'could not get REST client: unable to load root certificates: unable to parse bytes as PEM block');
  }
  return pem;
}

// ---------------------------------------------------------------- Go's error texts

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE',
]);

/** x509.HostnameError's text from the certificate's subjectAltName list. */
function hostnameMismatch(err: NodeJS.ErrnoException & { cert?: { subjectaltname?: string } }, host: string): string {
  const sans = (err.cert?.subjectaltname ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (isIP(host)) {
    const ips = sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice('IP Address:'.length));
    if (!ips.length) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${ips.join(', ')}, not ${host}`;
  }
  const names = sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice('DNS:'.length));
  if (!names.length) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${names.join(', ')}, not ${host}`;
}

/** The text Go's net/http and crypto/tls give for a transport failure (after `Post "<url>": `). */
function transportErrorText(err: NodeJS.ErrnoException & { address?: string; port?: number }, ep: WebhookEndpoint): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return `dial tcp ${err.address ?? ep.dialHost}:${err.port ?? ep.dialPort}: connect: connection refused`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${ep.dialHost}: no such host`;
  if (code === 'ECONNRESET' || err.message === 'socket hang up') return 'EOF';
  if (code === 'ETIMEDOUT') return `dial tcp ${ep.dialHost}:${ep.dialPort}: i/o timeout`;
  if (UNKNOWN_AUTHORITY.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: ${hostnameMismatch(err, ep.hostname)}`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  return err.message;
}

/** The message client-go's NewGenericServerResponse gives a non-2xx answer without a Status body. */
function genericServerResponse(code: number, serverMessage: string): string {
  const fixed: Record<number, string> = {
    400: 'the server rejected our request for an unknown reason',
    401: 'the server has asked for the client to provide credentials',
    404: 'the server could not find the requested resource',
    405: 'the server does not allow this method on the requested resource',
    409: 'the server reported a conflict',
    422: 'the server rejected our request due to an error in our request',
    429: 'the server has received too many requests and has asked us to try again later',
    503: 'the server is currently unable to handle the request',
    504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
  };
  if (code === 403 || code === 415) return serverMessage;
  if (fixed[code]) return fixed[code];
  if (code >= 500) return `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`;
  return `the server responded with the status code ${code} but did not return more information`;
}

function isJsonType(contentType: string): boolean {
  return /^application\/(json|[\w.+-]*\+json)\s*(;|$)/i.test(contentType);
}

/** client-go's reading of an answer: the body of a 2xx, or the error text of anything else. */
function interpretAnswer(status: number, contentType: string, text: string): { body?: string; error?: string } {
  if (status < 200 || status > 206) {
    if (isJsonType(contentType)) {
      try {
        const s = JSON.parse(text);
        if (s?.kind === 'Status' && s.status === 'Failure' && typeof s.message === 'string') return { error: s.message };
      } catch {
        // not a Status: fall through to the generic text
      }
    }
    const textual = !contentType || /^text\//i.test(contentType) || isJsonType(contentType);
    return { error: genericServerResponse(status, textual ? text.slice(0, 2048).trim() : 'unknown') };
  }
  if (contentType && !isJsonType(contentType)) return { error: `serializer for ${contentType} doesn't exist` };
  if (!text.length) return { error: `0-length response with status code: ${status} and content type: ${contentType || 'application/json'}` };
  return { body: text };
}

/** One webhook call. */
export interface WebhookPost {
  /** The webhook's name, for error messages. */
  name: string;
  endpoint: WebhookEndpoint;
  caBundle?: string;
  body: string;
  timeoutSeconds: number;
  /** Bearer token presented to the webhook (kube-apiserver's AdmissionConfiguration kubeconfig `user.token`). */
  token?: string;
}

interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * POSTs an AdmissionReview and resolves with the answer's body. Every failure to get a usable
 * answer is a WebhookCallError `failed to call webhook: <reason>` (failurePolicy applies to it).
 */
export async function postReview(call: WebhookPost): Promise<string> {
  const ca = caBundlePem(call.name, call.caBundle);
  const target = `${call.endpoint.url}?timeout=${call.timeoutSeconds}s`;
  if (call.endpoint.unresolved) throw new WebhookCallError(call.name, `failed to call webhook: Post ${JSON.stringify(target)}: ${call.endpoint.unresolved}`);
  let answer: RawAnswer;
  try {
    answer = await send(call, ca);
  } catch (err) {
    const reason = err instanceof DeadlineExceeded ? 'context deadline exceeded' : transportErrorText(err as NodeJS.ErrnoException, call.endpoint);
    throw new WebhookCallError(call.name, `failed to call webhook: Post ${JSON.stringify(target)}: ${reason}`);
  }
  const { body, error } = interpretAnswer(answer.status, answer.contentType, answer.text);
  if (error !== undefined) throw new WebhookCallError(call.name, `failed to call webhook: ${error}`);
  return body!;
}

/**
 * Connections to webhooks are kept alive and reused, as kube-apiserver's HTTP transport does: a
 * TLS handshake per call would cost milliseconds on every admission. Node's agent pools
 * connections per host, port, CA and server name, so a changed caBundle opens new connections.
 */
const keepAliveHttps = new https.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 30_000 });
const keepAliveHttp = new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 30_000 });

/** The webhook did not answer within its timeoutSeconds. */
class DeadlineExceeded extends Error {}

function requestOptions(call: WebhookPost, payload: Buffer, ca: string | undefined): https.RequestOptions {
  const ep = call.endpoint;
  const options: https.RequestOptions = {
    method: 'POST', host: ep.dialHost, port: ep.dialPort, path: `${ep.path}?timeout=${call.timeoutSeconds}s`,
    agent: ep.secure ? keepAliveHttps : keepAliveHttp,
    headers: {
      Host: ep.authority, 'Content-Type': 'application/json', Accept: 'application/json, */*',
      'Content-Length': String(payload.length), 'User-Agent': 'kube-apiserver-admission',
      ...(call.token ? { Authorization: `Bearer ${call.token}` } : {}),
    },
  };
  if (!ep.secure) return options;
  if (ca) options.ca = ca;
  // SNI and the certificate check use the URL's host name even when another address is dialled.
  if (!isIP(ep.hostname)) options.servername = ep.hostname;
  else if (ep.dialHost !== ep.hostname) options.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(ep.hostname, cert);
  return options;
}

/** Errors that mean nothing listens at an address: the request never reached a webhook. */
const NOT_LISTENING = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Sends to the endpoint's address, then to each fallback while the previous one refused the connection. */
async function send(call: WebhookPost, ca: string | undefined): Promise<RawAnswer> {
  const { dialHost, dialPort, fallbacks } = call.endpoint;
  const addresses = [{ host: dialHost, port: dialPort }, ...fallbacks];
  for (let i = 0; ; i++) {
    const at = { ...call, endpoint: { ...call.endpoint, dialHost: addresses[i].host, dialPort: addresses[i].port } };
    try {
      return await sendReusing(at, ca);
    } catch (err) {
      if (i + 1 >= addresses.length || !NOT_LISTENING.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
}

/** Sends once, and once more when a reused keep-alive connection turned out to be closed. */
async function sendReusing(call: WebhookPost, ca: string | undefined): Promise<RawAnswer> {
  try {
    return await sendOnce(call, ca);
  } catch (err) {
    if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') return sendOnce(call, ca);
    throw err;
  }
}

function sendOnce(call: WebhookPost, ca: string | undefined): Promise<RawAnswer> {
  const payload = Buffer.from(call.body);
  const options = requestOptions(call, payload, ca);
  return new Promise<RawAnswer>((resolve, reject) => {
    let expired = false;
    const fail = (err: unknown) => reject(expired ? new DeadlineExceeded() : err);
    const req = (call.endpoint.secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => {
      expired = true;
      req.destroy(new DeadlineExceeded());
    }, call.timeoutSeconds * 1000);
    req.on('error', (err) => {
      clearTimeout(timer);
      fail(Object.assign(err, { reusedSocket: req.reusedSocket }));
    });
    req.end(payload);
  });
}
