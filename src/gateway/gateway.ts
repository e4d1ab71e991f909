/**
 * The session gateway: every request or WebSocket for a session address (session-address.ts)
 * is checked, woken if need be, and forwarded to the session's Service Endpoints:
 *
 *   framing and path checks → which session → who (gateway-auth.ts) → may they → wake if
 *   hibernated (waker.ts, one write) → ready? forward (proxy.ts, vnc-bridge.ts)
 *                                      not ready? browser: waiting page with live progress;
 *                                                 program: held, then 503 + Retry-After
 *
 * Refusals are pages (refusal.ts), counted by reason, and those about who may enter are
 * audited. The gateway runs on its own (`streamspace gateway`) or inside the API's server
 * (`streamspace up`, under /s/), sharing its authenticator, audit log and heartbeat coalescer.
 */
import type { SessionRouterFactory } from '../api/session-router.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Authenticator } from '../api/auth/authenticator.ts';
import type { Repository } from '../api/db/repository.ts';
import type { ClusterView } from '../api/kube/cluster-view.ts';
import { ActivityRecorder, type ActivitySink } from './activity.ts';
import { authenticate, authorize, type Caller } from './gateway-auth.ts';
import { checkFraming, type ForwardContext } from './forward-headers.ts';
import { GatewayMetrics, type ConnectionKind } from './metrics.ts';
import { noVncBundle, viewerPage } from './novnc.ts';
import { progressOf, streamProgress, waitingPage } from './progress.ts';
import { forwardHttp, forwardUpgrade, type ForwardHooks } from './proxy.ts';
import { Refusal, refuseUpgrade, sendRefusal, wantsHtml } from './refusal.ts';
import { isGatewayRequest, readAddress, RESERVED_PREFIX, type AddressMode, type SessionAddress } from './session-address.ts';
import { SessionDirectory, type Backend, type SessionRecord, type TemplateInfo } from './session-directory.ts';
import { VncBridge } from './vnc-bridge.ts';
import { Waker } from './waker.ts';

/** Options of {@link Gateway}. */
export interface GatewayOptions {
  view: ClusterView;
  authenticator: Authenticator;
  /** For the audit log of refusals and wakes. */
  repo: Repository;
  /** Where activity goes (the API's heartbeat coalescer). */
  activity: ActivitySink;
  logger: Logger;
  registry: Registry;
  /** Path mode (`/s/{session}/`, default) or host mode (`{session}.{domain}`). */
  mode?: AddressMode;
  /** How long a program's request to a waking session is held before 503 (default 60 s). */
  holdTimeoutMs?: number;
  /** Paths of web apps that are background polling, not a person (input idle signal). */
  backgroundPaths?: RegExp[];
  /** Where the 401 page sends people to sign in (default `/`). */
  loginUrl?: string;
}

/** A request the gateway accepted: whose, for which session, and where in it. */
interface Admitted {
  caller: Caller;
  record: SessionRecord;
  address: SessionAddress;
  info: TemplateInfo;
}

const RETRY_AFTER_SECONDS = 5;

function notReady(name: string): Refusal {
  return new Refusal(503, 'not-ready', 'Workspace still starting', `Workspace ${name} is starting; try again in a few seconds.`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
}

/** An AbortSignal that fires when the client goes away. */
function closeSignal(target: { once(event: 'close', listener: () => void): unknown }): AbortSignal {
  const abort = new AbortController();
  target.once('close', () => abort.abort());
  return abort.signal;
}

/** See the module comment. */
export class Gateway {
  readonly directory: SessionDirectory;
  readonly metrics: GatewayMetrics;
  readonly mode: AddressMode;
  readonly #o: GatewayOptions;
  readonly #waker: Waker;
  readonly #bridge = new VncBridge();
  readonly #activity: ActivityRecorder;

  constructor(opts: GatewayOptions) {
    this.#o = opts;
    this.mode = opts.mode ?? { kind: 'path' };
    this.directory = new SessionDirectory(opts.view, opts.logger);
    this.metrics = new GatewayMetrics(opts.registry);
    this.#waker = new Waker(opts.view, this.metrics, opts.logger);
    this.#activity = new ActivityRecorder(opts.activity, opts.backgroundPaths);
  }

  /** Starts the gateway's own informers (the view is started by its owner). */
  start(): void {
    this.directory.start();
  }

  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.directory.waitForSync(signal);
  }

  async stop(): Promise<void> {
    this.#bridge.close();
    await this.directory.stop();
  }

  /** True when `req` is for the gateway (routes the API's port between the API and the gateway). */
  matches(req: IncomingMessage): boolean {
    return isGatewayRequest(req, this.mode);
  }

  /** Answers an HTTP request. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#request(req, res).catch((err: unknown) => this.#failed(req, err, (r) => sendRefusal(req, res, r, this.#loginUrl)));
  }

  /** Answers a WebSocket upgrade. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.#upgrade(req, socket, head).catch((err: unknown) => this.#failed(req, err, (r) => refuseUpgrade(req, socket, r, this.#loginUrl)));
  }

  get #loginUrl(): string {
    return this.#o.loginUrl ?? '/';
  }

  #failed(req: IncomingMessage, err: unknown, answer: (r: Refusal) => void): void {
    if (!(err instanceof Refusal)) {
      this.#o.logger.error({ err: String(err), url: req.url }, 'Gateway request failed');
      answer(new Refusal(500, 'backend-unreachable', 'Something went wrong', 'The gateway could not handle this request. Try again in a moment.'));
      return;
    }
    this.metrics.refusals.inc({ reason: err.reason });
    answer(err);
  }

  /** Audits a refusal about who may enter, or a wake (with what was known when it happened). */
  #audit(req: IncomingMessage, what: { action: string; result: number; actor: string; target?: string; detail?: string }): void {
    const entry = { ...what, sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '') };
    this.#o.repo.audit.append(entry).catch((err: unknown) => this.#o.logger.error({ err: String(err), entry }, 'Failed to write gateway audit entry'));
  }

  /** Everything before forwarding: checks, session, caller, permission. Throws a Refusal. */
  async #admit(req: IncomingMessage): Promise<Admitted | { redirect: string }> {
    checkFraming(req);
    const verdict = readAddress(req, this.mode);
    if (verdict.kind === 'other') throw new Refusal(404, 'not-a-session-address', 'Not found', 'This address is not a StreamSpace workspace.');
    if (verdict.kind === 'redirect') return { redirect: verdict.location };
    const { address } = verdict;
    let caller: Caller;
    try {
      caller = await authenticate(this.#o.authenticator, req);
    } catch (err) {
      if (err instanceof Refusal) this.#audit(req, { action: 'gateway.refuse', result: err.status, actor: 'anonymous', target: address.key, detail: `${err.reason}: ${err.message}` });
      throw err;
    }
    const record = address.by === 'name' ? this.directory.byName(address.key) : this.directory.byHostLabel(address.key);
    if (!record) throw new Refusal(404, 'no-such-session', 'No such workspace', `There is no workspace called ${address.key}.`);
    try {
      authorize(caller.identity, record);
    } catch (err) {
      if (err instanceof Refusal) this.#audit(req, { action: 'gateway.refuse', result: err.status, actor: caller.identity.username, target: record.name, detail: `${err.reason}: ${err.message}` });
      throw err;
    }
    if (record.state === 'terminated' || record.phase === 'Terminated') {
      throw new Refusal(410, 'session-terminated', 'Workspace ended', `Workspace ${record.name} was terminated. Start a new one from the catalog.`);
    }
    const info = this.directory.templateInfo(record) ?? { vncRfb: false, webApp: false, idleSignal: 'input' as const };
    return { caller, record, address, info };
  }

  /** Wakes the session if it sleeps; true when this call found it asleep. */
  async #wake(req: IncomingMessage, a: Admitted): Promise<boolean> {
    if (a.record.state !== 'hibernated') return false;
    const actor = a.caller.identity.username;
    await this.#waker.wake(a.record, () => this.#audit(req, { action: 'session.wake', result: 202, actor, target: a.record.name, detail: 'woken by a connection to the gateway' }));
    return true;
  }

  /** The session's address, waiting up to the hold time for a waking one; 503 when it does not come. */
  async #heldBackend(a: Admitted, client: { once(event: 'close', listener: () => void): unknown }): Promise<Backend> {
    const hold = this.#o.holdTimeoutMs ?? 60_000;
    const backend = this.directory.backend(a.record) ?? await this.directory.waitForBackend(a.record.name, hold, closeSignal(client));
    if (!backend) throw notReady(a.record.name);
    return backend;
  }

  #context(a: Admitted): ForwardContext {
    return { caller: a.caller, prefix: a.address.prefix, forwardToken: a.info.webApp, proxyIdentityHeaders: [] };
  }

  #count(kind: ConnectionKind): () => void {
    this.metrics.connections.inc({ kind });
    if (kind === 'http') return () => undefined;
    this.metrics.openConnections.inc({ kind });
    let open = true;
    return () => { if (open) { open = false; this.metrics.openConnections.dec({ kind }); } };
  }

  async #request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const admitted = await this.#admit(req);
    if ('redirect' in admitted) {
      res.writeHead(308, { location: admitted.redirect, 'content-length': 0 }).end();
      return;
    }
    const a = admitted;
    const { path } = a.address;
    if (path.startsWith(RESERVED_PREFIX)) return this.#reserved(req, res, a);
    const waking = await this.#wake(req, a);
    let backend = this.directory.backend(a.record);
    if (!backend && req.method === 'GET' && wantsHtml(req)) {
      const html = waitingPage(a.record.name, progressOf(this.directory, a.record.name), a.address.prefix);
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(RETRY_AFTER_SECONDS) }).end(html);
      return;
    }
    backend ??= await this.#heldBackend(a, res);
    if (a.info.vncRfb) return this.#viewer(req, res, a);
    this.#activity.httpRequest(a.record.name, a.info.idleSignal, path);
    this.#count('http');
    const name = a.record.name;
    const hooks: ForwardHooks = {
      onResponse: () => {
        if (waking) this.#waker.firstByte(name);
        else this.metrics.proxyLatency.observe((performance.now() - started) / 1000);
      },
      onBytes: (direction, n) => this.metrics.bytes.inc({ direction }, n),
    };
    const onError = (r: Refusal): void => { this.metrics.refusals.inc({ reason: r.reason }); sendRefusal(req, res, r, this.#loginUrl); };
    forwardHttp({ req, backend, path, ctx: this.#context(a), hooks, onError }, res);
  }

  /** The gateway's own paths inside a session address. */
  #reserved(req: IncomingMessage, res: ServerResponse, a: Admitted): void {
    const what = a.address.path.slice(RESERVED_PREFIX.length).split('?', 1)[0];
    if (what === 'progress') {
      void this.#wake(req, a).catch((err: unknown) => this.#o.logger.warn({ err: String(err), session: a.record.name }, 'Wake failed'));
      streamProgress(this.directory, a.record.name, res);
      return;
    }
    if (what === 'novnc.js' && a.info.vncRfb) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'private, max-age=3600' }).end(noVncBundle());
      return;
    }
    throw new Refusal(404, 'bad-path', 'Not found', 'There is nothing at this address.');
  }

  /** A VNC desktop's only page: the noVNC viewer at the session's root. */
  #viewer(req: IncomingMessage, res: ServerResponse, a: Admitted): void {
    if (a.address.path.split('?', 1)[0] !== '/') throw new Refusal(404, 'bad-path', 'Not found', 'A desktop workspace has no page at this address; open its root address.');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : viewerPage(a.record.name));
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const admitted = await this.#admit(req);
    if ('redirect' in admitted) throw new Refusal(404, 'bad-path', 'Not found', 'WebSocket addresses must be inside a session address.');
    const a = admitted;
    const vncPath = a.address.path.split('?', 1)[0] === `${RESERVED_PREFIX}vnc`;
    if (vncPath !== a.info.vncRfb) throw new Refusal(404, 'bad-path', 'Not found', 'There is no WebSocket at this address.');
    const waking = await this.#wake(req, a);
    const backend = await this.#heldBackend(a, socket);
    const name = a.record.name;
    const signal = a.info.idleSignal;
    if (vncPath) {
      const done = this.#count('vnc');
      this.#bridge.bridge(req, socket, head, backend, {
        signal,
        onActivity: () => this.#activity.record(name),
        onBytes: (direction, n) => this.metrics.bytes.inc({ direction }, n),
        onFirstByte: () => { if (waking) this.#waker.firstByte(name); },
        onClose: done,
      });
      return;
    }
    const done = this.#count('websocket');
    socket.once('close', done);
    const hooks: ForwardHooks = {
      onResponse: () => { if (waking) this.#waker.firstByte(name); },
      onBytes: (direction, n) => {
        this.metrics.bytes.inc({ direction }, n);
        if (signal === 'traffic') this.#activity.record(name);
      },
      onClientData: () => this.#activity.record(name),
    };
    const onError = (r: Refusal): void => { this.metrics.refusals.inc({ reason: r.reason }); refuseUpgrade(req, socket, r, this.#loginUrl); };
    forwardUpgrade({ req, backend, path: a.address.path, ctx: this.#context(a), hooks, onError }, socket, head);
  }
}

/** The gateway served on the API's port, as `startApiServer({ gateway })` takes it (../api/session-router.ts). */
export function gatewayOnApiPort(opts: Pick<GatewayOptions, 'mode' | 'holdTimeoutMs' | 'backgroundPaths' | 'loginUrl'> = {}): SessionRouterFactory {
  return { mode: opts.mode ?? { kind: 'path' }, create: (parts) => new Gateway({ ...opts, ...parts }) };
}
