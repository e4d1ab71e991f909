import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isValidLabelValue } from '../controlplane/api/validation.ts';
import { labelValueFor } from './session-labels.ts';

void it('keeps valid label values and turns anything else into a valid, distinct one', () => {
  assert.equal(labelValueFor('alice'), 'alice');
  assert.equal(labelValueFor('firefox-2.1_x'), 'firefox-2.1_x');
  const names = ['alice@example.com', 'alice-example.com', 'a@b', 'a-b@', '@@@', 'x'.repeat(64), `${'x'.repeat(63)}y`, 'Jürgen Müller', ''];
  const values = names.map(labelValueFor);
  for (const [i, v] of values.entries()) assert.deepEqual(isValidLabelValue(v), [], `${names[i]} → ${v}`);
  assert.equal(new Set(values).size, names.length, 'different names, different labels');
  assert.match(values[0], /^alice-example\.com-[0-9a-f]{8}$/);
  assert.equal(labelValueFor('alice@example.com'), values[0], 'deterministic');
});
