import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LABELS, LEGACY_USER_LABEL, userLabelValue } from '../apis/stream/v1alpha1/naming.ts';
import { SessionUsageIndex } from '../apis/stream/v1alpha1/quota-usage.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { sessionDefaultsPatch } from './session-defaults.ts';

/** A Session as the API wrote it before there was one user label: both labels. */
function legacySession(): Session {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
    metadata: {
      name: 'ann-abc123', namespace: 'streamspace',
      labels: { [LEGACY_USER_LABEL]: 'ann', [LABELS.user]: userLabelValue('ann'), [LABELS.template]: 'firefox', 'app.kubernetes.io/managed-by': 'streamspace-api' },
    },
    spec: { user: 'ann', template: 'firefox', state: 'running', idleTimeout: '30m', persistentHome: true, maxSessionDuration: '8h' },
  } as Session;
}

void it('removes the legacy user label at the next write and leaves the user label', () => {
  const ops = sessionDefaultsPatch(legacySession(), { settings: { idleTimeout: '30m', persistentHome: true, state: 'running' } });
  assert.deepEqual(ops.filter((o) => o.path.startsWith('/metadata/labels')), [{ op: 'remove', path: '/metadata/labels/streamspace.io~1user' }]);
});

void it('counts a session written with the legacy label toward its owner\'s quota', () => {
  const index = new SessionUsageIndex();
  index.onAdd(legacySession());
  assert.equal(index.usageOf('ann').sessions, 1);
  assert.equal(index.usageOf('ann').running, 1);
});
