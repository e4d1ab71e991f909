/**
 * Watch semantics over raw HTTPS, as kube-apiserver serves them: resourceVersion unset/"0" versus
 * exact, selector transitions announced as ADDED/DELETED, bookmarks on request, timeoutSeconds,
 * and the initial-events-end bookmark of watch-list.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';

interface WatchStream {
  events: any[];
  ended: Promise<void>;
  close(): void;
  until(pred: (events: any[]) => boolean, timeoutMs?: number): Promise<any[]>;
}

function watch(c: TestCluster, path: string): WatchStream {
  const events: any[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  let req: ReturnType<typeof https.get>;
  const ended = new Promise<void>((resolve, reject) => {
    req = https.get(`${c.cp.url}${path}`, { ca: c.cp.caPem, headers: { authorization: `Bearer ${c.cp.token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          events.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
        waiters.forEach((w) => w());
      });
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', reject);
  });
  ended.catch(() => undefined);
  return {
    events, ended, close: () => req.destroy(),
    until(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`watch condition not met; events: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`)), timeoutMs);
        const check = () => {
          if (pred(events)) {
            clearTimeout(timer);
            resolve(events);
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

const names = (events: any[]) => events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type}:${e.object.metadata.name}`);

void describe('watch semantics', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ bookmarkIntervalMs: 100 });
    await c.core.createNamespace({ body: { metadata: { name: 'w' } } });
  });
  after(() => c.stop());

  void it('starts with synthetic ADDED events when resourceVersion is unset or "0", and only later changes from an exact version', async () => {
    const first = await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'one' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'two' } } });
    for (const rv of ['', '&resourceVersion=0']) {
      const s = watch(c, `/api/v1/namespaces/w/configmaps?watch=true${rv}`);
      await s.until((e) => e.length >= 2);
      assert.deepEqual(names(s.events), ['ADDED:one', 'ADDED:two']);
      s.close();
    }
    const exact = watch(c, `/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${first.metadata!.resourceVersion}`);
    await exact.until((e) => e.length >= 1);
    await c.core.deleteNamespacedConfigMap({ namespace: 'w', name: 'one' });
    await exact.until((e) => e.length >= 2);
    assert.deepEqual(names(exact.events), ['ADDED:two', 'DELETED:one']);
    exact.close();
  });

  void it('announces objects entering and leaving a label selector as ADDED and DELETED', async () => {
    const s = watch(c, '/api/v1/namespaces/w/configmaps?watch=true&labelSelector=tier%3Dweb');
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'sel', labels: { tier: 'db' } } } });
    const merge = (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json');
    await c.core.patchNamespacedConfigMap({ namespace: 'w', name: 'sel', body: { metadata: { labels: { tier: 'web' } } } }, merge);
    await c.core.patchNamespacedConfigMap({ namespace: 'w', name: 'sel', body: { data: { a: 'b' } } }, merge);
    await c.core.patchNamespacedConfigMap({ namespace: 'w', name: 'sel', body: { metadata: { labels: { tier: 'db' } } } }, merge);
    await s.until((e) => e.length >= 3);
    assert.deepEqual(names(s.events), ['ADDED:sel', 'MODIFIED:sel', 'DELETED:sel']);
    s.close();
  });

  void it('sends BOOKMARK events only when asked, carrying just a resourceVersion', async () => {
    const withBookmarks = watch(c, '/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=0&allowWatchBookmarks=true');
    const without = watch(c, '/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=0');
    const events = await withBookmarks.until((e) => e.some((x) => x.type === 'BOOKMARK'));
    const bookmark = events.find((x) => x.type === 'BOOKMARK');
    assert.deepEqual(Object.keys(bookmark.object).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.match(bookmark.object.metadata.resourceVersion, /^\d+$/);
    await c.core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'after-bookmark' } } });
    await without.until((e) => e.some((x) => x.object.metadata.name === 'after-bookmark'));
    assert.ok(!without.events.some((x) => x.type === 'BOOKMARK'));
    withBookmarks.close();
    without.close();
  });

  void it('closes the stream after timeoutSeconds', async () => {
    const t0 = Date.now();
    const s = watch(c, '/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=1');
    await s.ended;
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 900 && elapsed < 5000, `ended after ${elapsed} ms`);
  });

  void it('ends the initial events of a watch-list with an annotated bookmark', async () => {
    const s = watch(c, '/api/v1/namespaces/w/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
    const events = await s.until((e) => e.some((x) => x.type === 'BOOKMARK'));
    const idx = events.findIndex((x) => x.type === 'BOOKMARK');
    assert.equal(events[idx].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(events.slice(0, idx).every((x) => x.type === 'ADDED'));
    s.close();
  });

  void it('rejects an unsupported field selector on a watch with 400', async () => {
    const r = await rawRequest(c.cp, 'GET', '/api/v1/namespaces/w/configmaps?watch=true&fieldSelector=spec.x%3D1');
    assert.equal(r.status, 400);
    assert.equal(r.json.reason, 'BadRequest');
    assert.equal(r.json.message, 'field label not supported: spec.x');
  });
});
