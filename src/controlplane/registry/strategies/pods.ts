/** Pod strategy: defaults as the API server sets them, the Pending status of a new pod, and pod-spec immutability. */
import { fieldForbidden, fieldRequired, type StatusCause } from '../../../apimachinery/errors.ts';
import type { KubeObject } from '../../../apimachinery/object.ts';
import type { Strategy } from '../resource.ts';

function defaultContainer(c: any): void {
  const tag = String(c.image ?? '').split('/').pop() ?? '';
  c.imagePullPolicy ??= !tag.includes(':') || tag.endsWith(':latest') ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
}

/** Fills the pod spec defaults (also used for pod templates in Deployments and ReplicaSets). */
export function defaultPodSpec(spec: any): void {
  if (!spec) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultContainer(c);
}

/** Validates the parts of a pod spec every pod needs: containers with names and images. */
export function validatePodSpec(spec: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec) return [fieldRequired(path)];
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push(fieldRequired(`${path}.containers`));
  (spec.containers ?? []).forEach((c: any, i: number) => {
    if (!c?.name) causes.push(fieldRequired(`${path}.containers[${i}].name`));
    if (!c?.image) causes.push(fieldRequired(`${path}.containers[${i}].image`));
  });
  return causes;
}

function qosClass(spec: any): string {
  const containers: any[] = spec?.containers ?? [];
  const hasAny = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!hasAny) return 'BestEffort';
  const guaranteed = containers.every((c) => c.resources?.limits?.cpu && c.resources?.limits?.memory &&
    (!c.resources?.requests || (c.resources.requests.cpu ?? c.resources.limits.cpu) === c.resources.limits.cpu));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Everything in a pod spec that may change after creation is masked before comparing. */
function mutableMasked(spec: any): string {
  const copy = structuredClone(spec ?? {});
  for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) delete c.image;
  delete copy.activeDeadlineSeconds;
  delete copy.tolerations;
  delete copy.nodeName; // set once by the scheduler's binding
  delete copy.schedulingGates;
  return JSON.stringify(copy);
}

export const podStrategy: Strategy = {
  prepareForCreate(pod) {
    defaultPodSpec(pod.spec);
    pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
  },
  validate(pod) {
    return validatePodSpec(pod.spec, 'spec');
  },
  validateUpdate(pod: KubeObject, old: KubeObject) {
    if (old.spec?.nodeName && pod.spec?.nodeName !== old.spec.nodeName) return [fieldForbidden('spec.nodeName', 'pod is already bound to a node')];
    if (mutableMasked(pod.spec) === mutableMasked(old.spec)) return [];
    return [fieldForbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
  },
  selectableFields(pod) {
    return {
      'spec.nodeName': pod.spec?.nodeName ?? '', 'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
      'spec.schedulerName': pod.spec?.schedulerName ?? '', 'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false), 'status.phase': pod.status?.phase ?? '',
      'status.podIP': pod.status?.podIP ?? '', 'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
    };
  },
};
