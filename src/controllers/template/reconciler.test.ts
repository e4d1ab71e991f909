import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Template, TemplateSpec } from '../../apis/stream/v1alpha1/template.ts';
import { templateStatus } from './reconciler.ts';

const T0 = Date.UTC(2025, 0, 1);

function template(spec: Partial<TemplateSpec>, generation = 2): Template {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 't', generation },
    spec: { baseImage: 'nginx:1', vnc: { enabled: true }, ...spec },
  };
}

test('a valid template is Valid with an empty message and the generation judged', () => {
  const status = templateStatus(template({}), T0);
  assert.deepEqual([status.valid, status.message, status.observedGeneration], [true, '', 2]);
  assert.deepEqual(status.conditions, [{ type: 'Valid', status: 'True', reason: 'Validated', message: '', observedGeneration: 2, lastTransitionTime: '2025-01-01T00:00:00Z' }]);
});

test('an invalid template names every problem, and keeps the transition time while it stays invalid', () => {
  const bad = template({ baseImage: 'Not An Image', vnc: { enabled: false }, ports: [{ containerPort: 80 }, { containerPort: 80 }] });
  const status = templateStatus(bad, T0);
  assert.equal(status.valid, false);
  assert.match(status.message ?? '', /spec\.baseImage: Invalid value/);
  assert.match(status.message ?? '', /spec\.ports\[1\]\.containerPort: Duplicate value/);
  assert.match(status.message ?? '', /vnc\.enabled or webapp\.enabled/);
  const again = templateStatus({ ...bad, status }, T0 + 60_000);
  assert.equal(again.conditions?.[0].lastTransitionTime, status.conditions?.[0].lastTransitionTime);
});
