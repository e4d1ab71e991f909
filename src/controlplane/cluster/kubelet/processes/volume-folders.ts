/**
 * A local pod's volumes as folders under the runtime's folder: a PersistentVolumeClaim is
 * `claims/<claim uid>` (it outlives pods, so a user's home survives hibernate, wake and
 * terminate, and goes only when its claim is deleted), an emptyDir is `pods/<pod uid>/<volume>`
 * (gone with the pod). Folders belong to the user the processes run as. Paths inside the
 * container (mountPath) are translated to these folders wherever the container names them:
 * env values and workingDir.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../../../apimachinery/object.ts';

/** A container mount resolved to a folder. */
export interface HostMount {
  mountPath: string;
  folder: string;
  readOnly: boolean;
}

/** Looks up a claim by namespace and name. */
export type ClaimLookup = (namespace: string, name: string) => KubeObject | undefined;

/** The runtime's volume folders. */
export class VolumeFolders {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    for (const dir of ['claims', 'pods']) fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o711 });
  }

  claimFolder(uid: string): string {
    return path.join(this.root, 'claims', uid);
  }

  podFolder(podUid: string): string {
    return path.join(this.root, 'pods', podUid);
  }

  /** The container's mounts as folders (created, owned by `owner`), or a message naming the volume that cannot be mapped. */
  mountsOf(pod: KubeObject, spec: any, claims: ClaimLookup, owner: { uid: number; gid: number }): HostMount[] | string {
    const volumes = new Map<string, any>((pod.spec.volumes ?? []).map((v: any) => [v.name, v]));
    const out: HostMount[] = [];
    for (const m of spec.volumeMounts ?? []) {
      const v = volumes.get(m.name);
      let folder: string;
      if (v?.persistentVolumeClaim) {
        const claim = claims(pod.metadata.namespace!, v.persistentVolumeClaim.claimName);
        if (!claim?.metadata.uid) return `volume "${m.name}": claim ${v.persistentVolumeClaim.claimName} not found`;
        folder = this.claimFolder(claim.metadata.uid);
      } else if (v?.emptyDir) {
        folder = path.join(this.podFolder(pod.metadata.uid!), m.name);
      } else {
        return `volume "${m.name}": the streamspace-local runtime maps only persistentVolumeClaim and emptyDir volumes to folders`;
      }
      ensureOwned(folder, owner);
      const sub = m.subPath ? path.join(folder, path.normalize(`/${m.subPath}`)) : folder;
      if (sub !== folder) ensureOwned(sub, owner);
      out.push({ mountPath: String(m.mountPath).replace(/\/+$/, '') || '/', folder: sub, readOnly: Boolean(m.readOnly) });
    }
    return out;
  }

  /** Removes what a pod had (its emptyDirs). */
  removePod(podUid: string): void {
    fs.rmSync(this.podFolder(podUid), { recursive: true, force: true });
  }

  /** Removes a deleted claim's folder: the only way a home folder goes. */
  removeClaim(uid: string): void {
    fs.rmSync(this.claimFolder(uid), { recursive: true, force: true });
  }

  /** Removes folders of claims deleted while the platform was down. */
  sweepClaims(existing: Set<string>): void {
    for (const uid of fs.readdirSync(path.join(this.root, 'claims'))) if (!existing.has(uid)) this.removeClaim(uid);
  }
}

function ensureOwned(folder: string, owner: { uid: number; gid: number }): void {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const st = fs.statSync(folder);
  if (st.uid !== owner.uid || st.gid !== owner.gid) fs.chownSync(folder, owner.uid, owner.gid);
}

/** `value` with a container path under a mount replaced by the mount's folder. */
export function translatePath(value: string, mounts: HostMount[]): string {
  // Longest mountPath first: /home/user/data wins over /home/user.
  for (const m of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
    if (value === m.mountPath) return m.folder;
    if (value.startsWith(`${m.mountPath}/`)) return m.folder + value.slice(m.mountPath.length);
  }
  return value;
}
