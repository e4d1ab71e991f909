/**
 * Test support: Debian's python3-kubernetes (the official Python client) for /usr/bin/python3,
 * installed with apt-get when missing (as root; CI runs as root). Arguments go as an argv array.
 */
import { execFileSync } from 'node:child_process';

function installed(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import kubernetes'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure `import kubernetes` works in /usr/bin/python3; throws with the reason when it cannot. */
export function ensurePythonKubernetes(): void {
  if (installed()) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-kubernetes'], { stdio: 'ignore', env });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'python3-kubernetes'], { stdio: 'ignore', env });
  }
  if (!installed()) throw new Error('python3-kubernetes is not importable after apt-get install python3-kubernetes');
}
