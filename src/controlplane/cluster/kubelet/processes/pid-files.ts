/**
 * Pid files: one per running container process, under `<root>/run/`, holding its pid (also its
 * process group: each container is started as a session leader) and its start time from
 * /proc/<pid>/stat. A pid alone could name an unrelated process after reuse; the start time
 * cannot. After a SIGKILL of the platform, the next start ends every group still recorded
 * (reapStale) before the kubelet starts anything, so no workspace process is left orphaned.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What a pid file records. */
export interface PidRecord {
  pid: number;
  startTime: string;
  podUid: string;
  container: string;
}

/** The start time (clock ticks since boot) of `pid`, or undefined when no such process exists. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Pids of every live process whose process group is `pgid` (zombies have ended: they only wait to be reaped). */
export function membersOfGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** The pid files of one runtime folder. */
export class PidFiles {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'run');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(podUid: string, container: string): string {
    return path.join(this.dir, `${podUid}.${container}.json`);
  }

  /** Records a started process. */
  write(record: PidRecord): void {
    const file = this.file(record.podUid, record.container);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  remove(podUid: string, container: string): void {
    fs.rmSync(this.file(podUid, container), { force: true });
  }

  /**
   * Ends every recorded process group that still exists and removes the files; returns the pids
   * signalled. A group whose leader is gone still holds its id (Linux does not reuse a pid while a
   * group or session has it), so members found under it are ours too.
   */
  reapStale(): number[] {
    const killed: number[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      let rec: PidRecord | undefined;
      try {
        rec = JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord;
      } catch {
        rec = undefined;
      }
      if (rec && Number.isInteger(rec.pid) && rec.pid > 1) {
        const start = processStartTime(rec.pid);
        const ours = start === rec.startTime || (start === undefined && membersOfGroup(rec.pid).length > 0);
        if (ours) {
          try {
            process.kill(-rec.pid, 'SIGKILL');
            killed.push(rec.pid);
          } catch {
            // Already gone.
          }
        }
      }
      fs.rmSync(file, { force: true });
    }
    return killed;
  }
}
