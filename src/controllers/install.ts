/**
 * Installing StreamSpace into a cluster the way `streamspace up` does on the embedded control
 * plane: the CRDs (applied every time, so a newer build upgrades their schemas) and the built-in
 * templates from deploy/templates (created only when missing, so an operator's edits survive
 * restarts). Tests and the benchmark install through here too: over the API, like a client.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { crds } from '../apis/index.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { ignoreAlreadyExists, isNotFound, type KubeClient } from '../runtime/client.ts';
import { sleep, realClock } from '../runtime/clock.ts';
import { applyPatch } from '../runtime/patch.ts';
import { SessionKind, TemplateKind } from './kinds.ts';

/** The namespace `streamspace up` installs the built-in templates into. */
export const PLATFORM_NAMESPACE = 'streamspace';

const TEMPLATES_DIR = path.resolve(import.meta.dirname, '../../deploy/templates');

/** Applies every StreamSpace CRD and waits until the API serves sessions and templates. */
export async function installCrds(client: KubeClient, timeoutMs = 30_000): Promise<void> {
  for (const crd of crds()) {
    const obj = crd as unknown as KubeObject;
    await client.patch(obj, applyPatch(obj, { force: true }));
  }
  const deadline = Date.now() + timeoutMs;
  for (const kind of [TemplateKind, SessionKind]) {
    while (!(await isServed(client, kind))) {
      if (Date.now() > deadline) throw new Error(`${kind.kind} is not served ${timeoutMs} ms after installing its CRD`);
      await sleep(realClock, 50);
    }
  }
}

async function isServed(client: KubeClient, kind: { apiVersion: string; kind: string }): Promise<boolean> {
  try {
    await client.list(kind, { limit: 1 });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** The built-in templates shipped in deploy/templates, without a namespace. */
export function builtinTemplates(dir = TEMPLATES_DIR): Template[] {
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => yaml.load(fs.readFileSync(path.join(dir, f), 'utf8')) as Template);
}

/** Creates `namespace` unless it exists. */
export async function ensureNamespace(client: KubeClient, namespace: string): Promise<void> {
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }).catch(ignoreAlreadyExists);
}

/** Creates the built-in templates missing from `namespace` (and the namespace); returns the names created. */
/** Images that replace a built-in template's baseImage, by template name (e.g. the seed's CODESERVER_IMAGE). */
export type TemplateImageOverrides = Record<string, string | undefined>;

export async function installBuiltinTemplates(
  client: KubeClient, namespace = PLATFORM_NAMESPACE, images: TemplateImageOverrides = {},
): Promise<string[]> {
  await ensureNamespace(client, namespace);
  const created: string[] = [];
  for (const template of builtinTemplates()) {
    const image = images[template.metadata.name ?? ''];
    const spec = image ? { ...template.spec, baseImage: image } : template.spec;
    const obj = { ...template, spec, metadata: { ...template.metadata, namespace } };
    const made = await client.create(obj).catch(ignoreAlreadyExists);
    if (made) created.push(obj.metadata.name ?? '');
  }
  return created;
}

/** The name of the quota `streamspace up` installs. */
export const DEFAULT_QUOTA_NAME = 'default';

/**
 * The default SessionQuota `streamspace up` ships (docs/SECURITY.md): it covers every user no
 * other quota names, so a fresh install is never unbounded. Created only when missing: an admin
 * changes it with `PUT /api/v1/quotas/default` (or kubectl), and it is not re-created while a
 * quota with that name exists. `STREAMSPACE_DEFAULT_QUOTA=false` installs none.
 */
export function defaultSessionQuota(): KubeObject {
  return {
    apiVersion: SessionKind.apiVersion, kind: 'SessionQuota',
    metadata: { name: DEFAULT_QUOTA_NAME, labels: { 'app.kubernetes.io/managed-by': 'streamspace-installer' } },
    spec: {
      default: true,
      limits: {
        maxSessions: 5, maxRunningSessions: 3, maxCPUPerSession: '4', maxMemoryPerSession: '8Gi', maxTotalCPU: '8', maxTotalMemory: '16Gi',
        maxStorage: '50Gi', maxPerSession: { 'nvidia.com/gpu': '0' },
      },
    },
  } as KubeObject;
}

/** Creates the default quota when missing; true when it was created now. */
export async function installDefaultQuota(client: KubeClient): Promise<boolean> {
  const kind = { apiVersion: SessionKind.apiVersion, kind: 'SessionQuota' };
  if (!client.resources.has(kind)) client.resources.register({ ...kind, plural: 'sessionquotas', namespaced: false });
  return Boolean(await client.create(defaultSessionQuota()).catch(ignoreAlreadyExists));
}
