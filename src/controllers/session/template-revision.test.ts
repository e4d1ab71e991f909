import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, SessionPhase } from '../../apis/stream/v1alpha1/session.ts';
import type { Template } from '../../apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Prerequisites } from './prerequisites.ts';
import { chooseTemplate, recordedTemplate, revisionAnnotations } from './template-revision.ts';

function template(baseImage: string, generation: number, extra: Partial<Template['spec']> = {}): Template {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 't', namespace: 'ns', generation }, spec: { baseImage, ...extra } };
}

function session(phase?: SessionPhase): Session {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 's', namespace: 'ns' }, spec: { user: 'u', template: 't' }, status: phase ? { phase } : undefined };
}

function deployment(from: Template, replicas: number): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ss-s', annotations: revisionAnnotations(from) }, spec: { replicas } };
}

const v1 = template('img:1', 1, { displayName: 'Old name' });
const v2 = template('img:2', 2);
const live = (t: Template): Prerequisites => ({ ok: true, template: t });
const missing: Prerequisites = { ok: false, reason: 'TemplateNotFound', message: 'Template "t" not found in namespace "ns"', templateProblem: true };

test('the record holds the workload fields and generation, not the catalog display', () => {
  const recorded = recordedTemplate(session(), deployment(v1, 1))!;
  assert.deepEqual([recorded.spec, recorded.metadata.generation], [{ baseImage: 'img:1' }, 1]);
  assert.equal(recordedTemplate(session(), undefined), undefined);
  const garbled = { ...deployment(v1, 1), metadata: { annotations: { 'stream.streamspace.io/template-spec': '{not json' } } };
  assert.equal(recordedTemplate(session(), garbled), undefined);
});

test('a running session keeps its record and reports the newer template waiting; a catalog edit is no update', () => {
  const kept = chooseTemplate(session('Running'), live(v2), deployment(v1, 1), false);
  assert.ok(kept.ok);
  assert.equal(kept.template.spec.baseImage, 'img:1');
  assert.ok(kept.update !== 'unknown' && kept.update.available);
  const relabelled = chooseTemplate(session('Running'), live(template('img:1', 5, { displayName: 'New name' })), deployment(v1, 1), false);
  assert.ok(relabelled.ok && relabelled.update !== 'unknown' && !relabelled.update.available);
});

test('a start (new, waking, recovering from Failed) takes the template as it is', () => {
  for (const [s, d] of [[session(), undefined], [session('Hibernated'), deployment(v1, 0)], [session('Failed'), deployment(v1, 1)]] as const) {
    const chosen = chooseTemplate(s, live(v2), d, false);
    assert.ok(chosen.ok);
    assert.equal(chosen.template.spec.baseImage, 'img:2', `phase ${s.status?.phase}`);
  }
});

test('without its template a session runs on and hibernates from its record, but cannot start', () => {
  const runsOn = chooseTemplate(session('Running'), missing, deployment(v1, 1), false);
  assert.ok(runsOn.ok && typeof runsOn.fact === 'object');
  assert.equal(runsOn.fact.reason, 'TemplateNotFound');
  assert.ok(chooseTemplate(session('Hibernated'), missing, deployment(v1, 0), true).ok);
  assert.equal(chooseTemplate(session('Hibernated'), missing, deployment(v1, 0), false).ok, false);
  assert.equal(chooseTemplate(session(), missing, undefined, false).ok, false);
});
