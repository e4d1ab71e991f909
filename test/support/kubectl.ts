/**
 * Test support: runs the real `kubectl` against a control plane, each runner with its own HOME
 * (kubectl caches discovery there). Arguments are passed as an argv array, never through a shell.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl bound to one kubeconfig and one private HOME. */
export class Kubectl {
  private readonly env: NodeJS.ProcessEnv;

  constructor(kubeconfigPath: string, home: string) {
    fs.mkdirSync(home, { recursive: true });
    this.env = { ...process.env, HOME: home, KUBECONFIG: kubeconfigPath, KUBECTL_KUBERC: 'false' };
  }

  /** Runs kubectl with `args` (and `stdin`), resolving with its exit code and output. */
  run(args: string[], stdin?: string, timeoutMs = 30_000): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile('kubectl', args, { env: this.env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      if (stdin !== undefined) child.stdin!.end(stdin);
    });
  }

  /** Runs kubectl and throws with its stderr when it fails. */
  async ok(args: string[], stdin?: string): Promise<string> {
    const r = await this.run(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Starts a long-running kubectl (e.g. `get -w`); the caller kills it. */
  start(args: string[]): ChildProcess {
    return spawn('kubectl', args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

/** A kubectl runner with a fresh HOME under `tmp`. */
export function kubectlFor(kubeconfigPath: string, tmp: string, name = 'kubectl-home'): Kubectl {
  return new Kubectl(kubeconfigPath, path.join(tmp, name));
}
