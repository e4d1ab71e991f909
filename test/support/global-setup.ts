/**
 * Runs once before `npm test` (node --test-global-setup): makes sure the machine has what the
 * suites drive for real, so `npm ci && npm test` works on a fresh machine as `.ci/run` does —
 * PostgreSQL's server binaries, Debian's Chromium, the desktop programs and the unprivileged user
 * of the local process runtime, and the official Python client. Each script is idempotent and
 * quick when everything is there; each installs from Debian's packages only when something is
 * missing (which needs root, as CI has).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensurePythonKubernetes } from './python-kubernetes.ts';

const SCRIPTS = ['ensure-postgres.sh', 'ensure-chromium.sh', 'ensure-desktop.sh'];

export function globalSetup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  for (const script of SCRIPTS) execFileSync(path.join(root, 'scripts', script), { stdio: ['ignore', 'ignore', 'inherit'] });
  ensurePythonKubernetes();
}
