/**
 * The simulated containers' logs: a bounded buffer of lines per container instance, served by
 * GET pods/{name}/log. A restarted container starts a new buffer, as `kubectl logs` shows only the
 * current instance.
 */

interface LogBuffer {
  uid: string;
  lines: string[];
}

/** Bounded in-memory logs of every simulated container. */
export class PodLogStore {
  private readonly buffers = new Map<string, LogBuffer>();
  private readonly maxLines: () => number;

  constructor(maxLines: () => number) {
    this.maxLines = maxLines;
  }

  private static key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  /** Starts a new instance's log (dropping the previous instance's lines). */
  begin(namespace: string, pod: string, uid: string, container: string): void {
    this.buffers.set(PodLogStore.key(namespace, pod, container), { uid, lines: [] });
  }

  /** Appends lines to the current instance's log. */
  append(namespace: string, pod: string, container: string, lines: string[]): void {
    const b = this.buffers.get(PodLogStore.key(namespace, pod, container));
    if (!b) return;
    b.lines.push(...lines);
    const max = Math.max(1, this.maxLines());
    if (b.lines.length > max) b.lines.splice(0, b.lines.length - max);
  }

  /** The lines of a container of the pod with `uid` (the last `tailLines` when given); undefined if it never started. */
  read(namespace: string, pod: string, uid: string | undefined, container: string, tailLines?: number): string[] | undefined {
    const b = this.buffers.get(PodLogStore.key(namespace, pod, container));
    if (!b || (uid && b.uid !== uid)) return undefined;
    if (tailLines === undefined || !Number.isFinite(tailLines) || tailLines < 0) return [...b.lines];
    return tailLines === 0 ? [] : b.lines.slice(-tailLines);
  }

  /** Drops every log of a pod (it is gone). */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const k of this.buffers.keys()) if (k.startsWith(prefix)) this.buffers.delete(k);
  }
}
