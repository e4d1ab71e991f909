/**
 * Issue 18, items 3, 7 and 11 at the command line: the --in-memory kubeconfig lives in a private
 * folder removed on stop and is never written through a symbolic link; OIDC without an audience
 * is refused unless explicitly opted out of (with a warning); a weak first-admin password is
 * refused; every subcommand answers --help and rejects unknown flags instead of starting.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, startStreamspace } from '../support/processes.ts';

/** Runs `streamspace ...args` to completion (commands that must not start anything). */
function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command line hardening', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-cli-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const sub of ['up', 'cluster', 'api', 'controller', 'crds']) {
    it(`${sub} --help prints its usage and starts nothing`, () => {
      const r = run([sub, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: streamspace ${sub}`));
    });
    it(`${sub} refuses an unknown flag`, () => {
      const r = run([sub, '--no-such-flag']);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /no-such-flag/);
    });
  }

  it('refuses OIDC without an audience, and warns when explicitly opted out', () => {
    const refused = run(['api', '--auth', 'oidc', '--oidc-issuer', 'https://issuer.invalid', '--in-memory']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /--oidc-audience/);
    const optedOut = run(['api', '--auth', 'oidc', '--oidc-issuer', 'https://issuer.invalid', '--oidc-no-audience', '--kubeconfig', path.join(tmp, 'missing'), '--in-memory']);
    assert.match(optedOut.stderr, /warning: --oidc-no-audience/);
  });

  for (const sub of ['api', 'up']) {
    it(`${sub} refuses a weak first-admin password before starting anything`, () => {
      const r = run([sub, '--in-memory', '--kubeconfig', path.join(tmp, 'missing')], { STREAMSPACE_ADMIN_PASSWORD: 'a' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /STREAMSPACE_ADMIN_PASSWORD: must be at least 12 characters/);
      assert.equal(fs.existsSync(path.join(tmp, 'missing')), false, 'no kubeconfig was written: nothing started');
    });
  }

  it('refuses to write the kubeconfig through a symbolic link', () => {
    const target = path.join(tmp, 'attacker-owned');
    fs.writeFileSync(target, '');
    const link = path.join(tmp, 'kubeconfig');
    fs.symlinkSync(target, link);
    const r = run(['cluster', '--in-memory', '--port', '0', '--kubeconfig', link]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /symbolic link/);
    assert.equal(fs.readFileSync(target, 'utf8'), '', 'nothing was written through the link');
  });

  it('keeps the --in-memory kubeconfig in a private folder and removes it on stop', async () => {
    const cluster = startStreamspace(['cluster', '--in-memory', '--port', '0']);
    try {
      const [, file] = await cluster.waitFor(/Kubeconfig written to (\S+)/, 'the kubeconfig path');
      const dir = path.dirname(file!);
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700, 'only the owner may enter the folder');
      assert.equal(fs.statSync(file!).mode & 0o777, 0o600);
      assert.match(fs.readFileSync(file!, 'utf8'), /token:/);
      assert.equal(await cluster.kill('SIGTERM'), 0);
      assert.equal(fs.existsSync(dir), false, 'the folder is removed on stop');
    } finally {
      await cluster.kill('SIGKILL');
    }
  });
});
