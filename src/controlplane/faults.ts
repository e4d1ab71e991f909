/**
 * Fault injection for tests, set over HTTP at /debug/faults (admin only): error answers (500, 429,
 * 409) and latency per verb and resource at a given rate, and dropping every open watch stream.
 */

/** One fault rule. Unset `verb`/`resource` match everything. */
export interface FaultRule {
  verb?: string;
  resource?: string;
  /** HTTP status to answer instead of serving: 500, 429 or 409. */
  code?: 500 | 429 | 409;
  /** Fraction of matching requests affected (default 1). */
  rate?: number;
  latencyMs?: number;
  /** Stop after this many injections. */
  count?: number;
}

/** The fault rules in force. */
export class FaultInjector {
  private rules: FaultRule[] = [];
  private readonly watchDroppers = new Set<() => void>();

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  list(): FaultRule[] {
    return this.rules;
  }

  /** The rule that fires for this request, if any (consuming one of its `count`). */
  pick(verb: string, resource: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.verb && r.verb !== verb) continue;
      if (r.resource && r.resource !== resource) continue;
      if (r.count !== undefined && r.count <= 0) continue;
      if (Math.random() >= (r.rate ?? 1)) continue;
      if (r.count !== undefined) r.count--;
      return r;
    }
    return undefined;
  }

  /** Registers an open watch so that dropWatches can close it. */
  trackWatch(drop: () => void): () => void {
    this.watchDroppers.add(drop);
    return () => this.watchDroppers.delete(drop);
  }

  /** Closes every open watch stream (the client sees the connection end). Returns how many. */
  dropWatches(): number {
    const n = this.watchDroppers.size;
    for (const d of [...this.watchDroppers]) d();
    return n;
  }

  openWatches(): number {
    return this.watchDroppers.size;
  }
}
