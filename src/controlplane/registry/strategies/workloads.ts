/** Deployment and ReplicaSet strategies: defaults, selector/template agreement, immutable selector. */
import { fieldInvalid, fieldRequired, type StatusCause } from '../../../apimachinery/errors.ts';
import type { KubeObject } from '../../../apimachinery/object.ts';
import type { Strategy } from '../resource.ts';
import { defaultPodSpec, validatePodSpec } from './pods.ts';

function selectorMatchesTemplate(selector: any, labels: Record<string, string> | undefined): boolean {
  const wanted = selector?.matchLabels ?? {};
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

function validateWorkload(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec ?? {};
  if (!spec.selector) causes.push(fieldRequired('spec.selector'));
  else if (!selectorMatchesTemplate(spec.selector, spec.template?.metadata?.labels)) {
    causes.push(fieldInvalid('spec.template.metadata.labels', spec.template?.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  if (spec.replicas !== undefined && spec.replicas < 0) causes.push(fieldInvalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  causes.push(...validatePodSpec(spec.template?.spec, 'spec.template.spec'));
  return causes;
}

function immutableSelector(obj: KubeObject, old: KubeObject): StatusCause[] {
  if (JSON.stringify(obj.spec?.selector) === JSON.stringify(old.spec?.selector)) return [];
  return [fieldInvalid('spec.selector', obj.spec?.selector ?? null, 'field is immutable')];
}

export const deploymentStrategy: Strategy = {
  prepareForCreate(d) {
    d.spec ??= {};
    d.spec.replicas ??= 1;
    d.spec.revisionHistoryLimit ??= 10;
    d.spec.progressDeadlineSeconds ??= 600;
    d.spec.strategy ??= { type: 'RollingUpdate' };
    if (d.spec.strategy.type === 'RollingUpdate') d.spec.strategy.rollingUpdate ??= { maxUnavailable: '25%', maxSurge: '25%' };
    defaultPodSpec(d.spec.template?.spec);
    d.status = {};
  },
  prepareForUpdate(d) {
    defaultPodSpec(d.spec?.template?.spec);
  },
  validate: validateWorkload,
  validateUpdate: (d, old) => [...validateWorkload(d), ...immutableSelector(d, old)],
};

export const replicaSetStrategy: Strategy = {
  prepareForCreate(rs) {
    rs.spec ??= {};
    rs.spec.replicas ??= 1;
    defaultPodSpec(rs.spec.template?.spec);
    rs.status = { replicas: 0 };
  },
  validate: validateWorkload,
  validateUpdate: (rs, old) => [...validateWorkload(rs), ...immutableSelector(rs, old)],
};
