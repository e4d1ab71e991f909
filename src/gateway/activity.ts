/**
 * The idle signal. Each template says what keeps its sessions awake (`idleSignal`):
 * - `input` (default): only what a person does. For VNC desktops, client KeyEvent and
 *   PointerEvent messages (rfb-input.ts), not screen update requests from an open tab; for web
 *   apps, requests and WebSocket messages from the client, except paths configured as
 *   background polling;
 * - `traffic`: any bytes either way (for sessions running long jobs a person watches).
 * Activity goes to the API's heartbeat coalescer, which writes status.lastActivity at most once
 * per session per flush.
 */

/** Where activity goes (the API's HeartbeatCoalescer). */
export interface ActivitySink {
  record(session: string, atMs: number): void;
}

/** What keeps a session awake. */
export type IdleSignal = 'input' | 'traffic';

/** Records activity of sessions. */
export class ActivityRecorder {
  readonly #sink: ActivitySink;
  readonly #backgroundPaths: RegExp[];

  constructor(sink: ActivitySink, backgroundPaths: RegExp[] = []) {
    this.#sink = sink;
    this.#backgroundPaths = backgroundPaths;
  }

  /** The user did something in `session`. */
  record(session: string): void {
    this.#sink.record(session, Date.now());
  }

  /** An HTTP request to a web app: counts unless it is background polling (in input mode). */
  httpRequest(session: string, signal: IdleSignal, path: string): void {
    if (signal === 'input' && this.#backgroundPaths.some((re) => re.test(path))) return;
    this.record(session);
  }
}
