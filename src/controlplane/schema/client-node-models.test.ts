import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasModel, loadModel } from './client-node-models.ts';

describe('client-node models', () => {
  it('knows which models exist', () => {
    assert.ok(hasModel('V1Pod'));
    assert.ok(hasModel('EventsV1Event'));
    assert.ok(!hasModel('V1NoSuchThing'));
  });

  it('reads fields, JSON names, types, descriptions and required markers', async () => {
    const container = await loadModel('V1Container');
    assert.equal(container.description, 'A single application container that you want to run within a pod.');
    const name = container.fields.find((f) => f.jsonName === 'name');
    assert.deepEqual({ type: name?.type, required: name?.required }, { type: 'string', required: true });
    assert.match(name!.description!, /^Name of the container/);
    const ports = container.fields.find((f) => f.jsonName === 'ports');
    assert.equal(ports?.type, 'Array<V1ContainerPort>');
    assert.equal(ports?.required, false);
    const props = await loadModel('V1JSONSchemaProps');
    const ref = props.fields.find((f) => f.name === 'ref');
    assert.equal(ref?.jsonName, '$ref');
  });

  it('loads each model once', async () => {
    assert.equal(loadModel('V1Pod'), loadModel('V1Pod'));
    assert.equal(await loadModel('V1Pod'), await loadModel('V1Pod'));
  });

  it('rejects unknown and malformed names', async () => {
    await assert.rejects(loadModel('V1NoSuchThing'), /unknown client-node model/);
    await assert.rejects(loadModel('../index'), /unknown client-node model/);
  });
});
