import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KubeObject } from '../apimachinery/object.ts';
import { isLaterVersion, QuotaReservations } from './reservations.ts';
import type { SessionFootprint } from '../apis/stream/v1alpha1/quota-usage.ts';

const footprint: SessionFootprint = { counted: true, running: true, cpu: 1_000_000_000n, memory: 0n, persistentHome: true };

function seen(name: string, uid: string, resourceVersion: string): KubeObject {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { namespace: 'ns', name, uid, resourceVersion } };
}

void it('holds a created session until the informer sees that object, or until it times out', () => {
  let now = 0;
  const r = new QuotaReservations({ timeoutMs: 1000, now: () => now });
  r.reserve({ key: 'ns/a', uid: 'u1', user: 'alice', footprint, replacesVersion: '' });
  r.reserve({ key: 'ns/b', uid: 'u2', user: 'alice', footprint, replacesVersion: '' });
  r.onAdd(seen('a', 'someone-else', '5'));
  assert.deepEqual(r.forUser('alice').map((x) => x.key), ['ns/a', 'ns/b'], 'another object under the same name releases nothing');
  r.onAdd(seen('a', 'u1', '6'));
  assert.deepEqual(r.forUser('alice').map((x) => x.key), ['ns/b']);
  now = 1000;
  assert.deepEqual(r.forUser('alice'), [], 'a write refused after admission never shows up: the reservation expires');
  assert.equal(r.size(), 0);
});

void it('holds an update until the informer delivers a version after the one it replaced', () => {
  const r = new QuotaReservations();
  r.reserve({ key: 'ns/a', uid: 'u1', user: 'alice', footprint, replacesVersion: '10' });
  r.onUpdate(seen('a', 'u1', '9'), seen('a', 'u1', '10'));
  assert.equal(r.size(), 1, 'a lagging cache catching up to the replaced version releases nothing');
  r.onUpdate(seen('a', 'u1', '10'), seen('a', 'u1', '11'));
  assert.equal(r.size(), 0);
  r.reserve({ key: 'ns/a', uid: 'u1', user: 'alice', footprint, replacesVersion: '11' });
  r.onDelete(seen('a', 'u1', '11'));
  assert.equal(r.size(), 0, 'deletion releases');
});

void it('orders integer resourceVersions numerically and compares other ones for inequality', () => {
  assert.equal(isLaterVersion('10', '9'), true);
  assert.equal(isLaterVersion('9', '10'), false);
  assert.equal(isLaterVersion('abc', 'abc'), false);
  assert.equal(isLaterVersion('abd', 'abc'), true);
  assert.equal(isLaterVersion('1', ''), true);
});
