/**
 * An open-loop HTTP/1.1 load generator for the API benchmarks, over raw keep-alive TCP sockets.
 *
 * Open loop: request i is due at start + i / rate whether or not earlier ones have answered,
 * and its latency runs from that due time to the end of its answer, so a stall anywhere (the
 * server, the network, this process) shows up as the queueing a client would see; a request
 * due while every connection is busy waits in a queue, and that wait counts too.
 *
 * Why raw sockets: node:http's client costs about 20 % of a core at 2,000 requests/s and
 * allocates enough to collect garbage every few dozen milliseconds; on a 2-core machine shared
 * with the server under test that is CPU taken from the server and pauses added to the figures.
 * Here the request bytes are built once, and an answer is read by its status line and
 * Content-Length without building objects for it (undici's Pool measured no better than
 * node:http). Requests are not pipelined: a connection carries one request at a time.
 */
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

/** The bytes of a request without a body (built once, sent many times). */
export function requestBytes(url: string, method: string, path: string, headers: Record<string, string> = {}): Buffer {
  const { host } = new URL(url);
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${host}`, 'content-length: 0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** The Content-Length of a response head (latin1), or -1 when it has none. */
function contentLength(head: string): number {
  const m = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  return m ? Number(m[1]) : -1;
}

/** One keep-alive connection: sends a request, calls back with the status of its answer. */
class Connection {
  readonly socket: net.Socket;
  /** Status of the answer, or 0 when the connection failed before answering. */
  onAnswer: (conn: Connection, status: number) => void = () => undefined;
  /** The connection closed (after its answer, if a request was in flight). */
  onClose: (conn: Connection) => void = () => undefined;
  due = 0;
  sentAt = 0;
  #busy = false;
  #buffered: Buffer | null = null;
  /** Bytes of the whole answer once its head is read, else -1. */
  #need = -1;
  #status = 0;
  #closing = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closing = true;
      if (this.#busy) this.#finish(0);
      this.onClose(this);
    });
  }

  get alive(): boolean {
    return !this.#closing && !this.socket.destroyed;
  }

  send(bytes: Buffer, due: number): void {
    this.#busy = true;
    this.due = due;
    this.sentAt = performance.now();
    this.socket.write(bytes);
  }

  #read(chunk: Buffer): void {
    this.#buffered = this.#buffered ? Buffer.concat([this.#buffered, chunk]) : chunk;
    if (this.#need < 0) {
      const end = this.#buffered.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.#buffered.toString('latin1', 0, end);
      const length = contentLength(head);
      // Answers without a length (chunked, or read to the end) are not expected from the API: fail them.
      if (length < 0 || !head.startsWith('HTTP/1.1 ')) return this.#abandon();
      this.#status = Number(head.slice(9, 12));
      this.#closing = /\r\nconnection:[ \t]*close/i.test(head);
      this.#need = end + HEAD_END.length + length;
    }
    if (this.#buffered.length < this.#need) return;
    if (this.#buffered.length > this.#need) return this.#abandon(); // more than one answer to one request
    this.#buffered = null;
    this.#need = -1;
    this.#finish(this.#status);
  }

  #abandon(): void {
    this.#closing = true;
    this.socket.destroy();
  }

  #finish(status: number): void {
    this.#busy = false;
    this.onAnswer(this, status);
  }
}

function connect(url: string): Promise<Connection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    socket.once('connect', () => resolve(new Connection(socket)));
    socket.once('error', reject);
  });
}

/** What {@link LoadConnections.run} measured. */
export interface OpenLoopResult {
  /** Due time to the end of the answer (ms), one per request answered with the expected status. */
  latencies: Float64Array;
  /** Actual send to the end of the answer (ms), same requests: the latency without the wait to leave. */
  serviceTimes: Float64Array;
  /** Due time of each of those requests, ms after the start. */
  dueAt: Float64Array;
  /** Requests answered with another status, or whose connection failed. */
  failures: number;
  /** Seconds from the first due time to the last answer. */
  elapsed: number;
  /** performance.now() of the first due time. */
  startedAt: number;
}

/** Options of {@link LoadConnections.run}. */
export interface OpenLoopOptions {
  /** Requests per second. */
  rate: number;
  seconds: number;
  /** The requests, sent in turn (the i-th request sent is `requests[i % requests.length]`). */
  requests: Buffer[];
  /** The status that counts as success. */
  expectStatus: number;
}

/** Keep-alive connections to one server, reused across runs; a closed one is replaced. */
export class LoadConnections {
  readonly #url: string;
  #conns = new Set<Connection>();
  /** Where a connection goes when it is (again) free: the current run, if any. */
  #onFree: (conn: Connection) => void = () => undefined;

  private constructor(url: string) {
    this.#url = url;
  }

  /** Opens `size` connections to `url`. */
  static async open(url: string, size: number): Promise<LoadConnections> {
    const pool = new LoadConnections(url);
    await Promise.all(Array.from({ length: size }, () => pool.#add()));
    return pool;
  }

  async #add(): Promise<void> {
    const conn = await connect(this.#url);
    conn.onClose = (c) => {
      if (!this.#conns.delete(c)) return;
      this.#add().catch(() => undefined); // the next run, or this one, gets the replacement
    };
    this.#conns.add(conn);
    this.#onFree(conn);
  }

  /** Runs `opts.rate` requests/s for `opts.seconds`, open loop (see the module comment). */
  async run(opts: OpenLoopOptions): Promise<OpenLoopResult> {
    const run = new OpenLoopRun(opts);
    this.#onFree = (conn) => run.adopt(conn);
    for (const conn of this.#conns) if (conn.alive) run.adopt(conn, false);
    try {
      return await run.start();
    } finally {
      this.#onFree = () => undefined;
    }
  }

  close(): void {
    const conns = [...this.#conns];
    this.#conns.clear();
    for (const c of conns) c.socket.destroy();
  }
}

/** One open-loop run (see {@link LoadConnections.run}). */
class OpenLoopRun {
  readonly #o: OpenLoopOptions;
  readonly #total: number;
  readonly #interval: number;
  readonly #latencies: Float64Array;
  readonly #serviceTimes: Float64Array;
  readonly #dueAt: Float64Array;
  readonly #free: Connection[] = [];
  /** Due times of requests waiting for a free connection, oldest first (from #waitingHead). */
  #waiting: number[] = [];
  #waitingHead = 0;
  #sent = 0;
  #answered = 0;
  #failures = 0;
  #next = 0;
  #start = 0;
  #resolve: (r: OpenLoopResult) => void = () => undefined;

  constructor(opts: OpenLoopOptions) {
    this.#o = opts;
    this.#total = Math.round(opts.rate * opts.seconds);
    this.#interval = 1000 / opts.rate;
    this.#latencies = new Float64Array(this.#total);
    this.#serviceTimes = new Float64Array(this.#total);
    this.#dueAt = new Float64Array(this.#total);
  }

  start(): Promise<OpenLoopResult> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#start = performance.now() + 1;
      setTimeout(() => this.#tick(), 1);
    });
  }

  /** Takes `conn` as a free connection of this run. */
  adopt(conn: Connection, drain = true): void {
    conn.onAnswer = (c, status) => this.#answer(c, status);
    this.#free.push(conn);
    if (drain) this.#drain();
  }

  /** Queues every request already due and sends what it can, then sleeps until the next one is due. */
  #tick(): void {
    const now = performance.now();
    while (this.#next < this.#total && this.#start + this.#next * this.#interval <= now) this.#waiting.push(this.#start + this.#next++ * this.#interval);
    this.#drain();
    if (this.#next < this.#total) setTimeout(() => this.#tick(), Math.max(0, this.#start + this.#next * this.#interval - performance.now()));
  }

  #drain(): void {
    while (this.#waitingHead < this.#waiting.length && this.#free.length) {
      const conn = this.#free.pop()!; // the most recently used: the fewest connections stay busy
      if (!conn.alive) continue; // its replacement is adopted when it connects
      conn.send(this.#o.requests[this.#sent++ % this.#o.requests.length], this.#waiting[this.#waitingHead++]);
    }
    if (this.#waitingHead > 4096) {
      this.#waiting = this.#waiting.slice(this.#waitingHead);
      this.#waitingHead = 0;
    }
  }

  #answer(conn: Connection, status: number): void {
    const now = performance.now();
    if (status === this.#o.expectStatus) {
      const i = this.#answered++;
      this.#latencies[i] = now - conn.due;
      this.#serviceTimes[i] = now - conn.sentAt;
      this.#dueAt[i] = conn.due - this.#start;
    } else this.#failures++;
    if (this.#answered + this.#failures === this.#total) return this.#done(now);
    if (conn.alive) this.#free.push(conn);
    this.#drain();
  }

  #done(now: number): void {
    const n = this.#answered;
    this.#resolve({
      latencies: this.#latencies.subarray(0, n), serviceTimes: this.#serviceTimes.subarray(0, n), dueAt: this.#dueAt.subarray(0, n),
      failures: this.#failures, elapsed: (now - this.#start) / 1000, startedAt: this.#start,
    });
  }
}
