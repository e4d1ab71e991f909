import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from './session.ts';
import { isDNS1035Label, isDNS1123Label, isValidLabelValue } from '../../../apimachinery/validation.ts';
import { dnsLabel, homeClaimName, nameLabelValue, sessionHostLabel, userLabelValue, workloadName } from './naming.ts';

const ODD_USERS = ['john.doe', 'john-doe', 'John Doe', 'JOHN_DOE', 'jöhn', '---', '', 'a'.repeat(300), 'alice@example.com', '名前'];

function session(name: string): Session {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name }, spec: { user: 'u', template: 't' } };
}

test('users whose names sanitize alike get different home claims and label values', () => {
  assert.notEqual(homeClaimName('john.doe'), homeClaimName('john-doe'));
  assert.notEqual(homeClaimName('John Doe'), homeClaimName('john-doe'));
  assert.notEqual(userLabelValue('john.doe'), userLabelValue('john-doe'));
  assert.match(homeClaimName('john.doe'), /^home-john-doe-[0-9a-f]{10}$/);
});

test('home claim names are deterministic, readable and valid DNS labels for any user', () => {
  assert.equal(homeClaimName('alice'), homeClaimName('alice'));
  for (const user of ODD_USERS) {
    assert.deepEqual(isDNS1123Label(homeClaimName(user)), [], `claim for ${JSON.stringify(user)}: ${homeClaimName(user)}`);
    assert.deepEqual(isValidLabelValue(userLabelValue(user)), [], `label for ${JSON.stringify(user)}: ${userLabelValue(user)}`);
  }
  assert.equal(new Set(ODD_USERS.map(homeClaimName)).size, ODD_USERS.length);
});

test('workload names are DNS-1035 labels derived from the session name, shortened with a hash when needed', () => {
  assert.equal(workloadName(session('alice-firefox')), 'ss-alice-firefox');
  const long = `${'a.'.repeat(100)}b`;
  const other = `${'a.'.repeat(100)}c`;
  assert.deepEqual(isDNS1035Label(workloadName(session(long))), []);
  assert.notEqual(workloadName(session(long)), workloadName(session(other)));
  assert.equal(sessionHostLabel(session('alice-firefox')), 'alice-firefox');
  assert.notEqual(sessionHostLabel(session('a.b')), sessionHostLabel(session('a-b')));
});

test('names that are already valid stay as they are; long ones are cut with a hash', () => {
  assert.equal(dnsLabel('plain-name'), 'plain-name');
  assert.equal(nameLabelValue('firefox'), 'firefox');
  const long = 'x'.repeat(80);
  assert.equal(nameLabelValue(long).length, 63);
  assert.deepEqual(isValidLabelValue(nameLabelValue(`${'y.'.repeat(40)}z`)), []);
});
