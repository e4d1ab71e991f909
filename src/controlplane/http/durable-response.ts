/**
 * Acknowledge a write only once it is on disk. A mutating request's answer (success or error) is
 * held until the store's group commit covers every write made so far, as kube-apiserver answers only
 * after etcd has committed. Wrapping `end` keeps every handler unaware of it: Node sends a
 * response's head with its first body bytes, so holding `end` holds the whole answer.
 *
 * When the sync itself fails (an I/O error of the disk), the write is in memory but not durable:
 * the connection is closed without an answer, so the client treats the write's outcome as
 * unknown, as it would after a lost connection to etcd.
 */
import type { ServerResponse } from 'node:http';

/** Defers `res.end` until `durable()` resolves. */
export function endWhenDurable(res: ServerResponse, durable: () => Promise<void>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    durable().then(() => end(...args), (err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
    return res;
  }) as ServerResponse['end'];
}
