import assert from 'node:assert/strict';
import test from 'node:test';
import { LOCAL_PROGRAMS, programPath, resolveProgram } from './programs.ts';

void test('only the runtime\'s own programs are started, named alone by command', () => {
  assert.match(resolveProgram(['/bin/sh']) as string, /"\/bin\/sh" is not a program of the streamspace-local runtime \(allowed: streamspace-desktop, streamspace-notes\)/);
  assert.match(resolveProgram(['streamspace-notes', '-c', 'rm -rf /']) as string, /single program name/);
  assert.match(resolveProgram(undefined) as string, /needs a command/);
  assert.match(resolveProgram(['toString']) as string, /not a program/, 'inherited object keys are not programs');
  assert.equal(resolveProgram(['streamspace-notes']), LOCAL_PROGRAMS['streamspace-notes']);
});

void test('a missing binary is reported with the Debian package that installs it', () => {
  const problem = resolveProgram(['streamspace-desktop'], ['/nonexistent']) as string;
  assert.match(problem, /^Xvfb, x11vnc, xterm, twm not found: install the Debian packages xvfb x11vnc xterm twm/);
});

void test('STREAMSPACE_LOCAL_PROGRAM_PATH replaces the search path; relative folders are ignored', () => {
  assert.deepEqual(programPath({ STREAMSPACE_LOCAL_PROGRAM_PATH: '/opt/x/bin:relative' }), ['/opt/x/bin']);
  assert.ok(programPath({}).includes('/usr/bin'));
});
