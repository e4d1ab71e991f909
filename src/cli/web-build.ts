/**
 * Building the web UI (web/ → web/dist) with Vite, for `npm run build`, for `streamspace up` on a
 * fresh clone (built once when web/dist is missing or older than web/src) and for the web tests.
 * Vite writes into a fresh folder that then replaces web/dist by two renames, so a server reading
 * web/dist meanwhile never sees it half written.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WEB = path.join(ROOT, 'web');
export const WEB_DIST = path.join(WEB, 'dist');
const VITE = path.join(ROOT, 'node_modules/vite/bin/vite.js');

function newestSource(): number {
  const files = fs.readdirSync(path.join(WEB, 'src'), { recursive: true, encoding: 'utf8' });
  return Math.max(...files.map((f) => fs.statSync(path.join(WEB, 'src', f)).mtimeMs), fs.statSync(path.join(WEB, 'index.html')).mtimeMs);
}

/** Whether web/dist holds a build at least as new as the sources. */
export function webBuildIsCurrent(): boolean {
  const index = path.join(WEB_DIST, 'index.html');
  return fs.existsSync(index) && (!fs.existsSync(path.join(WEB, 'src')) || fs.statSync(index).mtimeMs >= newestSource());
}

/** Builds web/dist; throws with Vite's exit status when it fails. */
export function buildWebUi(): void {
  if (!fs.existsSync(VITE)) throw new Error('Vite is not installed (run npm ci): cannot build the web UI');
  const staging = `${WEB_DIST}.build-${process.pid}`;
  const vite = spawnSync(process.execPath, [VITE, 'build', '--logLevel', 'error', '--outDir', staging, WEB], { stdio: 'inherit' });
  if (vite.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`building the web UI failed (vite exited ${vite.status})`);
  }
  swapIn(staging);
}

/**
 * Moves `staging` to web/dist. Another process may be swapping in its own build of the same
 * sources at the same moment (test files start in parallel); when web/dist keeps reappearing,
 * that build is as good as ours and ours is dropped.
 */
function swapIn(staging: string): void {
  const old = `${WEB_DIST}.old-${process.pid}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      if (fs.existsSync(WEB_DIST)) fs.renameSync(WEB_DIST, old);
      fs.renameSync(staging, WEB_DIST);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw err;
    }
  }
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(old, { recursive: true, force: true });
}

/** Builds web/dist unless it is current (`npm run build`, `streamspace up`, the web tests). */
export function ensureWebUi(): void {
  if (!webBuildIsCurrent()) buildWebUi();
}
