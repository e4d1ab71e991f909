import assert from 'node:assert/strict';
import test from 'node:test';
import { translatePath } from './volume-folders.ts';
import { allocateLoopbackIP, displayOf } from './loopback.ts';

void test('container paths under a mount become the mount\'s folder, the longest mount first', () => {
  const mounts = [{ mountPath: '/home/user', folder: '/data/claims/a', readOnly: false }, { mountPath: '/home/user/cache', folder: '/data/pods/p/cache', readOnly: false }];
  assert.equal(translatePath('/home/user', mounts), '/data/claims/a');
  assert.equal(translatePath('/home/user/notes.json', mounts), '/data/claims/a/notes.json');
  assert.equal(translatePath('/home/user/cache/x', mounts), '/data/pods/p/cache/x');
  assert.equal(translatePath('/home/username', mounts), '/home/username', 'a prefix that is not a folder boundary is left alone');
  assert.equal(translatePath('1280x800', mounts), '1280x800');
});

void test('each local pod gets its own loopback address and X display', () => {
  assert.equal(allocateLoopbackIP(new Set()), '127.77.0.2');
  assert.equal(allocateLoopbackIP(new Set(['127.77.0.2', '127.77.0.3'])), '127.77.0.4');
  const used = new Set(Array.from({ length: 253 }, (_, i) => `127.77.0.${i + 2}`));
  assert.equal(allocateLoopbackIP(used), '127.77.1.1', 'skips .255 and .0');
  assert.notEqual(displayOf('127.77.0.2'), displayOf('127.77.1.2'));
});
