/**
 * Writes deploy/crds/<plural>.stream.streamspace.io.yaml from the TypeBox schemas in src/apis.
 * Run with `npx node scripts/gen-crds.ts`; a test fails when the committed files drift.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crds } from '../src/apis/index.ts';
import { crdFile, crdFileName } from '../src/apis/crd-yaml.ts';

/** deploy/crds, resolved from this script so it works from any working directory. */
export const CRDS_DIR = fileURLToPath(new URL('../deploy/crds/', import.meta.url));

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
  for (const path of writeCrds()) console.log(`wrote ${path}`);
}
