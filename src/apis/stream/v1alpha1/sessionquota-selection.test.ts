import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTemplateAllowed, selectSessionQuota } from './sessionquota-selection.ts';
import type { SessionQuota, SessionQuotaSpec } from './sessionquota.ts';

function quota(name: string, spec: SessionQuotaSpec): SessionQuota {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'SessionQuota', metadata: { name }, spec };
}

const quotas = [
  quota('z-default', { default: true, limits: { maxSessions: 1 } }),
  quota('b-students', { groups: ['students'], limits: { maxSessions: 2 } }),
  quota('a-staff', { groups: ['staff', 'students'], limits: { maxSessions: 5 } }),
  quota('c-alice', { users: ['alice'], limits: { maxSessions: 10 } }),
  quota('a-default', { default: true, limits: { maxSessions: 3 } }),
];

void test('user beats group beats default', () => {
  assert.deepEqual(pick('alice', ['students']), ['c-alice', 'user']);
  assert.deepEqual(pick('bob', ['students']), ['a-staff', 'group']);
  assert.deepEqual(pick('carol', ['visitors']), ['a-default', 'default']);
});

void test('ties at one level go to the name sorting first; no match means no quota', () => {
  assert.deepEqual(pick('dave', ['students', 'staff']), ['a-staff', 'group']);
  assert.equal(selectSessionQuota(quotas.filter((q) => !q.spec.default), 'carol', []), undefined);
});

function pick(user: string, groups: string[]): [string | undefined, string] | undefined {
  const selected = selectSessionQuota(quotas, user, groups);
  return selected && [selected.quota.metadata.name, selected.matchedBy];
}

void test('allowedTemplates globs', () => {
  const q = quota('q', { allowedTemplates: ['firefox', 'code-*', 'desk?op'] });
  assert.equal(isTemplateAllowed(q, 'firefox'), true);
  assert.equal(isTemplateAllowed(q, 'code-server'), true);
  assert.equal(isTemplateAllowed(q, 'desktop'), true);
  assert.equal(isTemplateAllowed(q, 'firefox-esr'), false);
  assert.equal(isTemplateAllowed(q, 'xcode-server'), false);
  assert.equal(isTemplateAllowed(quota('open', {}), 'anything'), true);
  assert.equal(isTemplateAllowed(quota('dots', { allowedTemplates: ['a.b'] }), 'axb'), false);
});
