/**
 * The store over a file system that loses power (./testing/power-cut-files.ts): a stream of
 * creates, updates, refused compare-and-swap writes and deletes, with group commits completing now
 * and then and compactions along the way; a disk image is taken after every file operation, its
 * unsynced tails torn at several lengths. Each image must recover to exactly the state of some
 * revision R (a prefix of the writes: never a refused write, never a half-applied one) with R at
 * least the newest write acknowledged by then.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../apimachinery/object.ts';
import { RevisionMismatch, Store } from './store.ts';
import { PowerCutFiles, type Tear } from './testing/power-cut-files.ts';
import { decodeRecord, encodeRecord } from './wal.ts';

const DIR = '/data/store';
const RESOURCE = 'configmaps';

/** Key → value of every object, the comparable state of a store. */
function stateOf(store: Store): Map<string, string> {
  return new Map(store.list(RESOURCE).map((o) => [o.metadata.name!, String(o.data?.v)]));
}

function configMap(name: string, value: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { v: value } };
}

const TEARS: [string, Tear][] = [
  ['nothing unsynced survives', () => 0],
  ['one byte survives', (n) => Math.min(1, n)],
  ['half survives', (n) => Math.floor(n / 2)],
  ['all but the last byte survive', (n) => Math.max(0, n - 1)],
  ['everything written survives', (n) => n],
];

interface Image {
  files: PowerCutFiles;
  ackedRevision: number;
}

/** Runs the write stream, taking an image at every file operation; returns the images and the state at each revision. */
async function runWrites(): Promise<{ images: Image[]; history: Map<number, Map<string, string>> }> {
  const files = new PowerCutFiles();
  const store = new Store({ dataDir: DIR, files, compactAfter: 9 });
  const history = new Map<number, Map<string, string>>([[0, new Map()]]);
  const images: Image[] = [];
  let ackedRevision = 0;
  files.onChange = () => {
    for (const [, tear] of TEARS) images.push({ files: files.imageAtCut(tear), ackedRevision });
  };
  const acks: Promise<void>[] = [];
  const write = (fn: () => void): void => {
    fn();
    const rv = store.currentRevision();
    history.set(rv, stateOf(store));
    acks.push(store.durable().then(() => { ackedRevision = Math.max(ackedRevision, rv); }));
  };
  for (let i = 0; i < 40; i++) {
    const name = `cm-${i % 6}`;
    const key = `ns/${name}`;
    const current = store.get(RESOURCE, key);
    if (i % 7 === 6 && current) {
      write(() => store.delete(RESOURCE, key, Number(current.metadata.resourceVersion)));
    } else {
      write(() => store.put(RESOURCE, key, configMap(name, `v${i}`), current ? Number(current.metadata.resourceVersion) : 0));
    }
    if (i % 5 === 4) {
      // A stale compare-and-swap: refused, so it must never be found after a cut.
      assert.throws(() => store.put(RESOURCE, key, configMap(name, `refused-${i}`), 1), RevisionMismatch);
    }
    // Group commits complete every few writes: several writes share one sync.
    if (i % 3 === 2) {
      files.completeSyncs();
      await new Promise((r) => setImmediate(r));
    }
  }
  await files.settle();
  await Promise.all(acks);
  assert.equal(ackedRevision, store.currentRevision(), 'every write was acknowledged in the end');
  files.onChange();
  return { images, history };
}

test('after a power cut at any file operation, recovery finds every acknowledged write and nothing refused or torn', async () => {
  const { images, history } = await runWrites();
  assert.ok(images.length > 300, `${images.length} cut images`);
  let torn = 0;
  for (const [index, image] of images.entries()) {
    const recovered = new Store({ dataDir: DIR, files: image.files });
    const revision = recovered.currentRevision();
    torn += recovered.tornBytesAtStart > 0 ? 1 : 0;
    assert.ok(revision >= image.ackedRevision, `image ${index}: recovered revision ${revision} lost acknowledged revision ${image.ackedRevision}`);
    assert.deepEqual(stateOf(recovered), history.get(revision), `image ${index}: the state of revision ${revision}`);
    for (const value of stateOf(recovered).values()) assert.doesNotMatch(value, /refused/);
    // The cut tail is gone from the file: writing again and recovering again is clean.
    recovered.put(RESOURCE, 'ns/after', configMap('after', 'x'), 0);
    await recovered.durable();
    const again = new Store({ dataDir: DIR, files: image.files });
    assert.equal(again.tornBytesAtStart, 0);
    assert.equal(again.get(RESOURCE, 'ns/after')?.data?.v, 'x');
  }
  assert.ok(torn > 0, 'some images had a torn record to cut');
});

test('a record whose checksum does not match is not parsed, even when its JSON is valid', () => {
  const line = encodeRecord({ rv: 7, op: 'put', key: 'configmaps|ns/a', object: configMap('a', 'x') });
  const body = line.subarray(0, line.length - 1);
  assert.equal(decodeRecord(body)?.rv, 7);
  const flipped = Buffer.from(body.toString('utf8').replace('"rv":7', '"rv":8'));
  assert.equal(decodeRecord(flipped), undefined);
  assert.equal(decodeRecord(Buffer.from('{"rv":3,"op":"put","key":"configmaps|ns/legacy"}'))?.rv, 3, 'records of earlier versions are still read');
});

test('writes arriving during a sync share the next one (group commit)', async () => {
  const files = new PowerCutFiles();
  const store = new Store({ dataDir: DIR, files });
  let syncs = 0;
  const datasync = files.datasync.bind(files);
  files.datasync = (fd) => { syncs++; return datasync(fd); };
  const acks: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    store.put(RESOURCE, `ns/g${i}`, configMap(`g${i}`, String(i)), 0);
    acks.push(store.durable());
  }
  assert.equal(syncs, 1, 'one sync in flight for the first burst');
  for (let i = 50; i < 100; i++) {
    store.put(RESOURCE, `ns/g${i}`, configMap(`g${i}`, String(i)), 0);
    acks.push(store.durable());
  }
  await files.settle();
  await Promise.all(acks);
  assert.equal(syncs, 2, '100 writes acknowledged after 2 syncs');
});
