/**
 * `npm run build`: builds the web UI (web/ → web/dist, served by the API at `/`) with Vite, and
 * compiles src/ to JavaScript in dist/ for production processes
 * (`node dist/cli/main.js controller`). Development and tests run the TypeScript sources
 * directly; a long-running production process should not: Node's type stripping keeps its
 * WebAssembly compiler resident, about 30 MiB of the controller's memory budget.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureWebUi } from '../src/cli/web-build.ts';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Files the sources read at run time next to themselves (the code-server clone script).
for (const file of fs.readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
  if (!file.endsWith('.sh')) continue;
  fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
  fs.copyFileSync(path.join(root, 'src', file), path.join(dist, file));
}
// The web UI: Vite bundles web/ into web/dist, which the API serves at `/` (skipped when web/dist
// is newer than every source: a build running beside a server must not swap its files needlessly).
ensureWebUi();
process.stdout.write(`built web/dist/ (served by the API at /)\n`);
process.stdout.write(`built ${path.relative(root, dist)}/ (run: node dist/cli/main.js <command>)\n`);
