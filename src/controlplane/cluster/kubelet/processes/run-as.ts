/**
 * Who workspace processes run as. When the platform runs as root they run as a dedicated
 * unprivileged user (`streamspace`, created by scripts/ensure-desktop.sh; STREAMSPACE_LOCAL_USER
 * names another); otherwise as the platform's own user. Never as root.
 */
import fs from 'node:fs';

/** A uid/gid pair, or a message saying why none is usable. */
export type RunAs = { uid: number; gid: number; name: string } | { problem: string };

/** The user from /etc/passwd (no `id` subprocess: this runs on the kubelet's hot path). */
function lookup(name: string): { uid: number; gid: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

/** The identity to start processes as. */
export function runAs(): RunAs {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid, name: String(uid) };
  const name = process.env.STREAMSPACE_LOCAL_USER || 'streamspace';
  const user = lookup(name);
  if (!user) return { problem: `the platform runs as root and the unprivileged user "${name}" does not exist: run scripts/ensure-desktop.sh` };
  if (user.uid === 0) return { problem: `user "${name}" is root; workspace processes never run as root` };
  return { ...user, name };
}
