/**
 * Writes deploy/crds/<plural>.stream.streamspace.io.yaml, and the same files into the Helm chart's
 * crds/ folder, from the TypeBox schemas in src/apis.
 * Run with `npx node scripts/gen-crds.ts`; a test fails when the committed files drift.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crds } from '../src/apis/index.ts';
import { crdFile, crdFileName } from '../src/apis/crd-yaml.ts';

/** deploy/crds, resolved from this script so it works from any working directory. */
export const CRDS_DIR = fileURLToPath(new URL('../deploy/crds/', import.meta.url));

/** The chart's crds/ folder: Helm installs these before the templates and never deletes them. */
export const CHART_CRDS_DIR = fileURLToPath(new URL('../deploy/helm/streamspace/crds/', import.meta.url));

/** Writes every CRD file and returns the paths written. */
export function writeCrds(dir: string = CRDS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return crds().map((crd) => {
    const path = join(dir, crdFileName(crd));
    writeFileSync(path, crdFile(crd));
    return path;
  });
}

if (import.meta.main) {
  for (const dir of [CRDS_DIR, CHART_CRDS_DIR]) {
    for (const path of writeCrds(dir)) console.log(`wrote ${path}`);
  }
}
