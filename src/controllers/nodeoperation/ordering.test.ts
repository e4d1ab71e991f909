import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeOperation, NodeOperationStatus } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import { blockingOperation, CREATION_REVISION_ANNOTATION } from './ordering.ts';

function op(name: string, opts: { node?: string; created?: string; rv: string; status?: NodeOperationStatus; revision?: string }): NodeOperation {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'NodeOperation',
    metadata: {
      name, uid: name, resourceVersion: opts.rv, creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z',
      annotations: opts.revision ? { [CREATION_REVISION_ANNOTATION]: opts.revision } : undefined,
    },
    spec: { nodeName: opts.node ?? 'n1', operation: 'cordon' },
    status: opts.status,
  };
}

void describe('blockingOperation', () => {
  void it('orders by creation time, then by creation revision, not by name', () => {
    const b = op('b', { rv: '10' });
    const a = op('a', { rv: '11' });
    assert.equal(blockingOperation(a, [a, b])?.metadata.name, 'b');
    assert.equal(blockingOperation(b, [a, b]), undefined);
    const earlier = op('z', { rv: '99', created: '2024-12-31T23:59:59Z' });
    assert.equal(blockingOperation(b, [a, b, earlier])?.metadata.name, 'z');
  });

  void it('uses the recorded creation revision once the operation has been written to', () => {
    const waiting = op('w', { rv: '50', revision: '10', status: { phase: 'Pending' } });
    const later = op('l', { rv: '20' });
    assert.equal(blockingOperation(later, [waiting, later])?.metadata.name, 'w');
  });

  void it('waits for a started operation whatever its age, and ignores finished ones and other nodes', () => {
    const running = op('r', { rv: '30', status: { phase: 'Running', startTime: '2025-01-01T00:00:00Z' } });
    const first = op('f', { rv: '5' });
    assert.equal(blockingOperation(first, [running, first])?.metadata.name, 'r');
    const done = op('d', { rv: '1', status: { phase: 'Succeeded' } });
    const elsewhere = op('e', { rv: '2', node: 'n2' });
    assert.equal(blockingOperation(first, [done, elsewhere, first]), undefined);
  });
});
