/**
 * VNC in the browser: noVNC speaks RFB over a WebSocket; a plain RFB server listens on TCP. The
 * bridge joins the two (binary frames ↔ bytes), with backpressure both ways, and reads the
 * client's bytes with an {@link RfbInputReader} so that only user input counts as activity in
 * `input` mode (any client or server bytes in `traffic` mode).
 */
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RfbInputReader } from './rfb-input.ts';
import type { Backend } from './session-directory.ts';
import type { IdleSignal } from './activity.ts';

/** Pause reading from the TCP side while this much is queued towards the browser. */
const HIGH_WATER = 4 * 1024 * 1024;

/** Hooks of one bridged connection. */
export interface BridgeHooks {
  signal: IdleSignal;
  /** Activity to record (input, or traffic in traffic mode). */
  onActivity(): void;
  onBytes(direction: 'in' | 'out', count: number): void;
  /** The RFB server sent its first bytes. */
  onFirstByte(): void;
  onClose(): void;
}

/** Accepts WebSocket upgrades and bridges each to a session's RFB port. */
export class VncBridge {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });

  /** Completes the upgrade of `req` and bridges it to `backend`. */
  bridge(req: IncomingMessage, socket: Duplex, head: Buffer, backend: Backend, hooks: BridgeHooks): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#join(ws, backend, hooks));
  }

  #join(ws: WebSocket, backend: Backend, hooks: BridgeHooks): void {
    const tcp = net.connect({ host: backend.host, port: backend.port });
    tcp.setNoDelay(true);
    const reader = new RfbInputReader();
    let first = true;
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      tcp.destroy();
      ws.terminate();
      hooks.onClose();
    };
    tcp.on('data', (chunk: Buffer) => {
      if (first) { first = false; hooks.onFirstByte(); }
      hooks.onBytes('out', chunk.length);
      if (hooks.signal === 'traffic') hooks.onActivity();
      ws.send(chunk, { binary: true });
      if (ws.bufferedAmount > HIGH_WATER) {
        tcp.pause();
        const resume = (): void => { if (ws.bufferedAmount <= HIGH_WATER / 2 || closed) tcp.resume(); else setTimeout(resume, 10); };
        setTimeout(resume, 10);
      }
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const chunk = isBinary ? data : Buffer.from(data);
      hooks.onBytes('in', chunk.length);
      const inputs = reader.push(chunk);
      if (inputs > 0 || hooks.signal === 'traffic') hooks.onActivity();
      if (!tcp.write(chunk)) {
        ws.pause();
        tcp.once('drain', () => ws.resume());
      }
    });
    tcp.on('error', close).on('close', close);
    ws.on('error', close).on('close', close);
  }

  close(): void {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }
}
