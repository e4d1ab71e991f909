/**
 * A minimal RFB 3.8 server (no security) standing in for a session's VNC server, and the client
 * messages noVNC sends, for the VNC bridge and idle-signal tests.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A fake VNC server: completes the handshake and counts the client bytes it receives after it. */
export interface FakeRfbServer {
  port: number;
  /** Client bytes received after ClientInit. */
  received(): number;
  close(): Promise<void>;
}

function serverInit(): Buffer {
  const name = Buffer.from('fake');
  const b = Buffer.alloc(24 + name.length);
  b.writeUInt16BE(640, 0);
  b.writeUInt16BE(480, 2);
  // Pixel format: 32 bpp, depth 24, little endian, true colour, 255 max per channel, shifts 16/8/0.
  Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(b, 4);
  b.writeUInt32BE(name.length, 20);
  name.copy(b, 24);
  return b;
}

/** Starts the fake server on 127.0.0.1. */
export async function startFakeRfb(): Promise<FakeRfbServer> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let stage = 0;
    let buffered = Buffer.alloc(0);
    socket.write('RFB 003.008\n');
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // Handshake steps: the client's version (12 bytes), its security choice (1), ClientInit (1).
      while (stage < 3 && buffered.length >= [12, 1, 1][stage]) {
        buffered = buffered.subarray([12, 1, 1][stage]);
        socket.write([Buffer.from([1, 1]), Buffer.from([0, 0, 0, 0]), serverInit()][stage]);
        stage++;
      }
      if (stage === 3) {
        count += buffered.length;
        buffered = Buffer.alloc(0);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The client's handshake: version, security type None, ClientInit (shared). */
export const CLIENT_HANDSHAKE = [Buffer.from('RFB 003.008\n'), Buffer.from([1]), Buffer.from([1])];

/** A FramebufferUpdateRequest (incremental, whole 640×480 screen): what an open, untouched tab sends. */
export function updateRequest(): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 3;
  b[1] = 1;
  b.writeUInt16BE(640, 6);
  b.writeUInt16BE(480, 8);
  return b;
}

/** A KeyEvent (down or up) for X keysym `keysym`. */
export function keyEvent(keysym: number, down: boolean): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 4;
  b[1] = down ? 1 : 0;
  b.writeUInt32BE(keysym, 4);
  return b;
}
