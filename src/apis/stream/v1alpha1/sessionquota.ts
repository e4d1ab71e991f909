/**
 * SessionQuota: cluster-wide limits on how many sessions, and how much CPU/memory/storage, a
 * user may use. The schemas below are the single source of the CRD, its validation and the
 * TypeScript types. Which quota applies to a user is decided by {@link QUOTA_PRECEDENCE}.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AGE_COLUMN, type CrdDescription } from '../../crd.ts';
import { Conditions, ObservedGeneration, Time } from '../../metav1.ts';
import { Quantity, QuantityMap, StringSet } from '../../structural.ts';
import type { CustomResource, CustomResourceList } from '../../custom-resource.ts';
import { group, version, type ApiVersion } from './groupversion.ts';

/** The precedence rule, worded once and used in every description that depends on it. */
export const QUOTA_PRECEDENCE =
  'Exactly one SessionQuota applies to a user: one listing the user in spec.users wins over one listing any of the user\'s groups in spec.groups, '
  + 'which wins over one with spec.default true. When several match at the same level, the one whose name sorts first wins. '
  + 'A user matched by no quota is not limited.';

/** The limits a quota imposes. Unset limits are unlimited. */
export const SessionQuotaLimits = Type.Object({
  maxSessions: Type.Optional(Type.Integer({ description: 'Most sessions the user may have in any state except terminated.', format: 'int32', minimum: 0 })),
  maxRunningSessions: Type.Optional(Type.Integer({ description: 'Most sessions the user may have running at once (hibernated ones do not count).', format: 'int32', minimum: 0 })),
  maxCPUPerSession: Type.Optional(Quantity({ description: 'Largest CPU limit one session may ask for (for example `2`).' })),
  maxMemoryPerSession: Type.Optional(Quantity({ description: 'Largest memory limit one session may ask for (for example `4Gi`).' })),
  maxTotalCPU: Type.Optional(Quantity({ description: 'Largest sum of CPU limits over the user\'s running sessions.' })),
  maxTotalMemory: Type.Optional(Quantity({ description: 'Largest sum of memory limits over the user\'s running sessions.' })),
  maxStorage: Type.Optional(Quantity({ description: 'Largest size of the user\'s persistent home volume (for example `50Gi`).' })),
  maxPerSession: Type.Optional(QuantityMap({
    description: 'Largest amount of any named resource (its limit, else its request) one session may ask for, e.g. `{"nvidia.com/gpu": "1"}`. '
      + 'A resource named here and asked for by no session is 0; `0` forbids it.',
  })),
}, { description: 'Limits applied to each user the quota covers; every user is limited separately. Unset limits are unlimited.' });

/** The TypeScript shape of quota limits. */
export type SessionQuotaLimits = Static<typeof SessionQuotaLimits>;

/** SessionQuota.spec. */
export const SessionQuotaSpec = Type.Object({
  users: Type.Optional(StringSet({ description: `User names this quota applies to. ${QUOTA_PRECEDENCE}` })),
  groups: Type.Optional(StringSet({ description: `Group names whose members this quota applies to. ${QUOTA_PRECEDENCE}` })),
  default: Type.Optional(Type.Boolean({ description: `Apply this quota to users matched by no user or group quota. ${QUOTA_PRECEDENCE}`, default: false })),
  limits: Type.Optional(SessionQuotaLimits),
  allowedTemplates: Type.Optional(StringSet({
    description: 'Glob patterns (`*` any run of characters, `?` one character) of Template names the covered users may launch. Unset or empty allows every template.',
  })),
}, { description: `SessionQuotaSpec says whom the quota covers and what it allows. ${QUOTA_PRECEDENCE}` });

/** The TypeScript shape of SessionQuota.spec. */
export type SessionQuotaSpec = Static<typeof SessionQuotaSpec>;

/** One user's consumption under a quota. */
export const SessionQuotaUserUsage = Type.Object({
  user: Type.String({ description: 'User name.' }),
  sessions: Type.Optional(Type.Integer({ description: 'Sessions the user has that are not terminated.', format: 'int32', minimum: 0 })),
  runningSessions: Type.Optional(Type.Integer({ description: 'Sessions the user has running.', format: 'int32', minimum: 0 })),
  cpu: Type.Optional(Quantity({ description: 'Sum of CPU limits over the user\'s running sessions.' })),
  memory: Type.Optional(Quantity({ description: 'Sum of memory limits over the user\'s running sessions.' })),
  storage: Type.Optional(Quantity({ description: 'Size requested for the user\'s persistent home volume.' })),
}, { description: 'Consumption of one user this quota currently governs.' });

/** The TypeScript shape of one user's usage. */
export type SessionQuotaUserUsage = Static<typeof SessionQuotaUserUsage>;

/** SessionQuota.status. */
export const SessionQuotaStatus = Type.Object({
  usage: Type.Optional(Type.Array(SessionQuotaUserUsage, {
    description: 'Per-user consumption, for the users this quota currently governs (after precedence).',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['user'],
  })),
  lastUpdated: Type.Optional(Time('When usage was last recomputed.')),
  conditions: Type.Optional(Conditions('Current state of the quota.')),
  observedGeneration: Type.Optional(ObservedGeneration()),
}, { description: 'SessionQuotaStatus reports consumption against the quota.' });

/** The TypeScript shape of SessionQuota.status. */
export type SessionQuotaStatus = Static<typeof SessionQuotaStatus>;

/** A SessionQuota object. */
export type SessionQuota = CustomResource<ApiVersion, 'SessionQuota', SessionQuotaSpec, SessionQuotaStatus>;

/** A list of SessionQuota objects. */
export type SessionQuotaList = CustomResourceList<ApiVersion, 'SessionQuota', SessionQuota>;

/** The SessionQuota custom resource definition. */
export const sessionQuotaCrd: CrdDescription = {
  group,
  version,
  scope: 'Cluster',
  names: { kind: 'SessionQuota', plural: 'sessionquotas', singular: 'sessionquota', shortNames: ['sq'], categories: ['streamspace'] },
  description: `SessionQuota limits the sessions and resources of the users it covers; the admission webhook rejects sessions that would exceed it. ${QUOTA_PRECEDENCE}`,
  spec: SessionQuotaSpec,
  status: SessionQuotaStatus,
  printerColumns: [
    { name: 'Default', type: 'boolean', jsonPath: '.spec.default' },
    { name: 'Max Sessions', type: 'integer', jsonPath: '.spec.limits.maxSessions' },
    { name: 'Max Running', type: 'integer', jsonPath: '.spec.limits.maxRunningSessions' },
    { name: 'Users', type: 'string', jsonPath: '.spec.users', priority: 1 },
    { name: 'Groups', type: 'string', jsonPath: '.spec.groups', priority: 1 },
    AGE_COLUMN,
  ],
  statusSubresource: true,
};
