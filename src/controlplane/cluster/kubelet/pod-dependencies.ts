/**
 * What a kubelet needs before it can start a pod's containers: its volumes (claims bound,
 * ConfigMaps and Secrets present unless optional), and for each container the ConfigMaps, Secrets
 * and keys its environment refers to. Messages are the kubelet's (FailedMount,
 * CreateContainerConfigError).
 */
import type { KubeObject } from '../../../apimachinery/object.ts';

/** Reads the objects a pod depends on. */
export interface DependencyLookup {
  configMap(namespace: string, name: string): KubeObject | undefined;
  secret(namespace: string, name: string): KubeObject | undefined;
  claim(namespace: string, name: string): KubeObject | undefined;
}

function hasKey(obj: KubeObject, key: string): boolean {
  return Object.hasOwn(obj.data ?? {}, key) || Object.hasOwn(obj.binaryData ?? {}, key);
}

function sourceProblem(ns: string, source: any, lookup: DependencyLookup): string | undefined {
  if (source.configMap?.name && !source.configMap.optional && !lookup.configMap(ns, source.configMap.name)) return `configmap "${source.configMap.name}" not found`;
  const secretName = source.secret?.secretName ?? source.secret?.name;
  if (secretName && !source.secret.optional && !lookup.secret(ns, secretName)) return `secret "${secretName}" not found`;
  return undefined;
}

function claimProblem(ns: string, volume: any, lookup: DependencyLookup): string | undefined {
  const claimName = volume.persistentVolumeClaim?.claimName;
  if (!claimName) return undefined;
  const pvc = lookup.claim(ns, claimName);
  if (!pvc) return `Unable to attach or mount volumes: unmounted volumes=[${volume.name}], unattached volumes=[], failed to process volumes=[${volume.name}]: error processing PVC ${ns}/${claimName}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`;
  if (pvc.status?.phase !== 'Bound') return `Unable to attach or mount volumes: unmounted volumes=[${volume.name}], unattached volumes=[], failed to process volumes=[${volume.name}]: error processing PVC ${ns}/${claimName}: PVC is not bound`;
  return undefined;
}

/** Why the pod's volumes cannot be mounted yet (a FailedMount message), if they cannot. */
export function volumeProblem(pod: KubeObject, lookup: DependencyLookup): string | undefined {
  const ns = pod.metadata.namespace!;
  for (const v of pod.spec?.volumes ?? []) {
    const claim = claimProblem(ns, v, lookup);
    if (claim) return claim;
    const sources = [v, ...(v.projected?.sources ?? [])];
    for (const s of sources) {
      const problem = sourceProblem(ns, s, lookup);
      if (problem) return `MountVolume.SetUp failed for volume "${v.name}" : ${problem}`;
    }
  }
  return undefined;
}

function refProblem(ns: string, ref: any, kind: 'ConfigMap' | 'Secret', lookup: DependencyLookup): string | undefined {
  if (!ref?.name) return undefined;
  const obj = kind === 'ConfigMap' ? lookup.configMap(ns, ref.name) : lookup.secret(ns, ref.name);
  if (!obj) return ref.optional ? undefined : `${kind.toLowerCase()} "${ref.name}" not found`;
  if (ref.key !== undefined && !hasKey(obj, ref.key) && !ref.optional) return `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`;
  return undefined;
}

/** Why a container cannot be created (CreateContainerConfigError), if it cannot. */
export function containerConfigError(pod: KubeObject, container: any, lookup: DependencyLookup): string | undefined {
  const ns = pod.metadata.namespace!;
  for (const from of container.envFrom ?? []) {
    const problem = refProblem(ns, from.configMapRef, 'ConfigMap', lookup) ?? refProblem(ns, from.secretRef, 'Secret', lookup);
    if (problem) return problem;
  }
  for (const env of container.env ?? []) {
    const problem = refProblem(ns, env.valueFrom?.configMapKeyRef, 'ConfigMap', lookup) ?? refProblem(ns, env.valueFrom?.secretKeyRef, 'Secret', lookup);
    if (problem) return problem;
  }
  return undefined;
}
