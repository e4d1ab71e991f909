/**
 * The NodeOperation reconciler: carries out one operation on one node.
 *
 *   Succeeded / Failed ──► after ttlSecondsAfterFinished, delete the operation
 *   spec not acceptable ──► Failed (InvalidSpec), the node untouched
 *   not started, an earlier operation on the node unfinished ──► Pending, naming it (woken when it finishes)
 *   node missing ─────────► Failed (NodeNotFound)
 *   otherwise ────────────► Running, then
 *       drain: one pass per reconcile (./drain.ts), requeued until it Succeeds or Fails
 *       others: the node edit (./node-changes.ts), then Succeeded
 *
 * Every step starts from what is observed, so re-running after a crash repeats nothing that was
 * done: the node edit finds the node already changed, a drain finds evicted pods gone. Nodes and
 * pods are read from the API server, not a cache: operations are rare and must act on the node as
 * it is.
 */
import type { Logger } from 'pino';
import type { NodeOperation } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { isNotFound, type KubeClient } from '../../runtime/client.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import { mergePatch } from '../../runtime/patch.ts';
import type { Reconciler, Request, Result } from '../../runtime/reconcile.ts';
import type { FreshClient } from '../fresh-client.ts';
import { describeCauses } from '../status-format.ts';
import type { NodeDrainer } from './drain.ts';
import { NodeKind, NodeOperationKind } from './kinds.ts';
import { nodeChange } from './node-changes.ts';
import { nodeOperationSpecCauses } from '../../apis/stream/v1alpha1/nodeoperation-policy.ts';
import { blockingOperation, creationRevision, CREATION_REVISION_ANNOTATION, hasStarted, isFinished } from './ordering.ts';
import { nextStatus, statusDiffers, type StatusUpdate } from './status.ts';

/** What the reconciler works with. */
export interface NodeOperationReconcilerDeps {
  /** NodeOperations: the cache, overlaid with this controller's own writes. */
  client: FreshClient;
  /** Nodes (and, through the drainer, pods and evictions): the API server. */
  api: KubeClient;
  drainer: NodeDrainer;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
}

function failed(reason: string, message: string): StatusUpdate {
  return { phase: 'Failed', reason, message };
}

/** See the module comment. */
export class NodeOperationReconciler implements Reconciler {
  readonly #d: NodeOperationReconcilerDeps;

  constructor(deps: NodeOperationReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(req: Request): Promise<Result | void> {
    const op = this.#d.client.get<NodeOperation>(NodeOperationKind, req);
    if (!op || op.metadata.deletionTimestamp) return;
    if (isFinished(op)) return this.#expire(op);
    const causes = nodeOperationSpecCauses(op.spec);
    if (causes.length) return this.#finish(op, failed('InvalidSpec', describeCauses(causes)));
    if (!hasStarted(op)) {
      const blocker = blockingOperation(op, this.#operations());
      if (blocker) return this.#wait(op, blocker);
    }
    const node = await this.#node(op.spec.nodeName);
    if (!node) return this.#finish(op, failed('NodeNotFound', `node ${op.spec.nodeName} not found`));
    const started = hasStarted(op) ? op.status?.message : undefined;
    const running = await this.#write(op, { phase: 'Running', reason: 'Running', message: started ?? `${op.spec.operation} of node ${op.spec.nodeName} started` });
    return op.spec.operation === 'drain' ? this.#drain(running, node) : this.#edit(running, node);
  }

  /** Every NodeOperation, each in its freshest known version. */
  #operations(): NodeOperation[] {
    return this.#d.client.list<NodeOperation>(NodeOperationKind)
      .map((o) => this.#d.client.get<NodeOperation>(NodeOperationKind, { name: o.metadata.name ?? '' }) ?? o);
  }

  async #node(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.#d.api.get(NodeKind, { name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Pending behind `blocker`; the creation revision is recorded first (./ordering.ts). */
  async #wait(op: NodeOperation, blocker: NodeOperation): Promise<void> {
    let current = op;
    if (!op.metadata.annotations?.[CREATION_REVISION_ANNOTATION]) {
      const annotations = { [CREATION_REVISION_ANNOTATION]: creationRevision(op) };
      current = await this.#d.client.patch<NodeOperation>(this.#target(op), mergePatch({ metadata: { annotations } }));
    }
    const message = `waiting for NodeOperation ${blocker.metadata.name} (${blocker.spec.operation}) on node ${op.spec.nodeName} to finish`;
    await this.#write(current, { phase: 'Pending', reason: 'Waiting', message });
  }

  async #edit(op: NodeOperation, node: KubeObject): Promise<Result | void> {
    const change = nodeChange(op.spec, node);
    if (change.patch) await this.#d.api.patch({ ...NodeKind, metadata: { name: node.metadata.name } }, mergePatch(change.patch));
    this.#d.logger.info({ operation: op.metadata.name, node: node.metadata.name, changed: change.patch !== undefined }, change.message);
    return this.#finish(op, { phase: 'Succeeded', reason: 'Succeeded', message: change.message });
  }

  async #drain(op: NodeOperation, node: KubeObject): Promise<Result | void> {
    const outcome = await this.#d.drainer.pass(op, node, this.#d.clock.now());
    if (outcome.finished) return this.#finish(op, outcome.update);
    await this.#write(op, outcome.update);
    return { requeueAfterMs: outcome.retryAfterMs };
  }

  async #finish(op: NodeOperation, update: StatusUpdate): Promise<Result | void> {
    const done = await this.#write(op, update);
    const ok = update.phase === 'Succeeded';
    this.#d.recorder.event(done, ok ? 'Normal' : 'Warning', ok ? 'OperationSucceeded' : 'OperationFailed', update.message);
    if (!ok) this.#d.logger.warn({ operation: op.metadata.name, node: op.spec.nodeName, reason: update.reason }, update.message);
    return this.#expire(done);
  }

  /** Deletes a finished operation once its TTL has passed; until then, asks to be called back then. */
  async #expire(op: NodeOperation): Promise<Result | void> {
    const ttl = op.spec.ttlSecondsAfterFinished;
    const finishedAt = Date.parse(op.status?.completionTime ?? '');
    if (ttl === undefined || Number.isNaN(finishedAt)) return;
    const remaining = finishedAt + ttl * 1000 - this.#d.clock.now();
    if (remaining > 0) return { requeueAfterMs: remaining };
    await this.#d.client.delete({ ...NodeOperationKind, metadata: op.metadata }, { preconditions: { uid: op.metadata.uid } });
  }

  async #write(op: NodeOperation, update: StatusUpdate): Promise<NodeOperation> {
    const status = nextStatus(op, update, this.#d.clock.now());
    if (!statusDiffers(op, status)) return op;
    return this.#d.client.patchStatus<NodeOperation>(this.#target(op), mergePatch({ status }));
  }

  #target(op: NodeOperation): KubeObject {
    return { ...NodeOperationKind, metadata: { name: op.metadata.name, uid: op.metadata.uid } };
  }
}
