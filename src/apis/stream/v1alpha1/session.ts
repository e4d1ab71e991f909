/**
 * Session: one user's running (or hibernated) workspace launched from a Template.
 * The schemas below are the single source of the CRD, its validation and the TypeScript types.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AGE_COLUMN, type CrdDescription } from '../../crd.ts';
import { ResourceRequirements } from '../../corev1.ts';
import { Conditions, Duration, ObservedGeneration, Time } from '../../metav1.ts';
import { StringEnum, StringSet } from '../../structural.ts';
import type { CustomResource, CustomResourceList } from '../../custom-resource.ts';
import { group, version, type ApiVersion } from './groupversion.ts';

/** The states a user (or the idle reconciler) can ask a session to be in. */
export const SESSION_STATES = ['running', 'hibernated', 'terminated'] as const;

/** A desired session state. */
export type SessionState = typeof SESSION_STATES[number];

/** The phases the Session controller reports. */
export const SESSION_PHASES = ['Pending', 'Running', 'Hibernated', 'Failed', 'Terminated'] as const;

/** An observed session phase. */
export type SessionPhase = typeof SESSION_PHASES[number];

/** A Git repository pre-cloned into the session's workspace (code-server sessions). */
export const SessionRepository = Type.Object({
  owner: Type.String({ description: 'Owner (user or organization) of the repository on the Git server.', minLength: 1 }),
  name: Type.String({ description: 'Repository name.', minLength: 1 }),
  cloneURL: Type.Optional(Type.String({ description: 'URL to clone from. Defaults to the configured Git server\'s URL for owner/name.' })),
  ref: Type.Optional(Type.String({ description: 'Branch, tag or commit to check out. Defaults to the repository\'s default branch.' })),
}, { description: 'Git repository cloned into the workspace when the session first starts (code-server sessions).' });

/** The TypeScript shape of a session repository. */
export type SessionRepository = Static<typeof SessionRepository>;

/** Session.spec. */
export const SessionSpec = Type.Object({
  user: Type.String({ description: 'Name of the user who owns the session. Their persistent home volume is shared by all their sessions.', minLength: 1 }),
  template: Type.String({ description: 'Name of the Template (in the session\'s namespace) the session is launched from.', minLength: 1, maxLength: 253 }),
  state: Type.Optional(StringEnum(SESSION_STATES, {
    description: 'Desired state: `running` keeps a pod up, `hibernated` scales it to zero but keeps the home volume, `terminated` removes the workload for good.',
    default: 'running',
  })),
  resources: Type.Optional(ResourceRequirements('Resources for the session container. Unset means the template\'s defaultResources.')),
  persistentHome: Type.Optional(Type.Boolean({
    description: 'Mount the user\'s persistent home volume at the template\'s homeMountPath, so files survive hibernation and termination.',
    default: true,
  })),
  idleTimeout: Type.Optional(Duration('How long the session may go without user activity before it is hibernated, as a Go duration (for example `30m`, `1h30m`). `0` or unset never hibernates on idleness.')),
  maxSessionDuration: Type.Optional(Duration('Longest the session may run in total before it is terminated, as a Go duration (for example `8h`). `0` or unset means no limit.')),
  keepRunningUntil: Type.Optional(Time('Keep the session running until this time even without activity (a long job): idle hibernation waits for it. maxSessionDuration still applies.')),
  tags: Type.Optional(StringSet({ description: 'Free-form tags for finding and grouping sessions.' })),
  repository: Type.Optional(SessionRepository),
}, { description: 'SessionSpec is the session the user asked for.' });

/** The TypeScript shape of Session.spec. */
export type SessionSpec = Static<typeof SessionSpec>;

/** Condition types the Session controller sets (at least these). */
export const SessionConditionTypes = {
  /** The session pod is ready and the URL answers. */
  Ready: 'Ready',
  /** The Template changed since the session started; the change applies at its next start (a wake). */
  TemplateUpdateAvailable: 'TemplateUpdateAvailable',
  /** The user's home PersistentVolumeClaim is bound (or persistentHome is false). */
  HomeVolumeBound: 'HomeVolumeBound',
  /** The referenced Template exists and is valid. */
  TemplateValid: 'TemplateValid',
  /**
   * Present (False, reason WriteRefused) while the API server refuses one of the controller's writes
   * for this session, e.g. an admission webhook denying it; removed once a reconcile succeeds.
   */
  Reconciled: 'Reconciled',
} as const;

/** Observed resource consumption of the session pod. */
export const SessionResourceUsage = Type.Object({
  cpu: Type.Optional(Type.String({ description: 'CPU in use, as a quantity (for example `250m`).' })),
  memory: Type.Optional(Type.String({ description: 'Memory in use, as a quantity (for example `812Mi`).' })),
}, { description: 'Resource usage last sampled from the session pod.' });

/** Session.status, written by the Session controller. */
export const SessionStatus = Type.Object({
  phase: Type.Optional(StringEnum(SESSION_PHASES, {
    description: 'Where the session is in its lifecycle: Pending (being created or woken), Running, Hibernated (scaled to zero), Failed, Terminated.',
  })),
  podName: Type.Optional(Type.String({ description: 'Name of the pod serving the session, when there is one.' })),
  url: Type.Optional(Type.String({ description: 'URL the user opens to reach the session.' })),
  lastActivity: Type.Optional(Time('Last time user activity was seen; the idle timeout counts from here.')),
  startedAt: Type.Optional(Time('When the session last entered Running.')),
  hibernatedAt: Type.Optional(Time('When the session last entered Hibernated.')),
  resourceUsage: Type.Optional(SessionResourceUsage),
  conditions: Type.Optional(Conditions('Current state of the session: at least Ready, HomeVolumeBound and TemplateValid; TemplateUpdateAvailable is True while a changed Template waits for the session\'s next start.')),
  observedGeneration: Type.Optional(ObservedGeneration()),
  reason: Type.Optional(Type.String({ description: 'CamelCase reason for the current phase, for example `TemplateNotFound`.' })),
  message: Type.Optional(Type.String({ description: 'Human-readable detail about the current phase.' })),
}, { description: 'SessionStatus is the state the Session controller observed.' });

/** The TypeScript shape of Session.status. */
export type SessionStatus = Static<typeof SessionStatus>;

/** A Session object. */
export type Session = CustomResource<ApiVersion, 'Session', SessionSpec, SessionStatus>;

/** A list of Session objects. */
export type SessionList = CustomResourceList<ApiVersion, 'Session', Session>;

/** The Session custom resource definition. */
export const sessionCrd: CrdDescription = {
  group,
  version,
  scope: 'Namespaced',
  names: { kind: 'Session', plural: 'sessions', singular: 'session', shortNames: ['ss'], categories: ['streamspace'] },
  description: 'Session is one user\'s workspace launched from a Template. It runs while state is running, scales to zero when hibernated (keeping the user\'s home volume) and is torn down when terminated.',
  spec: SessionSpec,
  status: SessionStatus,
  printerColumns: [
    { name: 'User', type: 'string', jsonPath: '.spec.user' },
    { name: 'Template', type: 'string', jsonPath: '.spec.template' },
    { name: 'State', type: 'string', jsonPath: '.spec.state' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
    AGE_COLUMN,
  ],
  statusSubresource: true,
};
