// A real sandbox's sandbox.json is believed (its nginx folder becomes a jump-to-source root), and the same
// kubeconfig copied next to a planted sandbox.json {"nginxConfDir": "/"} is not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from '../../src/core/kube/load';
import { isSandbox, sandboxInfo } from '../../src/core/kube/sandbox';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const tmp = mkdtempSync(join(tmpdir(), 'kt-sandbox-trust-'));
let sb: Sandbox | undefined;
before(
  async () => {
    sb = await startSandbox({ kubeconfigPath: join(tmp, 'own', 'sandbox.kubeconfig'), podSubnet: '127.10.110' });
  },
  { timeout: 120_000 },
);
after(async () => {
  await sb?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test("the sandbox's own sandbox.json names its nginx folder, and it is trusted", async () => {
  const config = await loadKubeconfig({ kubeconfig: sb!.kubeconfigPath });
  assert.deepEqual(sandboxInfo(config), { nginxConfDir: sb!.nginxConfDir });
  assert.equal(isSandbox(config), true, 'the running sandbox is recognised as the sandbox');
});

test('the same kubeconfig beside a planted sandbox.json {"nginxConfDir": "/"} gets no root', async () => {
  const planted = mkdtempSync(join(tmp, 'planted-'));
  copyFileSync(sb!.kubeconfigPath, join(planted, 'kubeconfig'));
  writeFileSync(join(planted, 'sandbox.json'), JSON.stringify({ nginxConfDir: '/' }));
  const config = await loadKubeconfig({ kubeconfig: join(planted, 'kubeconfig') });
  const info = sandboxInfo(config);
  assert.equal(info?.nginxConfDir, undefined);
  assert.equal(isSandbox(config), false, 'its context is still named kubetrace-sandbox, but it is not proven');
  assert.match(info?.refused ?? '', /not trusted/);
});
