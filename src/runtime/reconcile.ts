/**
 * The reconcile contract, after controller-runtime's pkg/reconcile: a Reconciler receives the
 * name of one object, makes the world match its spec, and either succeeds, asks to be called
 * again later, or throws.
 */

/** Request names the object to reconcile: its namespace ('' when cluster-scoped) and name. */
export interface Request {
  namespace: string;
  name: string;
}

/** Result of a successful reconcile. */
export interface Result {
  /**
   * When > 0, reconcile this object again after that many milliseconds (without counting it as
   * a failure). Ignored when the reconcile throws.
   */
  requeueAfterMs?: number;
}

/**
 * Reconciler makes the state of one object converge. Throwing means failure: the request is
 * re-queued with per-item exponential backoff unless the error is a {@link terminalError}.
 * The signal aborts when the controller stops.
 */
export interface Reconciler {
  reconcile(req: Request, signal: AbortSignal): Promise<Result | void>;
}

/** The function form of {@link Reconciler}. */
export type ReconcileFunc = (req: Request, signal: AbortSignal) => Promise<Result | void>;

/** Wraps a plain function as a {@link Reconciler}. */
export function reconcileFunc(fn: ReconcileFunc): Reconciler {
  return { reconcile: fn };
}

/** An error that retrying cannot fix: logged and counted, but not re-queued. */
export class TerminalError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'TerminalError';
  }
}

/** Marks `err` as terminal: the controller records it but does not retry the request. */
export function terminalError(err: unknown): TerminalError {
  return err instanceof TerminalError ? err : new TerminalError(err);
}

/** True when `err` is (or wraps, through `cause`) a {@link TerminalError}. */
export function isTerminalError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

/** The workqueue key of a request: `namespace/name`, or `name` for cluster-scoped objects. */
export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

/** The request a workqueue key stands for (the inverse of {@link requestKey}). */
export function requestFromKey(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
