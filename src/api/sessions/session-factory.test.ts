import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LABELS, LEGACY_USER_LABEL, userLabelValue } from '../../apis/stream/v1alpha1/naming.ts';
import { buildSession } from './session-factory.ts';

void it('labels the sessions it builds with the one user label, the value the webhook and controller write', () => {
  const session = buildSession('Ann Example', 'streamspace', { template: 'firefox' });
  assert.equal(session.metadata.labels?.[LABELS.user], userLabelValue('Ann Example'));
  assert.equal(session.metadata.labels?.[LEGACY_USER_LABEL], undefined);
  assert.match(session.metadata.name ?? '', /^ann-example-[a-z0-9]{6}$/);
});
