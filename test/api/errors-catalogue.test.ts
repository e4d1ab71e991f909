/**
 * The error catalogue (src/api/errors.ts) and its table in docs/API.md list the same codes with
 * the same statuses, and the source uses every code it defines.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { ERRORS } from '../../src/api/errors.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) return [];
    const text = fs.readFileSync(p, 'utf8');
    // In the catalogue itself, only the helpers after the table count as uses.
    return [e.name === 'errors.ts' ? text.slice(text.indexOf('export class ApiError')) : text];
  });
}

it('documents exactly the catalogue, with the same statuses', () => {
  const doc = fs.readFileSync(path.join(root, 'docs', 'API.md'), 'utf8');
  const documented = Object.fromEntries([...doc.matchAll(/^\| `(SS_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
  const catalogue = Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.status]));
  assert.deepEqual(documented, catalogue);
});

it('uses every code it defines', () => {
  const code = sources(path.join(root, 'src', 'api')).join('\n');
  for (const name of Object.keys(ERRORS)) assert.ok(code.includes(`'${name}'`), `${name} is never used`);
});
