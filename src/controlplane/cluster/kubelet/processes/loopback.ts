/**
 * Pod addresses of the process runtime: each local pod gets its own loopback address in
 * 127.77.0.0/16 (Linux routes all of 127/8 to `lo`), so every pod's process can listen on its
 * containerPort without colliding with another pod's, and the Service's Endpoints (built from
 * status.podIP) point where the process really listens. The address also names the pod's X display.
 */

const PREFIX = '127.77';

/** The first free address (127.77.0.2 onwards), or undefined when all are taken. */
export function allocateLoopbackIP(used: Set<string>): string | undefined {
  for (let n = 2; n < 65535; n++) {
    const ip = `${PREFIX}.${n >> 8}.${n & 255}`;
    if ((n & 255) !== 0 && (n & 255) !== 255 && !used.has(ip)) return ip;
  }
  return undefined;
}

/** True for an address this module hands out. */
export function isLoopbackPodIP(ip: string | undefined): boolean {
  return Boolean(ip?.startsWith(`${PREFIX}.`));
}

/** The X display number of the pod at `ip` (unique per pod, clear of the usual :0–:99). */
export function displayOf(ip: string): number {
  const [, , c, d] = ip.split('.').map(Number);
  return 100 + c! * 256 + d!;
}
