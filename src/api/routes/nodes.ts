/**
 * Nodes, for admins: read-only views from the informer caches (the nodes, and per node its
 * capacity, allocatable resources and the load of the pods bound to it), and changes only as
 * NodeOperation resources, which the NodeOperation controller carries out. The API never
 * patches a node itself: every change is a recorded, admission-checked request.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { KubeObject } from '../../apimachinery/object.ts';
import { canonicalQuantityString, parseQuantity } from '../../apimachinery/quantity.ts';
import { apiVersion } from '../../apis/stream/v1alpha1/groupversion.ts';
import { NODE_OPERATIONS, NodeOperationParameters, type NodeOperation, type NodeOperationType } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import type { ApiDeps } from '../api-deps.ts';
import { notFound } from '../errors.ts';
import { NODE, NODE_OPERATION, POD } from '../kube/kinds.ts';
import { kubeCall } from '../kube/kube-errors.ts';
import { noteAudit } from '../plugins/audit.ts';
import { idParams, kubeObject, listOf, plainSchema } from '../schemas.ts';
import { forClient } from './sessions.ts';

/** The label the Session controller puts on a session's pods. */
const SESSION_POD_LABEL = 'stream.streamspace.io/session';

interface NodeLike extends KubeObject {
  status?: { capacity?: Record<string, string>; allocatable?: Record<string, string> };
}

interface ContainerLike {
  resources?: { requests?: Record<string, string | number> };
}

interface PodLike extends KubeObject {
  spec?: { nodeName?: string; containers?: ContainerLike[] };
  status?: { phase?: string };
}

/** What GET /nodes/{name}/stats answers. */
export interface NodeStats {
  name: string;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  requested: { cpu: string; memory: string };
  pods: number;
  sessionPods: number;
  /** Names of the sessions whose pods are bound to the node. */
  sessions: string[];
}

/** The body of POST /nodes/{name}/operations. */
export interface NodeOperationRequest {
  operation: NodeOperationType;
  parameters?: NodeOperationParameters;
  ttlSecondsAfterFinished?: number;
}

const operationBody = {
  type: 'object', required: ['operation'], additionalProperties: false,
  properties: {
    operation: { type: 'string', enum: [...NODE_OPERATIONS] },
    parameters: { ...plainSchema(NodeOperationParameters), additionalProperties: false },
    ttlSecondsAfterFinished: { type: 'integer', minimum: 0 },
  },
} as const;

const statsSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' }, capacity: { type: 'object' }, allocatable: { type: 'object' },
    requested: { type: 'object', properties: { cpu: { type: 'string' }, memory: { type: 'string' } } },
    pods: { type: 'integer' }, sessionPods: { type: 'integer' },
    sessions: { type: 'array', items: { type: 'string' }, description: 'Sessions whose pods are bound to the node.' },
  },
} as const;

function byName<T extends KubeObject>(items: T[]): T[] {
  return items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

function cachedNode(deps: ApiDeps, name: string): NodeLike {
  const node = deps.view.get<NodeLike>(NODE, name);
  if (!node) throw notFound(`node ${name}`);
  return node;
}

function requestOf(pod: PodLike, resource: string): bigint {
  let total = 0n;
  for (const c of pod.spec?.containers ?? []) {
    const value = c.resources?.requests?.[resource];
    // A malformed quantity counts as nothing rather than failing the whole view.
    try {
      if (value !== undefined) total += parseQuantity(value).nanos;
    } catch { /* ignored */ }
  }
  return total;
}

/** The statistics of `node` from the cached pods bound to it (finished pods hold no resources). */
export function nodeStats(deps: ApiDeps, node: NodeLike): NodeStats {
  const name = node.metadata.name!;
  const pods = deps.view.listAllNamespaces<PodLike>(POD)
    .filter((p) => p.spec?.nodeName === name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const cpu = pods.reduce((sum, p) => sum + requestOf(p, 'cpu'), 0n);
  const memory = pods.reduce((sum, p) => sum + requestOf(p, 'memory'), 0n);
  const sessionPods = pods.filter((p) => p.metadata.labels?.[SESSION_POD_LABEL] !== undefined);
  return {
    name, capacity: node.status?.capacity ?? {}, allocatable: node.status?.allocatable ?? {},
    requested: { cpu: canonicalQuantityString(cpu, 'DecimalSI'), memory: canonicalQuantityString(memory, 'BinarySI') },
    pods: pods.length, sessionPods: sessionPods.length,
    sessions: [...new Set(sessionPods.map((p) => p.metadata.labels![SESSION_POD_LABEL]!))].sort(),
  };
}

function buildOperation(node: string, body: NodeOperationRequest): NodeOperation {
  return {
    apiVersion, kind: 'NodeOperation',
    metadata: { generateName: `${node}-${body.operation}-` },
    spec: {
      nodeName: node, operation: body.operation,
      ...(body.parameters ? { parameters: body.parameters } : {}),
      ...(body.ttlSecondsAfterFinished === undefined ? {} : { ttlSecondsAfterFinished: body.ttlSecondsAfterFinished }),
    },
  } as NodeOperation;
}

/** The node and node-operation routes (mounted at the API root: /nodes and /node-operations). */
export function nodeRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/nodes', {
      config: { auth: 'admin' },
      schema: { summary: 'List the cluster\'s nodes', tags: ['nodes'], response: { 200: listOf(kubeObject, 'core/v1 Nodes, by name') } },
    }, async () => ({ items: byName(deps.view.list<NodeLike>(NODE)).map(forClient) }));

    app.get<{ Params: { id: string } }>('/nodes/:id', {
      config: { auth: 'admin' },
      schema: { summary: 'Read one node', tags: ['nodes'], params: idParams, response: { 200: kubeObject } },
    }, async (request) => forClient(cachedNode(deps, request.params.id)));

    app.get<{ Params: { id: string } }>('/nodes/:id/stats', {
      config: { auth: 'admin' },
      schema: { summary: 'A node\'s capacity, allocatable resources, and the requests and count of its pods', tags: ['nodes'], params: idParams, response: { 200: statsSchema } },
    }, async (request) => nodeStats(deps, cachedNode(deps, request.params.id)));

    app.post<{ Params: { id: string }; Body: NodeOperationRequest }>('/nodes/:id/operations', {
      config: { auth: 'admin', audit: 'node.operate' },
      schema: {
        summary: 'Ask for a change of a node (cordon, drain, label, taint, ...): creates a NodeOperation the controller carries out',
        tags: ['nodes'], params: idParams, body: operationBody, response: { 202: kubeObject },
      },
    }, async (request, reply) => {
      cachedNode(deps, request.params.id);
      const created = await kubeCall(() => deps.view.client.create<NodeOperation>(buildOperation(request.params.id, request.body)));
      noteAudit(request, { target: `${request.params.id}/${created.metadata.name}` });
      return reply.code(202).send(forClient(created));
    });

    app.get('/node-operations', {
      config: { auth: 'admin' },
      schema: { summary: 'List node operations', tags: ['nodes'], response: { 200: listOf(kubeObject, 'NodeOperations, by name') } },
    }, async () => ({ items: byName(deps.view.list<NodeOperation>(NODE_OPERATION)).map(forClient) }));

    app.get<{ Params: { id: string } }>('/node-operations/:id', {
      config: { auth: 'admin' },
      schema: { summary: 'Read one node operation (status.phase shows its progress)', tags: ['nodes'], params: idParams, response: { 200: kubeObject } },
    }, async (request) => {
      const op = deps.view.get<NodeOperation>(NODE_OPERATION, request.params.id);
      if (!op) throw notFound(`node operation ${request.params.id}`);
      return forClient(op);
    });
  };
}
