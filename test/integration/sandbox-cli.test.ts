// `kubetrace sandbox` as users run it (bin/kubetrace.js → dist/cli.js): the one ready line, the default
// kubeconfig path, a clear failure when the pod addresses are taken, and nothing left behind after SIGTERM.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT, cli, descendants } from './helpers';

const run = promisify(execFile);
const SUBNET = '127.10.62';
const tmp = mkdtempSync(join(tmpdir(), 'kt-sandbox-cli-'));
const started: ChildProcess[] = [];
after(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

/** Live, non-zombie processes whose environment says they are a pod on our subnet. */
function podsOnSubnet(): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const env = readFileSync(`/proc/${e}/environ`, 'utf8');
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (env.includes(`POD_IP=${SUBNET}.`) || cmd.includes(`${SUBNET}.`)) found.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

test('kubetrace sandbox prints one ready line, serves kubectl, and SIGTERM leaves nothing behind', async () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'cli.js')), 'dist/cli.js is built (npm test builds it first)');
  const t0 = Date.now();
  const proc = spawn(process.execPath, [CLI, 'sandbox', '--pod-subnet', SUBNET], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let stdout = '',
    stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ready line after 30 s; stderr:\n${stderr}`)), 30_000);
    proc.stdout!.on('data', () => {
      if (stdout.includes('\n')) {
        clearTimeout(t);
        resolve();
      }
    });
    void exited.then((c) => {
      clearTimeout(t);
      reject(new Error(`exited ${c} before ready; stderr:\n${stderr}`));
    });
  });
  const startMs = Date.now() - t0;
  const kubeconfig = join(tmp, '.kubetrace', 'sandbox.kubeconfig');
  const m = /^kubetrace sandbox ready kubeconfig=(\S+) api=(https:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout);
  assert.ok(m, `ready line: ${JSON.stringify(stdout)}`);
  assert.equal(m[1], kubeconfig, 'default kubeconfig path, absolute');
  assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: ${m[2].replace(/[.:/]/g, '\\$&')}`));
  assert.match(stderr, /sandbox: all pods ready/);

  const { stdout: ing } = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'ingress', '-A']);
  assert.match(
    ing,
    new RegExp(
      `shop\\s+orders\\s+nginx\\s+shop\\.kubetrace\\.test\\s+${SUBNET.replace(/\./g, '\\.')}\\.\\d+\\s+80, 443`,
    ),
  );
  const { stdout: pods } = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-A', '-o', 'wide']);
  assert.equal(
    pods
      .trim()
      .split('\n')
      .slice(1)
      .filter((l) => /\s1\/1\s+Running\s/.test(l)).length,
    // Six app pods (ingress-nginx's among them), the Gateway's nginx and haproxy (src/sandbox/manifests/15-haproxy.yaml).
    8,
    pods,
  );

  // A second sandbox on the same addresses fails with the reason, and cleans up after itself.
  const second = await cli(['sandbox', '--pod-subnet', SUBNET, '--kubeconfig', join(tmp, 'second.kubeconfig')], {
    cwd: tmp,
    timeoutMs: 30_000,
  });
  assert.equal(second.code, 1);
  assert.equal(second.stdout, '');
  assert.match(second.stderr, /^error: the sandbox did not start: .*already in use/m);

  const kids = descendants(proc.pid!);
  assert.ok(kids.length >= 7, `pods run as children (${kids.length})`);
  const nginxDir = /-p (\S+)/.exec(
    kids
      .map((k) => {
        try {
          return readFileSync(`/proc/${k}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch {
          return '';
        }
      })
      .find((c) => c.startsWith('nginx: master')) ?? '',
  )?.[1];
  assert.ok(nginxDir && existsSync(nginxDir), 'nginx runs from its own folder');

  proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(stderr, /SIGTERM, stopping/);
  assert.equal(stdout.split('\n').filter(Boolean).length, 1, 'stdout holds the ready line only');
  assert.deepEqual(
    kids.filter((k) => existsSync(`/proc/${k}`) && !readFileSync(`/proc/${k}/stat`, 'utf8').includes(') Z ')),
    [],
    'no child left',
  );
  assert.deepEqual(podsOnSubnet(), [], 'no pod process left on the subnet');
  assert.equal(existsSync(nginxDir!), false, 'temp folders removed');
  process.stderr.write(`# sandbox ready after ${startMs} ms\n`);
});
