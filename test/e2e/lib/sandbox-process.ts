// The sandbox cluster in a child process (`kubetrace sandbox`, run from source), so that a fault in it cannot take
// the test runner down with it, and its API server does not share an event loop with Playwright.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './code-server';

export interface SandboxProcess {
  kubeconfigPath: string;
  apiUrl: string;
  /** The child's stderr so far (its log lines). */
  log: string[];
  /** Resolves with the exit code when the child ends (early, if it crashed). */
  exited: Promise<number | null>;
  /** GET on the API server with the kubeconfig's admin token. */
  get<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startSandboxProcess(o: {
  kubeconfigPath: string;
  podSubnet?: string;
  singleAddress?: boolean;
  scale?: number;
  log?: (l: string) => void;
  timeoutMs?: number;
}): Promise<SandboxProcess> {
  const args = ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'sandbox', '--kubeconfig', o.kubeconfigPath];
  if (o.podSubnet) args.push('--pod-subnet', o.podSubnet);
  if (o.singleAddress) args.push('--single-address');
  if (o.scale) args.push('--scale', String(o.scale));
  // From source: dist/ is rebuilt by other people at any time.
  const proc: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, KUBETRACE_SANDBOX_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log: string[] = [];
  let out = '';
  let errTail = '';
  proc.stderr!.on('data', (d: Buffer) => {
    errTail = (errTail + d.toString()).slice(-4000);
    for (const l of d.toString().split('\n').filter(Boolean)) {
      log.push(l);
      o.log?.(l);
    }
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const ready = await new Promise<{ kubeconfig: string; api: string }>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`the sandbox was not ready within ${(o.timeoutMs ?? 120_000) / 1000} s: ${errTail}`)),
      o.timeoutMs ?? 120_000,
    );
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /kubetrace sandbox ready kubeconfig=(\S+) api=(\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ kubeconfig: m[1], api: m[2] });
      }
    });
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`the sandbox exited (${code}) before it was ready: ${errTail}`));
    });
  }).catch(async (e) => {
    killGroup(proc, 'SIGKILL');
    throw e;
  });

  const kc = parse(readFileSync(ready.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
  const token = kc.users[0].user.token;
  const get = <T>(path: string) =>
    new Promise<T>((resolve, reject) => {
      const req = request(
        new URL(path, ready.api),
        { ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 300) reject(new Error(`GET ${path}: ${res.statusCode} ${body.slice(0, 200)}`));
            else resolve(JSON.parse(body) as T);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  return {
    kubeconfigPath: ready.kubeconfig,
    apiUrl: ready.api,
    log,
    exited,
    get,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // The CLI stops its pods itself on SIGTERM; whatever is left after that goes with the process group.
      proc.kill('SIGTERM');
      const t = setTimeout(() => killGroup(proc, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
      killGroup(proc, 'SIGKILL');
    },
  };
}

function killGroup(proc: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, sig);
  } catch {
    try {
      proc.kill(sig);
    } catch {
      /* gone */
    }
  }
}
