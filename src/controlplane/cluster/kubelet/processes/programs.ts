/**
 * The programs the `streamspace-local` runtime may start: a fixed list shipped with the platform.
 * A container's `command[0]` names one of them (templates, which only admins write, say which);
 * anything else is refused, so no Session field and no pod written by hand can make the runtime
 * run an arbitrary command. Programs are started by exec (no shell); each lists the binaries it
 * needs with the Debian package that provides them, so a missing one is reported by name.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A binary a program needs and the Debian package that installs it. */
export interface Requirement {
  binary: string;
  debianPackage: string;
}

/** A program the runtime can start. */
export interface LocalProgram {
  /** The argv prefix (the container's args follow). */
  argv: string[];
  needs: Requirement[];
}

const HERE = import.meta.dirname;
const NOTES_APP = path.resolve(HERE, '../../../../workspaces/notes-app.ts');

/** Every program, by the name a container's command uses. */
export const LOCAL_PROGRAMS: Readonly<Record<string, LocalProgram>> = {
  'streamspace-desktop': {
    argv: ['/bin/bash', path.join(HERE, 'programs/desktop.sh')],
    needs: [
      { binary: 'Xvfb', debianPackage: 'xvfb' }, { binary: 'x11vnc', debianPackage: 'x11vnc' },
      { binary: 'xterm', debianPackage: 'xterm' }, { binary: 'twm', debianPackage: 'twm' },
    ],
  },
  // The project's own web application, run on the platform's Node (no package needed).
  'streamspace-notes': { argv: [process.execPath, NOTES_APP], needs: [] },
};

/**
 * The folders searched for a program's binaries (and the PATH programs run with): the system's,
 * or STREAMSPACE_LOCAL_PROGRAM_PATH (colon-separated) where an operator keeps them elsewhere.
 */
export function programPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const custom = env.STREAMSPACE_LOCAL_PROGRAM_PATH?.split(':').filter((d) => path.isAbsolute(d));
  return custom?.length ? custom : ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
}

function onPath(binary: string, searchPath: string[]): boolean {
  return searchPath.some((dir) => {
    try {
      fs.accessSync(path.join(dir, binary), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The program `command` names, or an error message saying why it cannot run. */
export function resolveProgram(command: string[] | undefined, searchPath = programPath()): LocalProgram | string {
  const name = command?.[0];
  const known = Object.keys(LOCAL_PROGRAMS).join(', ');
  if (!name) return `the streamspace-local runtime needs a command naming one of its programs (${known})`;
  if (command.length > 1) return `command must be a single program name; put its arguments in args`;
  const program = Object.hasOwn(LOCAL_PROGRAMS, name) ? LOCAL_PROGRAMS[name] : undefined;
  if (!program) return `"${name}" is not a program of the streamspace-local runtime (allowed: ${known})`;
  const missing = program.needs.filter((n) => !onPath(n.binary, searchPath));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((m) => m.debianPackage))].join(' ');
    return `${missing.map((m) => m.binary).join(', ')} not found: install the Debian package${missing.length > 1 ? 's' : ''} ${pkgs} (apt-get install -y ${pkgs}, or scripts/ensure-desktop.sh)`;
  }
  return program;
}
