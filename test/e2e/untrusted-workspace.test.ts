// An untrusted folder must not run code through its kubeconfig settings: a real VS Code (code-server, the packaged
// .vsix) with workspace trust ON opens a folder whose .vscode/settings.json points `vs-kubernetes.kubeconfig` and
// `kubetrace.kubeconfig` at a kubeconfig, shipped in the folder, whose exec plugin writes a marker file.
// 1. Restricted Mode: the tree names the Kubernetes Tools setting as ignored, and the plugin does not run.
// (A user setting naming a kubeconfig inside the folder is refused its plugin too: test/unit/kube-kubeconfig-trust.)
// 2. Once the user trusts the folder, the same settings are used and the plugin runs: the marker checks are live.
// No sandbox cluster: the kubeconfig's server is a closed local port. Screenshots go to test-results/screenshots.
// Run: node --import tsx --test test/e2e/untrusted-workspace.test.ts (under the machine-wide e2e lock).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { launchBrowser } from './lib/browser';
import { buildVsix, ensureCodeServer, startCodeServer, type CodeServer } from './lib/code-server';
import { SCREENSHOTS, findLogs, openKubetraceView, runCommand, treeRow, waitFor } from './lib/workbench';

const say = (l: string) => process.stderr.write(`# e2e-trust: ${l}\n`);
let base = '';
let workspace = '';
let marker = '';
let cs: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page;

/** The attack: a kubeconfig in the repository whose user runs a shell command, and settings that select it. */
function plantWorkspace(): void {
  workspace = join(base, 'innocent-repo');
  mkdirSync(join(workspace, 'deploy'), { recursive: true });
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  const kubeconfig = join(workspace, 'deploy', 'kubeconfig.yaml');
  const credential = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}';
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'prod', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [
        {
          name: 'deployer',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: '/bin/sh',
              args: ['-c', `id > '${marker}'; echo '${credential}'`],
              interactiveMode: 'Never',
            },
          },
        },
      ],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'deployer' } }],
      'current-context': 'prod',
    }),
  );
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'vs-kubernetes': { 'vs-kubernetes.kubeconfig': kubeconfig }, 'kubetrace.kubeconfig': kubeconfig }),
  );
  writeFileSync(join(workspace, 'README.md'), '# A repository someone sent you\n');
}

before(
  async () => {
    base = mkdtempSync(join(tmpdir(), 'kubetrace-e2e-trust-'));
    marker = join(base, 'exec-plugin-ran');
    plantWorkspace();
    ensureCodeServer();
    const vsix = process.env.KUBETRACE_E2E_VSIX ?? buildVsix();
    cs = await startCodeServer({
      vsix,
      workspace,
      workspaceTrust: true,
      settings: { 'git.enabled': false, 'extensions.ignoreRecommendations': true },
      // No kubeconfig of the machine's may stand in: the only one around is the planted one.
      env: { KUBECONFIG: join(base, 'no-such-kubeconfig') },
    });
    browser = await launchBrowser();
    // The first load of the workbench can take over a minute on a busy machine: wait longer than openWorkbench.
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    await page.goto(cs.url, { timeout: 180_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  },
  { timeout: 300_000 },
);

after(
  async () => {
    await browser?.close().catch(() => {});
    await cs?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

const kubetraceLog = () =>
  cs
    ? findLogs(cs.userDataDir, /^Kubetrace\.log$/)
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n')
    : '';

async function screenshot(name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** A step of the flow; on failure, a screenshot and the extension's last log lines go with the error. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    await screenshot(`FAILED-${name}`).catch(() => {});
    (e as Error).message +=
      `\n--- Kubetrace output (last lines) ---\n${kubetraceLog().split('\n').slice(-15).join('\n')}` +
      `\n(screenshot: test-results/screenshots/FAILED-${name}.png)`;
    throw e;
  }
}

test('Restricted Mode: the workspace kubeconfig settings are ignored, the tree says why, nothing runs', () =>
  step('untrusted-1', async () => {
    // VS Code shows "Restricted Mode" at the left of the status bar while the folder is untrusted.
    await page.locator('.statusbar', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 60_000 });
    await openKubetraceView(page);
    // kubetrace.kubeconfig is a restricted setting: VS Code itself hides its workspace value, so only Kubernetes
    // Tools' setting, which VS Code cannot restrict for us, needs naming.
    for (const setting of ['vs-kubernetes.kubeconfig'])
      await treeRow(
        page,
        new RegExp(
          `^${setting.replace('.', '\\.')} from the workspace settings \\(.*\\) is ignored: this workspace is not trusted`,
        ),
      ).waitFor({ timeout: 60_000 });
    await treeRow(page, /^No kubeconfig found: looked at .*no-such-kubeconfig \(from KUBECONFIG\)$/).waitFor();
    await treeRow(page, 'Manage Workspace Trust').waitFor();
    await screenshot('untrusted-1-ignored');
    assert.ok(!existsSync(marker), 'the exec plugin did not run');
    assert.match(kubetraceLog(), /\[warning\] vs-kubernetes\.kubeconfig from the workspace settings .* is ignored/);
  }));

test('after the user trusts the folder, the same settings are used and the exec plugin runs', () =>
  step('untrusted-2', async () => {
    await runCommand(page, 'Workspaces: Manage Workspace Trust');
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust/ }).first();
    await trust.waitFor({ timeout: 20_000 });
    await trust.click();
    // The plugin's shell creates the marker before `id` writes into it: wait for the text, not the file.
    await waitFor(
      'the exec plugin to run once the folder is trusted',
      async () => existsSync(marker) && /uid=/.test(readFileSync(marker, 'utf8')),
      120_000,
      500,
    );
    say(`the trusted folder's plugin ran: ${readFileSync(marker, 'utf8').trim()}`);
  }));
