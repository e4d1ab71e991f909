/**
 * Reads the client's half of an RFB (VNC) connection to tell user input from the rest. Only
 * KeyEvent, PointerEvent, QEMU extended key events and ClientCutText (a paste) are input; an
 * open tab that only asks for screen updates (FramebufferUpdateRequest), or a resize
 * (SetDesktopSize), is not. The reader follows RFB 3.7/3.8 (RFC 6143) through the handshake:
 * version, security type choice (with the VNC-authentication response), ClientInit, then the
 * client message stream. A message it cannot size (an unknown type, or a security type whose
 * handshake it does not know) stops it: from then on it reports nothing rather than guess.
 */

type Stage = 'version' | 'security' | 'vnc-auth' | 'init' | 'messages' | 'lost';

/** Sizes of fixed-size client messages by type, and whether each is user input. */
const FIXED: Record<number, { size: number; input: boolean }> = {
  0: { size: 20, input: false }, // SetPixelFormat
  3: { size: 10, input: false }, // FramebufferUpdateRequest
  4: { size: 8, input: true }, // KeyEvent
  5: { size: 6, input: true }, // PointerEvent
  150: { size: 10, input: false }, // EnableContinuousUpdates
};

/** Counts user input messages in the client → server byte stream of one RFB connection. */
export class RfbInputReader {
  #stage: Stage = 'version';
  #buffer: Buffer = Buffer.alloc(0);
  #version38 = true;

  /** True once the reader could not follow the stream any more. */
  get lost(): boolean {
    return this.#stage === 'lost';
  }

  /** Feeds client bytes; returns how many input messages they completed. */
  push(chunk: Buffer): number {
    if (this.#stage === 'lost') return 0;
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    let inputs = 0;
    for (;;) {
      const step = this.#step();
      if (step === undefined) break;
      this.#buffer = this.#buffer.subarray(step.consumed);
      if (step.input) inputs++;
    }
    return inputs;
  }

  /** Consumes one unit (handshake step or message) when complete; undefined when more bytes are needed. */
  #step(): { consumed: number; input: boolean } | undefined {
    const b = this.#buffer;
    switch (this.#stage) {
      case 'version': {
        if (b.length < 12) return undefined;
        const version = b.subarray(0, 12).toString('latin1');
        if (!/^RFB 003\.00[78]\n$/.test(version)) return this.#lose();
        this.#version38 = version.endsWith('8\n');
        this.#stage = 'security';
        return { consumed: 12, input: false };
      }
      case 'security': {
        if (b.length < 1) return undefined;
        if (b[0] === 1) this.#stage = 'init';
        else if (b[0] === 2) this.#stage = 'vnc-auth';
        else return this.#lose();
        return { consumed: 1, input: false };
      }
      case 'vnc-auth':
        if (b.length < 16) return undefined;
        this.#stage = 'init';
        return { consumed: 16, input: false };
      case 'init':
        if (b.length < 1) return undefined;
        this.#stage = 'messages';
        return { consumed: 1, input: false };
      case 'messages': return this.#message(b);
      default: return undefined;
    }
  }

  #message(b: Buffer): { consumed: number; input: boolean } | undefined {
    if (b.length < 1) return undefined;
    const type = b[0];
    const fixed = FIXED[type];
    if (fixed) return b.length < fixed.size ? undefined : { consumed: fixed.size, input: fixed.input };
    const need = (n: number): boolean => b.length >= n;
    switch (type) {
      case 2: // SetEncodings
        if (!need(4)) return undefined;
        return this.#sized(b, 4 + 4 * b.readUInt16BE(2), false);
      case 6: // ClientCutText: a negative length is the extended-clipboard form, sized by its absolute value
        if (!need(8)) return undefined;
        return this.#sized(b, 8 + Math.abs(b.readInt32BE(4)), true);
      case 248: // ClientFence
        if (!need(9)) return undefined;
        return this.#sized(b, 9 + b[8], false);
      case 251: // SetDesktopSize
        if (!need(8)) return undefined;
        return this.#sized(b, 8 + 16 * b[6], false);
      case 255: // QEMU: extended key event (sub-type 0) is the only one sized here
        if (!need(2)) return undefined;
        return b[1] === 0 ? this.#sized(b, 12, true) : this.#lose();
      default:
        return this.#lose();
    }
  }

  #sized(b: Buffer, size: number, input: boolean): { consumed: number; input: boolean } | undefined {
    return b.length < size ? undefined : { consumed: size, input };
  }

  #lose(): undefined {
    this.#stage = 'lost';
    this.#buffer = Buffer.alloc(0);
    return undefined;
  }

  /** Whether the connection negotiated RFB 3.8 (for diagnostics). */
  get version38(): boolean {
    return this.#version38;
  }
}
