/**
 * A minimal RFB (VNC) client for tests and benchmarks: the 3.8 handshake with security None,
 * ServerInit, key and pointer events, and waiting for the first FramebufferUpdate.
 */
import net from 'node:net';

/** What ServerInit said. */
export interface ServerInit {
  width: number;
  height: number;
  name: string;
}

/** An RFB connection after its handshake. */
export class RfbClient {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private closed: Error | undefined;
  init: ServerInit = { width: 0, height: 0, name: '' };

  private readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = new Error('RFB connection closed');
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  /** True once the server closed the connection. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** Connects and completes ProtocolVersion, security None and ClientInit/ServerInit. */
  static async connect(host: string, port: number): Promise<RfbClient> {
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RfbClient(socket);
    const version = (await c.read(12)).toString('latin1');
    if (!/^RFB 003\.\d{3}\n$/.test(version)) throw new Error(`not an RFB server: ${JSON.stringify(version)}`);
    socket.write('RFB 003.008\n');
    const types = [...(await c.read((await c.read(1))[0]!))];
    if (!types.includes(1)) throw new Error(`security None not offered (${types.join(',')})`);
    socket.write(Buffer.from([1]));
    const result = (await c.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error(`security result ${result}`);
    socket.write(Buffer.from([1])); // ClientInit: shared
    const head = await c.read(24);
    const name = (await c.read(head.readUInt32BE(20))).toString('utf8');
    c.init = { width: head.readUInt16BE(0), height: head.readUInt16BE(2), name };
    return c;
  }

  private async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.closed) throw this.closed;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** Asks for the whole screen and resolves when the first FramebufferUpdate message starts. */
  async firstFramebufferUpdate(): Promise<number> {
    const req = Buffer.alloc(10);
    req.writeUInt8(3, 0);
    req.writeUInt16BE(this.init.width, 6);
    req.writeUInt16BE(this.init.height, 8);
    this.socket.write(req);
    for (;;) {
      const type = (await this.read(1))[0];
      if (type === 0) return (await this.read(3)).readUInt16BE(1);
      if (type === 2) continue; // Bell
      throw new Error(`unexpected server message ${type}`);
    }
  }

  pointer(x: number, y: number, mask = 0): void {
    const m = Buffer.alloc(6);
    m.writeUInt8(5, 0);
    m.writeUInt8(mask, 1);
    m.writeUInt16BE(x, 2);
    m.writeUInt16BE(y, 4);
    this.socket.write(m);
  }

  key(keysym: number, down: boolean): void {
    const m = Buffer.alloc(8);
    m.writeUInt8(4, 0);
    m.writeUInt8(down ? 1 : 0, 1);
    m.writeUInt32BE(keysym, 4);
    this.socket.write(m);
  }

  /** Types ASCII text (keysyms equal the Latin-1 codes), then Return when `enter`. */
  type(text: string, enter = true): void {
    for (const ch of text) {
      this.key(ch.charCodeAt(0), true);
      this.key(ch.charCodeAt(0), false);
    }
    if (enter) {
      this.key(0xff0d, true);
      this.key(0xff0d, false);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
