// Issue 15 Major 4: a user with no cluster tries Kubetrace from the packaged extension alone. The .vsix is built
// and installed into a bare code-server: an empty folder as the workspace, no kubeconfig, no `kubetrace` on PATH,
// no repository anywhere the extension could find one. "Start sandbox" in the welcome view must start the sandbox
// the .vsix ships (its CLI, apps, manifests and OpenTelemetry bundle), the tree must list its Ingresses, and a probe
// of orders must open the trace panel with orders' span. Then the sandbox is stopped: the "Cannot reach the API
// server" node offers Start sandbox, which brings it back. The sandbox uses pod subnet 127.10.191, passed as
// KUBETRACE_POD_SUBNET through code-server's environment to the extension and on to the CLI. Last, a second
// code-server whose nginx is missing: Start sandbox names it with its install lines and starts nothing.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/packaged-sandbox.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './lib/browser';
import { buildVsix, ensureCodeServer, shippedPaths, startCodeServer, type CodeServer } from './lib/code-server';
import { probeOrders, type FlowCtx } from './lib/flows';
import {
  SCREENSHOTS,
  findLogs,
  openKubetraceView,
  panel,
  spanRow,
  treeLabels,
  treeRow,
  waitFor,
} from './lib/workbench';

const POD_SUBNET = '127.10.191';
const say = (l: string) => process.stderr.write(`# e2e-packaged-sandbox: ${l}\n`);
let base = '';
let cs: CodeServer | undefined;
let vsix = '';
let workspace = '';
let browser: Browser | undefined;
let page: Page;

/** PATH without any folder that holds a `kubetrace` (an `npm link` would otherwise stand in for the bundle). */
const pathWithoutKubetrace = (): string =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, 'kubetrace')))
    .join(delimiter);

/** The sandbox CLIs the extension started in this code-server (their kubeconfig is in its user-data dir). */
function sandboxPids(): number[] {
  if (!cs) return [];
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('cli.js sandbox') && l.includes(cs!.userDataDir))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops the sandbox CLIs this test's code-server started and waits until each has shut its pods down. */
async function stopSandboxes(): Promise<void> {
  for (const pid of sandboxPids()) {
    process.kill(pid, 'SIGTERM');
    await waitFor(`sandbox CLI ${pid} to stop`, async () => !alive(pid), 30_000, 250);
  }
}

const kubetraceLog = () =>
  cs
    ? findLogs(cs.userDataDir, /^Kubetrace\.log$/)
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n')
    : '';

async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page?.screenshot({ path: join(SCREENSHOTS, `FAILED-${name}.png`) }).catch(() => {});
    (e as Error).message +=
      `\n--- Kubetrace output (last lines) ---\n${kubetraceLog().split('\n').slice(-25).join('\n')}` +
      `\n(screenshot: test-results/screenshots/FAILED-${name}.png)`;
    throw e;
  }
}

function folderBytes(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((n, f) => n + folderBytes(join(p, f)), 0);
}

/** A bare code-server with the .vsix installed, the empty folder open, and a page on it. */
async function openBare(env: Record<string, string>): Promise<void> {
  cs = await startCodeServer({
    vsix,
    workspace,
    settings: { 'git.enabled': false, 'extensions.ignoreRecommendations': true },
    env: {
      KUBETRACE_POD_SUBNET: POD_SUBNET,
      KUBECONFIG: join(base, 'no-such-kubeconfig'),
      PATH: pathWithoutKubetrace(),
      ...env,
    },
  });
  // The first load of the workbench can take over a minute on a busy machine: wait longer than openWorkbench.
  page = await browser!.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  await page.goto(cs.url, { timeout: 180_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
}

/** Clicks Start sandbox in the Kubetrace view's welcome content. */
async function clickWelcomeStart(): Promise<void> {
  await openKubetraceView(page);
  const start = page.locator('.welcome-view-content').getByRole('button', { name: 'Start sandbox' });
  await start.waitFor({ timeout: 60_000 });
  await start.click();
}

before(
  async () => {
    base = mkdtempSync(join(tmpdir(), 'kubetrace-e2e-packaged-'));
    workspace = join(base, 'empty-folder');
    mkdirSync(workspace);
    ensureCodeServer();
    vsix = process.env.KUBETRACE_E2E_VSIX ?? buildVsix();
    browser = await launchBrowser();
    await openBare({});
  },
  { timeout: 600_000 },
);

after(
  async () => {
    await stopSandboxes().catch((e) => say(`stopping the sandbox: ${(e as Error).message}`));
    await browser?.close().catch(() => {});
    await cs?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  },
  { timeout: 90_000 },
);

test('the installed extension holds the sandbox, and nothing outside it is used', () =>
  step('packaged-0', async () => {
    const installed = readdirSync(cs!.extensionsDir).find((d) => d.startsWith('kubetrace.kubetrace-'));
    assert.ok(installed, `the extension is installed in ${cs!.extensionsDir}`);
    const root = join(cs!.extensionsDir, installed);
    // vsce renames README.md and LICENSE in the package; the code it ships keeps its paths.
    for (const f of shippedPaths().filter((p) => /^(dist|src|media)\//.test(p)))
      assert.ok(existsSync(join(root, f)), `the installed extension has ${f}`);
    assert.ok(existsSync(join(root, 'src', 'sandbox', 'apps', 'catalog', 'app.py')));
    assert.ok(!existsSync(join(root, 'node_modules')), 'no node_modules: the apps use dist/sandbox-otel.js');
    const sandboxPart = ['dist/cli.js', 'dist/sandbox-otel.js', 'src/sandbox/apps', 'src/sandbox/manifests'];
    const bytes = sandboxPart.map((p) => folderBytes(join(root, p)));
    say(`shipped sandbox: ${sandboxPart.map((p, i) => `${p} ${(bytes[i] / 1024).toFixed(0)} KB`).join(', ')}`);
    assert.ok(bytes.reduce((a, b) => a + b, 0) <= 3 * 1024 * 1024, 'the shipped sandbox stays within 3 MB');
  }));

test('Start sandbox in the welcome view starts the shipped sandbox and the tree lists its Ingresses', () =>
  step('packaged-1', async () => {
    await clickWelcomeStart();
    // A cold start on a busy machine: certificates, three data planes, four apps.
    await treeRow(page, 'orders').first().waitFor({ timeout: 120_000 });
    const labels = (await treeLabels(page)).map((r) => r.label);
    for (const ingress of ['orders', 'catalog', 'catalog-haproxy'])
      assert.ok(labels.includes(ingress), `the tree lists ${ingress}: ${labels.join(', ')}`);
    const orders = (await treeLabels(page)).find((r) => r.label === 'orders')!;
    assert.match(orders.description, new RegExp(`${POD_SUBNET.replace(/\./g, '\\.')}\\.\\d+`), 'pods on 127.10.191');
    assert.equal(sandboxPids().length, 1, 'one sandbox CLI runs, from the installed extension');
    const cmd = execFileSync('ps', ['-o', 'args=', '-p', String(sandboxPids()[0])], { encoding: 'utf8' });
    assert.match(cmd, new RegExp(`${cs!.extensionsDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/kubetrace\\.kubetrace-`));
  }));

test('a probe of orders shows the trace panel with the orders span', () =>
  step('packaged-2', async () => {
    const ctx: FlowCtx = {
      page,
      env: { workspace: '', kubeconfig: '', userDataDir: cs!.userDataDir, base },
      dialogs: [],
      pageErrors: [],
      log: say,
    };
    const { traceId } = await probeOrders(ctx, 'context-menu');
    say(`trace ${traceId}`);
    const p = panel(page);
    await spanRow(p, 'GET /orders', 'orders').first().waitFor({ state: 'attached', timeout: 10_000 });
    await spanRow(p, 'GET /inventory/stock', 'inventory').first().waitFor({ state: 'attached', timeout: 10_000 });
  }));

test('with the sandbox gone, "Cannot reach the API server" offers Start sandbox, which brings it back', () =>
  step('packaged-3', async () => {
    await stopSandboxes();
    await openKubetraceView(page);
    const err = treeRow(page, /^Cannot reach the API server$/).first();
    await err.waitFor({ timeout: 30_000 });
    const action = treeRow(page, 'Start sandbox').first();
    await action.waitFor({ timeout: 10_000 });
    await action.click();
    await treeRow(page, 'orders').first().waitFor({ timeout: 120_000 });
    assert.equal(await treeRow(page, /^Cannot reach the API server$/).count(), 0);
    assert.equal(sandboxPids().length, 1, 'the sandbox runs again');
  }));

test('a machine without nginx: Start sandbox names it with the apt and brew lines, and starts nothing', () =>
  step('packaged-4', async () => {
    await stopSandboxes();
    await page.close();
    await cs!.stop();
    // The sandbox runs KUBETRACE_NGINX when it is set (src/sandbox/nginx/controller.ts): here, a program that is not there.
    await openBare({ KUBETRACE_NGINX: join(base, 'no-nginx-here') });
    await clickWelcomeStart();
    const toast = page.locator('.notification-toast', { hasText: 'The sandbox needs nginx' }).first();
    await toast.waitFor({ timeout: 30_000 });
    const text = (await toast.locator('.notification-list-item-message').innerText()).replace(/\s+/g, ' ');
    assert.match(
      text,
      /^The sandbox needs nginx, which is not installed\. Debian\/Ubuntu: sudo apt-get install -y nginx\./,
    );
    assert.match(text, /macOS: brew install nginx\.$/);
    const buttons = await toast.locator('.monaco-button').allInnerTexts();
    assert.deepEqual(
      buttons.map((b) => b.trim()),
      ['Copy command', 'Show Output'],
    );
    assert.equal(sandboxPids().length, 0, 'no sandbox was started');
    await toast.locator('.monaco-button', { hasText: 'Show Output' }).click();
    await page
      .locator('.part.panel .view-lines', { hasText: 'The sandbox needs nginx' })
      .first()
      .waitFor({ timeout: 15_000 });
  }));
