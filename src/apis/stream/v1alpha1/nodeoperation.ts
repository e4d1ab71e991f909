/**
 * NodeOperation: a request to perform one maintenance action on a node (cordon, drain, labels,
 * taints), carried out by the NodeOperation controller instead of by API callers directly.
 * The schemas below are the single source of the CRD, its validation and the TypeScript types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AGE_COLUMN, type CrdDescription } from '../../crd.ts';
import { Conditions, ObservedGeneration, Time } from '../../metav1.ts';
import { StringEnum, StringMap } from '../../structural.ts';
import type { CustomResource, CustomResourceList } from '../../custom-resource.ts';
import { group, version, type ApiVersion } from './groupversion.ts';

/** The operations a NodeOperation can request. */
export const NODE_OPERATIONS = ['cordon', 'uncordon', 'drain', 'label', 'unlabel', 'taint', 'untaint'] as const;

/** One node operation. */
export type NodeOperationType = typeof NODE_OPERATIONS[number];

/** The phases of a NodeOperation. */
export const NODE_OPERATION_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;

/** An observed NodeOperation phase. */
export type NodeOperationPhase = typeof NODE_OPERATION_PHASES[number];

/** The taint effects kube knows. */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** Default grace period given to each evicted pod during a drain. */
export const DEFAULT_DRAIN_GRACE_PERIOD_SECONDS = 30;

/** The taint to add (taint) or remove (untaint). */
export const NodeTaint = Type.Object({
  key: Type.String({ description: 'Taint key.', minLength: 1 }),
  value: Type.Optional(Type.String({ description: 'Taint value (taint only).' })),
  effect: Type.Optional(StringEnum(TAINT_EFFECTS, {
    description: 'Taint effect. Required for taint; for untaint, unset removes every taint with the key.',
  })),
}, { description: 'Taint to add (operation taint) or remove (operation untaint).' });

/** The TypeScript shape of a taint parameter. */
export type NodeTaint = Static<typeof NodeTaint>;

/** How a drain evicts pods. */
export const DrainOptions = Type.Object({
  gracePeriodSeconds: Type.Optional(Type.Integer({
    description: 'Seconds each evicted pod is given to terminate.',
    format: 'int64',
    minimum: 0,
    default: DEFAULT_DRAIN_GRACE_PERIOD_SECONDS,
  })),
  timeoutSeconds: Type.Optional(Type.Integer({
    description: 'Give up and fail the operation when pods remain after this many seconds. Unset waits indefinitely.',
    format: 'int64',
    minimum: 1,
  })),
  deleteEmptyDirData: Type.Optional(Type.Boolean({ description: 'Evict pods using emptyDir volumes even though their data is lost.', default: false })),
  ignoreDaemonSets: Type.Optional(Type.Boolean({ description: 'Leave DaemonSet-managed pods in place instead of failing on them.', default: true })),
  force: Type.Optional(Type.Boolean({ description: 'Also delete pods not managed by a controller (they are not recreated elsewhere).', default: false })),
}, { description: 'Drain settings (operation drain).' });

/** The TypeScript shape of drain settings. */
export type DrainOptions = Static<typeof DrainOptions>;

/** Operation-specific parameters. */
export const NodeOperationParameters = Type.Object({
  labels: Type.Optional(StringMap({
    description: 'Labels to set (operation label), or whose keys to remove (operation unlabel; values are ignored).',
  })),
  taint: Type.Optional(NodeTaint),
  drain: Type.Optional(DrainOptions),
}, { description: 'Parameters of the operation: labels for label/unlabel, taint for taint/untaint, drain for drain.' });

/** The TypeScript shape of operation parameters. */
export type NodeOperationParameters = Static<typeof NodeOperationParameters>;

/** NodeOperation.spec. */
export const NodeOperationSpec = Type.Object({
  nodeName: Type.String({ description: 'Name of the node to operate on.', minLength: 1 }),
  operation: StringEnum(NODE_OPERATIONS, {
    description: 'What to do: cordon/uncordon mark the node (un)schedulable; drain cordons it and evicts its pods; label/unlabel and taint/untaint edit its labels and taints.',
  }),
  parameters: Type.Optional(NodeOperationParameters),
  ttlSecondsAfterFinished: Type.Optional(Type.Integer({
    description: 'Delete the NodeOperation this many seconds after it Succeeded or Failed. Unset keeps it.',
    format: 'int32',
    minimum: 0,
  })),
}, { description: 'NodeOperationSpec is the requested node operation.' });

/** The TypeScript shape of NodeOperation.spec. */
export type NodeOperationSpec = Static<typeof NodeOperationSpec>;

/** NodeOperation.status. */
export const NodeOperationStatus = Type.Object({
  phase: Type.Optional(StringEnum(NODE_OPERATION_PHASES, { description: 'Progress of the operation: Pending, Running, Succeeded or Failed.' })),
  podsEvicted: Type.Optional(Type.Integer({ description: 'Pods evicted so far (drain).', format: 'int32', minimum: 0 })),
  podsRemaining: Type.Optional(Type.Integer({ description: 'Pods still to evict (drain).', format: 'int32', minimum: 0 })),
  message: Type.Optional(Type.String({ description: 'Human-readable detail, for example why the operation failed.' })),
  conditions: Type.Optional(Conditions('Current state of the operation.')),
  startTime: Type.Optional(Time('When the controller started the operation.')),
  completionTime: Type.Optional(Time('When the operation Succeeded or Failed.')),
  observedGeneration: Type.Optional(ObservedGeneration()),
}, { description: 'NodeOperationStatus is the progress the NodeOperation controller reports.' });

/** The TypeScript shape of NodeOperation.status. */
export type NodeOperationStatus = Static<typeof NodeOperationStatus>;

/** A NodeOperation object. */
export type NodeOperation = CustomResource<ApiVersion, 'NodeOperation', NodeOperationSpec, NodeOperationStatus>;

/** A list of NodeOperation objects. */
export type NodeOperationList = CustomResourceList<ApiVersion, 'NodeOperation', NodeOperation>;

/** The NodeOperation custom resource definition. */
export const nodeOperationCrd: CrdDescription = {
  group,
  version,
  scope: 'Cluster',
  names: { kind: 'NodeOperation', plural: 'nodeoperations', singular: 'nodeoperation', shortNames: ['nodeop'], categories: ['streamspace'] },
  description: 'NodeOperation requests one maintenance action on a node (cordon, uncordon, drain, label, unlabel, taint, untaint); the NodeOperation controller performs it and reports progress in status.',
  spec: NodeOperationSpec,
  status: NodeOperationStatus,
  printerColumns: [
    { name: 'Node', type: 'string', jsonPath: '.spec.nodeName' },
    { name: 'Operation', type: 'string', jsonPath: '.spec.operation' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    AGE_COLUMN,
  ],
  statusSubresource: true,
};
