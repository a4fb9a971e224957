// sandbox.json beside a kubeconfig may not widen jump-to-source: a planted {"nginxConfDir": "/"} (or a look-alike
// folder, a symlink, another CA, a folder others can write) is refused with a reason, and only the nginx folder of
// a sandbox laid out as src/sandbox/sandbox.ts lays it out, holding the kubeconfig's own CA, becomes a root.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig, type LoadedKubeconfig } from '../../src/core/kube/load';
import { isSandbox, SANDBOX_CA_FILE, sandboxInfo } from '../../src/core/kube/sandbox';
import { allowedRootsFor, checkAllowed, clearRootCache } from '../../src/core/sourcemap/roots';
import { createCa, type Ca } from '../../src/sandbox/certs';
import { writeKubeconfig } from '../../src/sandbox/kubeconfig';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
let ca: Ca, otherCa: Ca;
before(async () => {
  [ca, otherCa] = await Promise.all([createCa(), createCa()]);
});

/** A kubeconfig as the sandbox writes it (its CA inline), with the given sandbox.json beside it. */
async function kubeconfigWith(sandboxJson: unknown, caPem = ca.certPem): Promise<LoadedKubeconfig> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-planted-'));
  made.push(dir);
  const file = join(dir, 'sandbox.kubeconfig');
  await writeKubeconfig(file, { server: 'https://127.0.0.1:6443', caPem, adminToken: 'admin-token' });
  writeFileSync(join(dir, 'sandbox.json'), typeof sandboxJson === 'string' ? sandboxJson : JSON.stringify(sandboxJson));
  return loadKubeconfig({ kubeconfig: file });
}

/** The work folder a sandbox makes: <tmpdir>/kubetrace-sandbox-XXXXXX with nginx/ and its CA. */
function sandboxWorkDir(caPem: string | undefined = ca.certPem): string {
  const work = mkdtempSync(join(tmpdir(), 'kubetrace-sandbox-'));
  made.push(work);
  mkdirSync(join(work, 'nginx'));
  writeFileSync(join(work, 'nginx', 'nginx.conf'), 'events {}\n');
  if (caPem) writeFileSync(join(work, SANDBOX_CA_FILE), caPem);
  return work;
}

test('a planted {"nginxConfDir": "/"} is refused, and / never becomes a jump-to-source root', async () => {
  const config = await kubeconfigWith({ nginxConfDir: '/', apiUrl: 'https://127.0.0.1:6443' });
  const info = sandboxInfo(config);
  assert.equal(info?.nginxConfDir, undefined);
  assert.match(
    info?.refused ?? '',
    /sandbox\.json names nginxConfDir "\/", which is not trusted: a sandbox's nginx folder is /,
  );
  clearRootCache();
  const workspace = mkdtempSync(join(tmpdir(), 'kt-ws-'));
  made.push(workspace);
  const roots = allowedRootsFor({ workspaceFolders: [workspace], sandboxConfDir: info?.nginxConfDir });
  assert.deepEqual(roots, [workspace]);
  for (const target of ['/root/.bash_history', '/etc/passwd'])
    assert.equal(checkAllowed(target, roots).ok, false, `${target} stays outside the roots`);
});

test('the real layout with the kubeconfig`s own CA is trusted, and only its nginx folder becomes a root', async () => {
  const work = sandboxWorkDir();
  const config = await kubeconfigWith({ nginxConfDir: join(work, 'nginx') });
  assert.deepEqual(sandboxInfo(config), { nginxConfDir: join(work, 'nginx') });
  const roots = allowedRootsFor({ workspaceFolders: [], sandboxConfDir: sandboxInfo(config)?.nginxConfDir });
  clearRootCache();
  assert.equal(checkAllowed(join(work, 'nginx', 'nginx.conf'), roots).ok, true);
  assert.equal(checkAllowed(join(work, SANDBOX_CA_FILE), roots).ok, false, 'the work folder itself is not a root');
});

test('look-alikes are refused: another CA, no CA, the work folder itself, a symlink, others may write, not JSON', async () => {
  const cases: [string, () => Promise<LoadedKubeconfig>, RegExp][] = [
    [
      'a real sandbox folder, but the kubeconfig trusts another CA',
      async () => kubeconfigWith({ nginxConfDir: join(sandboxWorkDir(), 'nginx') }, otherCa.certPem),
      /the CA in .* is not the one the kubeconfig trusts for https:\/\/127\.0\.0\.1:6443/,
    ],
    [
      'a sandbox-shaped folder without a CA',
      async () => kubeconfigWith({ nginxConfDir: join(sandboxWorkDir(''), 'nginx') }),
      /the CA in .* is not the one/,
    ],
    [
      'the work folder instead of its nginx folder',
      async () => kubeconfigWith({ nginxConfDir: sandboxWorkDir() }),
      /a sandbox's nginx folder is/,
    ],
    [
      'a symlink named like a sandbox folder, pointing at /',
      async () => {
        const work = sandboxWorkDir();
        rmSync(join(work, 'nginx'), { recursive: true });
        symlinkSync('/', join(work, 'nginx'));
        return kubeconfigWith({ nginxConfDir: join(work, 'nginx') });
      },
      /this resolves to \/$/,
    ],
    [
      'a folder others can write',
      async () => {
        const work = sandboxWorkDir();
        chmodSync(work, 0o777);
        return kubeconfigWith({ nginxConfDir: join(work, 'nginx') });
      },
      /is not a folder of this user's that others cannot write/,
    ],
    ['a relative path', async () => kubeconfigWith({ nginxConfDir: 'nginx' }), /not an absolute path/],
    ['a number', async () => kubeconfigWith({ nginxConfDir: 7 }), /not an absolute path/],
    ['a missing folder', async () => kubeconfigWith({ nginxConfDir: '/no/such/dir' }), /cannot be resolved/],
    ['not JSON', async () => kubeconfigWith('{"nginxConfDir": "/"'), /is not valid JSON/],
  ];
  for (const [what, make, reason] of cases) {
    const info = sandboxInfo(await make());
    assert.equal(info?.nginxConfDir, undefined, what);
    assert.match(info?.refused ?? '', reason, what);
  }
});

test('no sandbox.json, or one without nginxConfDir, is simply no sandbox information', async () => {
  const config = await kubeconfigWith({ apiUrl: 'https://127.0.0.1:6443' });
  assert.deepEqual(sandboxInfo(config), {});
  rmSync(join(config.files[0], '..', 'sandbox.json'));
  assert.equal(sandboxInfo(config), undefined);
  assert.equal(sandboxInfo(undefined), undefined);
});

// The sandbox skips the consent real clusters get, so naming a context `kubetrace-sandbox…` must not be enough.
test('only a kubeconfig a sandbox wrote, proven by its work folder, is the sandbox: a context name is not', async () => {
  const work = sandboxWorkDir();
  const own = await kubeconfigWith({ nginxConfDir: join(work, 'nginx') });
  assert.equal(own.contextName, 'kubetrace-sandbox');
  assert.equal(isSandbox(own), true);
  const named = await kubeconfigWith({ apiUrl: 'https://127.0.0.1:6443' });
  assert.equal(named.contextName, 'kubetrace-sandbox');
  assert.equal(isSandbox(named), false, 'a context named like the sandbox, without the proof');
  const foreign = await kubeconfigWith({ nginxConfDir: join(sandboxWorkDir(otherCa.certPem), 'nginx') });
  assert.equal(isSandbox(foreign), false, 'a real work folder whose CA the kubeconfig does not trust');
  rmSync(join(named.files[0], '..', 'sandbox.json'));
  assert.equal(isSandbox(named), false, 'no sandbox.json at all');
});
