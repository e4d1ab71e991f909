/**
 * The Dockerfile cannot be built here (no Docker engine), so this test replays it: each stage gets
 * a folder standing for its file system, COPY instructions copy from the checkout (the build
 * context, minus .dockerignore) or from an earlier stage, and the RUN steps run for real — except
 * `npm ci`, which links the checkout's node_modules (no registry access in tests). The image's
 * ENTRYPOINT must then start the compiled `streamspace` command from the runtime stage's folder
 * alone, importing only production dependencies, as the non-root user the chart runs pods as.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { load } from 'js-yaml';
import { ROOT } from '../support/helm.ts';

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  name: string;
  base: string;
  root: string;
  workdir: string;
  instructions: Instruction[];
}

/** The Dockerfile's instructions (continuation lines joined, comments dropped), split into stages. */
function parseDockerfile(text: string, tmp: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      assert.ok(m, `every stage is named: FROM ${args}`);
      stages.push({ name: m[2], base: m[1], root: path.join(tmp, m[2]), workdir: '/', instructions: [] });
    } else {
      assert.ok(stages.length, `${op} before FROM`);
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** Files of the build context: the checkout minus the .dockerignore patterns (top-level names and **\/*.ext). */
function inContext(rel: string): boolean {
  const patterns = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const first = rel.split('/')[0];
  return !patterns.some((p) => (p.startsWith('**/*') ? rel.endsWith(p.slice(3)) : first === p || rel === p));
}

function copyContext(src: string, dest: string): void {
  const from = path.join(ROOT, src);
  assert.ok(fs.existsSync(from), `COPY source ${src} exists in the checkout`);
  fs.cpSync(from, dest, { recursive: true, filter: (f) => inContext(path.relative(ROOT, f)) || f === ROOT });
}

/** Replays one stage. */
function replay(stage: Stage, stages: Map<string, Stage>): void {
  const inStage = (p: string, s: Stage = stage): string => path.join(s.root, path.posix.resolve(s.workdir, p));
  fs.mkdirSync(stage.root, { recursive: true });
  for (const { op, args } of stage.instructions) {
    if (op === 'WORKDIR') {
      stage.workdir = path.posix.resolve(stage.workdir, args);
      fs.mkdirSync(inStage('.'), { recursive: true });
    } else if (op === 'COPY') {
      const words = args.split(/\s+/);
      const from = words[0].startsWith('--from=') ? stages.get(words.shift()!.slice('--from='.length)) : undefined;
      const dest = words.pop()!;
      for (const src of words) {
        const target = dest.endsWith('/') || words.length > 1 ? path.join(inStage(dest), path.basename(src)) : inStage(dest);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (from) {
          const source = path.join(from.root, src);
          assert.ok(fs.existsSync(source), `COPY --from=${from.name} ${src}: the ${from.name} stage produced it`);
          fs.cpSync(source, target, { recursive: true, verbatimSymlinks: true });
        } else {
          copyContext(src, target);
        }
      }
    } else if (op === 'RUN') {
      if (/^npm ci\b/.test(args)) {
        assert.ok(fs.existsSync(inStage('package-lock.json')), 'npm ci runs where package-lock.json was copied');
        fs.symlinkSync(path.join(ROOT, 'node_modules'), inStage('node_modules'));
      } else {
        const m = /^node (\S+)$/.exec(args);
        assert.ok(m, `a RUN step this test knows how to replay: ${args}`);
        const r = spawnSync(process.execPath, [m[1]], { cwd: inStage('.'), encoding: 'utf8' });
        assert.equal(r.status, 0, `RUN ${args}: ${r.stderr}`);
      }
    }
  }
}

void describe('Dockerfile', () => {
  let tmp = '';
  let stages: Stage[] = [];
  let runtime: Stage;
  let entrypoint: string[] = [];
  const mapped = (p: string): string => (p.startsWith('/') ? path.join(runtime.root, p) : p);

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-'));
    stages = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'), tmp);
    const byName = new Map<string, Stage>();
    for (const stage of stages) {
      replay(stage, byName);
      byName.set(stage.name, stage);
    }
    runtime = stages.at(-1)!;
    entrypoint = JSON.parse(runtime.instructions.find((i) => i.op === 'ENTRYPOINT')!.args);
  }, { timeout: 240_000 });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('is multi-stage: the TypeScript build and the dependencies stay out of the runtime stage', () => {
    assert.deepEqual(stages.map((s) => s.name), ['build', 'deps', 'runtime']);
    for (const s of stages) assert.match(s.base, /^node:24[-.]/, `${s.name} is on Node 24 as package.json's engines say`);
    assert.ok(!fs.existsSync(path.join(runtime.root, 'app/src')), 'no TypeScript sources in the runtime image');
    const files = fs.readdirSync(path.join(runtime.root, 'app/dist'), { recursive: true, encoding: 'utf8' });
    assert.ok(files.some((f) => f.endsWith('.js')), 'compiled JavaScript');
    assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript in dist/');
  });

  test('runs as the non-root user the chart runs its pods as', () => {
    const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args ?? 'root';
    const [uid, gid] = user.split(':').map(Number);
    assert.ok(uid > 0 && gid > 0, `numeric non-root USER, got ${user}`);
    const values = load(fs.readFileSync(path.join(ROOT, 'deploy/helm/streamspace/values.yaml'), 'utf8')) as any;
    assert.equal(values.podSecurityContext.runAsUser, uid);
    assert.equal(values.podSecurityContext.runAsGroup, gid);
  });

  test('the entry point is the compiled streamspace command, started from the runtime stage alone', () => {
    assert.equal(entrypoint[0], 'node');
    const main = mapped(entrypoint.at(-1)!);
    assert.ok(fs.existsSync(main), `${entrypoint.at(-1)} exists in the runtime stage`);
    const crds = spawnSync(process.execPath, [...entrypoint.slice(1, -1), main, 'crds'], { cwd: path.join(runtime.root, runtime.workdir), encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp } });
    assert.equal(crds.status, 0, crds.stderr);
    assert.match(crds.stdout, /name: sessions\.stream\.streamspace\.io/);
    const help = spawnSync(process.execPath, [main, 'controller', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--leader-elect/);
  });

  test('the compiled code imports only production dependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const production = new Set(Object.keys(pkg.dependencies));
    const dist = path.join(runtime.root, 'app/dist');
    const imported = new Set<string>();
    for (const file of fs.readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
      const text = fs.readFileSync(path.join(dist, file), 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g)) {
        if (m[1].startsWith('node:')) continue;
        imported.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
      }
    }
    assert.ok(imported.size > 0);
    for (const name of imported) assert.ok(production.has(name), `${name} is imported by dist/ but is not a production dependency`);
  });

  test('the built-in templates sit where the compiled installer reads them', () => {
    const templates = fs.readdirSync(path.join(runtime.root, 'app/deploy/templates'));
    assert.deepEqual(templates.sort(), fs.readdirSync(path.join(ROOT, 'deploy/templates')).sort());
  });
});
