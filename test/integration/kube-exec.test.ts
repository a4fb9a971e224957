// execInPod against the sandbox: real WebSocket exec through the API stand-in into real processes (nginx -v in
// the controller pod), exit codes, refused and failing execs, and the time limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import { loadKubeconfig, type LoadedKubeconfig } from '../../src/core/kube/load';
import { execInPod } from '../../src/core/kube/exec';
import { KubeApiError } from '../../src/core/kube/errors';
import { KubetraceError } from '../../src/core/errors';
import { detectNginxVersion } from '../../src/core/sourcemap/nginx';

let sb: Sandbox;
let dir: string;
let admin: LoadedKubeconfig;
const pod = (ns: string, prefix: string) => {
  const p = sb.store.list('Pod').find((x) => x.metadata.namespace === ns && x.metadata.name.startsWith(prefix));
  assert.ok(p, `no pod ${ns}/${prefix}*`);
  return p!;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubetrace-exec-'));
  sb = await startSandbox({
    podSubnet: '127.10.76',
    kubeconfigPath: join(dir, 'sandbox.kubeconfig'),
    watchManifests: false,
  });
  admin = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
});
after(async () => {
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('nginx -v in the controller pod reports nginx/1.22.1 on stderr, and detection takes it', async () => {
  const ctl = pod('ingress-nginx', 'ingress-nginx-controller-');
  const r = await execInPod(admin, 'ingress-nginx', ctl.metadata.name, 'controller', ['nginx', '-v'], {
    timeoutMs: 10_000,
  });
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^nginx version: nginx\/1\.22\.1\s*$/);
  const image = (ctl.spec as { containers: { image: string }[] }).containers[0].image;
  const v = detectNginxVersion({
    nginxVOutput: r.stderr,
    controllerImage: image,
    serverHeader: undefined,
    setting: undefined,
  });
  assert.deepEqual([v.version, v.from], ['1.22.1', 'exec']);
});

test('a non-zero exit is a result with both streams kept apart', async () => {
  const orders = pod('shop', 'orders-');
  const r = await execInPod(admin, 'shop', orders.metadata.name, 'orders', [
    'sh',
    '-c',
    'echo out-$POD_NAME; echo err >&2; exit 3',
  ]);
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout, `out-${orders.metadata.name}\n`, "the command ran with the pod's environment");
  assert.equal(r.stderr, 'err\n');
});

test('output beyond maxBytes is dropped, the exit status still arrives', async () => {
  const orders = pod('shop', 'orders-');
  const r = await execInPod(
    admin,
    'shop',
    orders.metadata.name,
    'orders',
    ['sh', '-c', 'head -c 200000 /dev/zero | tr "\\0" x'],
    { maxBytes: 1000 },
  );
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, 'x'.repeat(1000));
});

test('a missing executable is a plain error naming the command', async () => {
  const orders = pod('shop', 'orders-');
  await assert.rejects(
    execInPod(admin, 'shop', orders.metadata.name, 'orders', ['no-such-binary-kt', '-v']),
    (e: unknown) => {
      assert.ok(e instanceof KubeApiError);
      assert.match(e.message, /`no-such-binary-kt -v` in pod shop\/orders-.* failed: .*executable file not found/);
      assert.match(e.hint ?? '', /does not have that command/);
      return true;
    },
  );
});

test('the namespace-restricted user is refused (403) with the permission named', async () => {
  const restricted = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath, context: 'kubetrace-sandbox-restricted' });
  const orders = pod('shop', 'orders-');
  await assert.rejects(execInPod(restricted, 'shop', orders.metadata.name, 'orders', ['true']), (e: unknown) => {
    assert.ok(e instanceof KubeApiError);
    assert.equal(e.status, 403);
    assert.match(e.message, /pods\/exec.*namespace shop/);
    return true;
  });
});

test('a missing pod is a 404 error, a wrong token a 401', async () => {
  await assert.rejects(
    execInPod(admin, 'shop', 'no-such-pod', 'x', ['true']),
    (e: unknown) => e instanceof KubeApiError && e.status === 404 && /not found/.test(e.message),
  );
  const file = join(dir, 'wrong-token.kubeconfig');
  writeFileSync(file, readFileSync(sb.kubeconfigPath, 'utf8').replace(/token: .*/g, 'token: not-the-token'));
  const wrong = await loadKubeconfig({ kubeconfig: file });
  await assert.rejects(
    execInPod(wrong, 'shop', pod('shop', 'orders-').metadata.name, 'orders', ['true']),
    (e: unknown) => e instanceof KubeApiError && e.status === 401,
  );
});

test('a command that outlives timeoutMs is abandoned (and killed) within the limit', async () => {
  const orders = pod('shop', 'orders-');
  const marker = `sleep 30.${process.pid}`;
  const t0 = performance.now();
  await assert.rejects(
    execInPod(admin, 'shop', orders.metadata.name, 'orders', marker.split(' '), { timeoutMs: 400 }),
    (e: unknown) => e instanceof KubetraceError && /did not finish within 400 ms/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 15_000, 'abandoned long before the 30 s command ends');
  // Closing the stream makes the API side kill the process: none is left running.
  const { execFileSync } = await import('node:child_process');
  let left = '';
  for (let i = 0; i < 40; i++) {
    try {
      left = execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' });
    } catch {
      left = '';
    }
    if (!left) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(left, '', 'the timed-out command still runs');
});

test('an unreachable API server is reported as such', async () => {
  const file = join(dir, 'closed-port.kubeconfig');
  writeFileSync(file, readFileSync(sb.kubeconfigPath, 'utf8').replace(/server: .*/, 'server: https://127.0.0.1:1'));
  const gone = await loadKubeconfig({ kubeconfig: file });
  await assert.rejects(
    execInPod(gone, 'shop', 'x', 'x', ['true']),
    (e: unknown) => e instanceof KubeApiError && /cannot reach the API server/.test(e.message),
  );
});
