import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isValidLabelValue } from '../apimachinery/validation.ts';
import { sessionLabels, TEMPLATE_LABEL, USER_LABEL } from './session-labels.ts';

void it('labels any user and template with valid values, distinct for users that sanitise alike', () => {
  const users = ['alice', 'alice@example.com', 'alice-example.com', 'Jürgen Müller', '@@@', 'x'.repeat(80)];
  const values = users.map((u) => sessionLabels(u, 'firefox')[USER_LABEL]);
  for (const [i, v] of values.entries()) assert.deepEqual(isValidLabelValue(v), [], `${users[i]} → ${v}`);
  assert.equal(new Set(values).size, users.length);
  assert.equal(sessionLabels('alice', 'firefox')[USER_LABEL], values[0], 'deterministic');
  assert.equal(sessionLabels('alice', 'firefox')[TEMPLATE_LABEL], 'firefox');
  assert.deepEqual(isValidLabelValue(sessionLabels('alice', `t${'x'.repeat(100)}`)[TEMPLATE_LABEL]), []);
});
