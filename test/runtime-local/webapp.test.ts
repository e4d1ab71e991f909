/**
 * The streamspace-local runtime with the built-in `local-notes` web app, driven through
 * `streamspace up`'s API and kubectl: the session's pod is a real process listening on its own
 * loopback address; hibernate ends it and closes the port, wake brings the same notes back from
 * the home folder, terminate keeps the folder, and only deleting the claim removes it. A killed
 * process is restarted with restartCount, lastState and `kubectl logs --previous`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { alive, pidOf, Platform } from './platform.ts';

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function notes(ip: string): Promise<string[]> {
  const res = await fetch(`http://${ip}:8080/api/notes`);
  return ((await res.json()) as { text: string }[]).map((n) => n.text);
}

void describe('streamspace-local runtime: the notes web app', () => {
  const platform = new Platform();
  before(() => platform.start());
  after(() => platform.dispose());

  void it('runs Running → Hibernated → Running → Terminated with the home folder kept until its claim is deleted', async () => {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-notes' });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const name = created.json.metadata.name;
    await platform.phase(name, 'Running');
    const pod = await platform.readyPod(name);
    const ip = pod.status.podIP;
    assert.match(ip, /^127\.77\.\d+\.\d+$/);
    const pid = pidOf(pod);
    assert.ok(alive(pid), 'the container is a live process');
    // The template's 512Mi memory limit is applied through cgroup v2 where writable, else said in the pod's status.
    const limits = pod.status.conditions.find((c: any) => c.type === 'LocalResourceLimits');
    if (limits) assert.match(limits.message, /memory limit 512Mi/);
    else assert.ok(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes('streamspace-local'), 'the process is in its cgroup');
    assert.notEqual(fs.statSync(`/proc/${pid}`).uid, 0, 'the process does not run as root');
    // The Service's endpoints point where the process listens.
    const eps = JSON.parse(await platform.kubectl.ok(['get', 'endpoints', '-n', 'streamspace', '-o', 'json']));
    const addresses = eps.items.flatMap((e: any) => (e.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => `${a.ip}:${s.ports[0].port}`)));
    assert.ok(addresses.includes(`${ip}:8080`), `endpoints ${addresses.join(',')} include ${ip}:8080`);

    const posted = await fetch(`http://${ip}:8080/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'remember the milk' }) });
    assert.equal(posted.status, 201);
    const claimName = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName;
    const claim = JSON.parse(await platform.kubectl.ok(['get', 'pvc', '-n', 'streamspace', claimName, '-o', 'json']));
    const home = path.join(platform.dataDir, 'local-runtime', 'claims', claim.metadata.uid);
    assert.match(fs.readFileSync(path.join(home, 'notes.json'), 'utf8'), /remember the milk/);

    assert.equal((await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'hibernated' })).status, 202);
    await platform.phase(name, 'Hibernated');
    await eventually('the process gone', () => !alive(pid), 30_000);
    assert.equal(await portOpen(ip, 8080), false, 'the port is closed while hibernated');
    assert.ok(fs.existsSync(path.join(home, 'notes.json')), 'the home folder survives hibernation');

    assert.equal((await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'running' })).status, 202);
    await platform.phase(name, 'Running');
    const woken = await platform.readyPod(name);
    assert.notEqual(pidOf(woken), pid, 'a new process');
    assert.deepEqual(await notes(woken.status.podIP), ['remember the milk'], 'the same notes after wake');

    assert.equal((await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'terminated' })).status, 202);
    await platform.phase(name, 'Terminated');
    await eventually('the woken process gone', () => !alive(pidOf(woken)), 30_000);
    assert.match(fs.readFileSync(path.join(home, 'notes.json'), 'utf8'), /remember the milk/, 'terminate keeps the home folder');

    await platform.kubectl.ok(['delete', 'pvc', '-n', 'streamspace', claimName, '--wait=false']);
    await eventually('the home folder removed with its claim', () => !fs.existsSync(home), 30_000);
  });

  void it('restarts a killed process: restartCount, lastState, exit code and kubectl logs --previous', async () => {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-notes' });
    const name = created.json.metadata.name;
    const pod = await platform.readyPod(name);
    const ip = pod.status.podIP;
    await fetch(`http://${ip}:8080/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'before the crash' }) });
    const added = await eventually('the note in the process\'s output', async () => {
      return /notes: added note \d+/.exec(await platform.kubectl.ok(['logs', '-n', 'streamspace', pod.metadata.name]))?.[0];
    });
    const pid = pidOf(pod);
    process.kill(pid, 'SIGKILL');
    const restarted = await eventually('the container restarted and ready', async () => {
      const [p] = await platform.pods(name);
      const cs = p?.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.ready && pidOf(p) !== pid ? p : undefined;
    }, 60_000);
    const cs = restarted.status.containerStatuses[0];
    assert.equal(cs.lastState.terminated.exitCode, 137, 'SIGKILL is exit code 128 + 9');
    assert.equal(cs.lastState.terminated.reason, 'Error');
    const previous = await platform.kubectl.ok(['logs', '-n', 'streamspace', restarted.metadata.name, '--previous']);
    assert.ok(previous.includes(added), 'the previous instance\'s output');
    const current = await platform.kubectl.ok(['logs', '-n', 'streamspace', restarted.metadata.name]);
    assert.match(current, /notes: listening on/);
    assert.ok(!current.includes(added), 'the current instance\'s output only');
    assert.ok((await notes(ip)).includes('before the crash'), 'the data survived the crash');
  });

  void it('streams new output to kubectl logs -f until the instance ends', async () => {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-notes' });
    const pod = await platform.readyPod(created.json.metadata.name);
    const follow = platform.kubectl.start(['logs', '-f', '-n', 'streamspace', pod.metadata.name]);
    let out = '';
    follow.stdout!.on('data', (d) => (out += String(d)));
    try {
      await eventually('the output so far', () => out.includes('notes: listening on'), 30_000);
      const before = out.length;
      await fetch(`http://${pod.status.podIP}:8080/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'streamed' }) });
      await eventually('the new line streamed', () => /notes: added note \d+/.test(out.slice(before)), 30_000);
      // The stream ends with the container instance, as kubectl logs -f does when a container exits.
      const ended = new Promise((resolve) => follow.once('exit', resolve));
      process.kill(pidOf(pod), 'SIGKILL');
      assert.equal(await ended, 0);
    } finally {
      follow.kill();
    }
  });

  void it('drains the node: the process ends and the session runs again with a new one elsewhere', async () => {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-notes' });
    const name = created.json.metadata.name;
    const pod = await platform.readyPod(name);
    const pid = pidOf(pod);
    const node = pod.spec.nodeName;
    const op = await platform.api('POST', `/api/v1/nodes/${node}/operations`, { operation: 'drain' });
    assert.equal(op.status, 202, JSON.stringify(op.json));
    try {
      await eventually('the drained pod\'s process gone', () => !alive(pid), 60_000);
      const moved = await eventually('a new ready pod on another node', async () => {
        const p = await platform.readyPod(name);
        return p.metadata.name !== pod.metadata.name && p.spec.nodeName !== node ? p : undefined;
      }, 90_000);
      assert.ok(alive(pidOf(moved)));
      assert.ok(Array.isArray(await notes(moved.status.podIP)), 'the new process serves');
    } finally {
      await platform.api('POST', `/api/v1/nodes/${node}/operations`, { operation: 'uncordon' });
    }
  });
});
