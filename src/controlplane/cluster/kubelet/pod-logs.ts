/**
 * The simulated containers' logs: a bounded buffer of lines per container instance, served by
 * GET pods/{name}/log. A restarted container starts a new buffer, as `kubectl logs` shows only the
 * current instance; the instance before it is kept for `--previous`. Followers (`-f`) get each
 * line as it is appended.
 */

interface LogBuffer {
  uid: string;
  lines: string[];
}

/** What to read: the last `tailLines` lines; the instance before the current one (`--previous`). */
export interface LogReadOptions {
  tailLines?: number;
  previous?: boolean;
}

/** Someone reading a log as it grows (pods/log?follow=true). */
export interface Follower {
  line(line: string): void;
  end(): void;
}

/** Bounded in-memory logs of every simulated container. */
export class PodLogStore {
  private readonly buffers = new Map<string, LogBuffer>();
  private readonly previous = new Map<string, LogBuffer>();
  private readonly followers = new Map<string, Set<Follower>>();
  private readonly maxLines: () => number;

  constructor(maxLines: () => number) {
    this.maxLines = maxLines;
  }

  private static key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  /** Starts a new instance's log (dropping the previous instance's lines). */
  begin(namespace: string, pod: string, uid: string, container: string): void {
    const key = PodLogStore.key(namespace, pod, container);
    const before = this.buffers.get(key);
    if (before?.uid === uid) this.previous.set(key, before);
    else this.previous.delete(key);
    this.endFollowers(key);
    this.buffers.set(key, { uid, lines: [] });
  }

  /** Appends lines to the current instance's log. */
  append(namespace: string, pod: string, container: string, lines: string[]): void {
    const b = this.buffers.get(PodLogStore.key(namespace, pod, container));
    if (!b) return;
    b.lines.push(...lines);
    for (const f of this.followers.get(PodLogStore.key(namespace, pod, container)) ?? []) for (const l of lines) f.line(l);
    const max = Math.max(1, this.maxLines());
    if (b.lines.length > max) b.lines.splice(0, b.lines.length - max);
  }

  /** The lines of a container of the pod with `uid` (the last `tailLines` when given); undefined if it never started. */
  read(namespace: string, pod: string, uid: string | undefined, container: string, opts: LogReadOptions = {}): string[] | undefined {
    const { tailLines, previous } = opts;
    const b = (previous ? this.previous : this.buffers).get(PodLogStore.key(namespace, pod, container));
    if (!b || (uid && b.uid !== uid)) return undefined;
    if (tailLines === undefined || !Number.isFinite(tailLines) || tailLines < 0) return [...b.lines];
    return tailLines === 0 ? [] : b.lines.slice(-tailLines);
  }

  /**
   * Calls `line` for every line appended to the current instance's log until the returned function
   * is called; `end` when that instance's log ends (the container restarted or the pod is gone).
   */
  follow(namespace: string, pod: string, container: string, follower: Follower): () => void {
    const key = PodLogStore.key(namespace, pod, container);
    const set = this.followers.get(key) ?? new Set();
    this.followers.set(key, set.add(follower));
    return () => {
      set.delete(follower);
      if (!set.size) this.followers.delete(key);
    };
  }

  private endFollowers(key: string): void {
    const set = this.followers.get(key);
    this.followers.delete(key);
    for (const f of set ?? []) f.end();
  }

  /** Drops every log of a pod (it is gone). */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const map of [this.buffers, this.previous]) for (const k of map.keys()) if (k.startsWith(prefix)) map.delete(k);
    for (const k of [...this.followers.keys()]) if (k.startsWith(prefix)) this.endFollowers(k);
  }
}
