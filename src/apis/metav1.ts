/**
 * Schemas for the meta/v1 value types our resources embed: timestamps, Go durations and the
 * standard `Condition`, with the same constraints kube publishes for them.
 */
import { Type, type Static, type TString, type TArray } from '@sinclair/typebox';
import { StringEnum } from './structural.ts';

/** An RFC 3339 timestamp (metav1.Time on the wire), e.g. `2025-01-31T12:00:00Z`. */
export function Time(description: string): TString {
  return Type.String({ description, format: 'date-time' });
}

/**
 * The syntax of a non-negative Go duration (`time.ParseDuration`): `0`, or one or more
 * decimal-number+unit pairs such as `30m`, `1h30m`, `1.5h`, `300ms`. Signs are left out on
 * purpose: every duration in our specs is a length of time. The two micro signs end up as
 * literal characters in the pattern because kube-apiserver evaluates patterns with Go's RE2,
 * which has no `\u` escape.
 */
export const GO_DURATION_PATTERN = '^(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$';

/** A Go duration string (metav1.Duration on the wire), pattern-validated. */
export function Duration(description: string): TString {
  return Type.String({ description, pattern: GO_DURATION_PATTERN });
}

/** metav1.Condition: one aspect of an object's current state, as reported by its controller. */
export const Condition = Type.Object({
  type: Type.String({
    description: 'Type of condition in CamelCase (for example `Ready`). Unique within the list.',
    maxLength: 316,
    pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
  }),
  status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'Status of the condition: True, False or Unknown.' }),
  observedGeneration: Type.Optional(Type.Integer({
    description: 'The metadata.generation the condition was set from; older than the current generation means the condition is stale.',
    format: 'int64',
    minimum: 0,
  })),
  lastTransitionTime: Time('Last time the condition changed from one status to another.'),
  reason: Type.String({
    description: 'Programmatic identifier in CamelCase for the last transition, for example `ImagePullFailed`.',
    minLength: 1,
    maxLength: 1024,
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
  }),
  message: Type.String({
    description: 'Human-readable details about the last transition. May be empty.',
    maxLength: 32768,
  }),
}, { description: 'One observed aspect of the object state (metav1.Condition).' });

/** The TypeScript shape of a condition. */
export type Condition = Static<typeof Condition>;

/**
 * A conditions list keyed by `type` (`x-kubernetes-list-type: map`), so server-side apply and
 * strategic merge treat each condition type as its own entry.
 */
export function Conditions(description: string): TArray<typeof Condition> {
  return Type.Array(Condition, {
    description,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });
}

/** `status.observedGeneration`: the metadata.generation the controller last acted on. */
export function ObservedGeneration(): ReturnType<typeof Type.Integer> {
  return Type.Integer({
    description: 'The metadata.generation most recently acted on by the controller. When it is lower than metadata.generation the status is stale.',
    format: 'int64',
    minimum: 0,
  });
}
