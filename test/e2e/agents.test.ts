// The language model tools in a real VS Code (code-server 4.100.3, which has vscode.lm): the packaged extension
// registers kubetrace_listRoutes, kubetrace_probe, kubetrace_explainTrace and kubetrace_burst, and VS Code lists them for chat.
// No chat model runs here, so the tools are checked through VS Code's own list (`vscode.lm.tools`, read by the
// "Kubetrace: Show Agent Tools" command) and the extension's output channel. The confirmation a probe of a cluster
// that is not the sandbox asks for is checked through the agent stand-in (test/e2e/agent-standin), which calls the
// tool through vscode.lm.invokeTool as an agent's tool call does; VS Code itself shows the confirmation.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/agents.test.ts
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { launchBrowser, openWorkbench } from './lib/browser';
import { startEnv, type E2EEnv } from './lib/env';
import { SCREENSHOTS, findLogs, openKubetraceView, runCommand, treeRow, waitFor } from './lib/workbench';

const POD_SUBNET = '127.10.152';
const TOOLS = 'kubetrace_listRoutes, kubetrace_probe, kubetrace_explainTrace, kubetrace_burst';
const say = (l: string) => process.stderr.write(`# e2e agents: ${l}\n`);

let env: E2EEnv | undefined;
let browser: Browser | undefined;
let page: Page;

before(
  async () => {
    env = await startEnv({ podSubnet: POD_SUBNET, agent: true, log: (l) => /^pod /.test(l) || say(l) });
    browser = await launchBrowser();
    page = await openWorkbench(browser, env.cs.url);
  },
  { timeout: 300_000 },
);

after(
  async () => {
    await browser?.close().catch(() => {});
    await env?.stop();
  },
  { timeout: 60_000 },
);

const readLogs = (name: RegExp) =>
  findLogs(env!.cs.userDataDir, name)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
const ownLog = () => readLogs(/^Kubetrace\.log$/);
const agentLog = () => readLogs(/^Agent Stand-in\.log$/);

test('the extension registers its four tools, and VS Code lists them for chat', { timeout: 180_000 }, async () => {
  await openKubetraceView(page);
  const registered = await waitFor(
    'the registration line in the Kubetrace output channel',
    async () => /language model tools registered: (.*)/.exec(ownLog())?.[1],
    60_000,
    500,
  );
  assert.equal(registered, TOOLS);
  await runCommand(page, 'Kubetrace: Show Agent Tools');
  const toast = page.locator('.notifications-toasts .notification-list-item-message', {
    hasText: 'Kubetrace agent tools:',
  });
  await toast.first().waitFor({ timeout: 20_000 });
  assert.equal((await toast.first().innerText()).trim(), `Kubetrace agent tools: ${TOOLS}`);
  const visible = await waitFor(
    'the tools VS Code lists, in the output channel',
    async () => /language model tools visible to chat: (.*)/.exec(ownLog())?.[1],
    20_000,
    500,
  );
  assert.equal(visible, TOOLS);
  assert.doesNotMatch(ownLog(), /\[error\]/);
});

/** Rewrites the kubeconfig Kubetrace uses under another context name: the same API server, but nothing proves it is
 *  the sandbox any more, so Kubetrace must treat it as a real cluster (src/core/kube/sandbox.ts decides). Kubetrace
 *  notices the rewritten file by itself (src/vscode/cluster.ts watches it). */
function renameContext(name: string): void {
  const file = env!.sandbox.kubeconfigPath;
  const config = parse(readFileSync(file, 'utf8')) as { contexts: { name: string }[]; 'current-context': string };
  for (const c of config.contexts) c.name = name;
  config['current-context'] = name;
  writeFileSync(file, stringify(config));
}

/** What VS Code's modal confirmation shows, once it is open. */
async function confirmation(): Promise<{ title: string; detail: string }> {
  const box = page.locator('.monaco-dialog-box');
  await box.waitFor({ timeout: 30_000 });
  return {
    title: (await box.locator('.dialog-message-text').innerText()).trim(),
    detail: (await box.locator('.dialog-message-detail').innerText()).trim(),
  };
}

async function answer(button: RegExp): Promise<void> {
  await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button', { hasText: button }).click();
  await page.locator('.monaco-dialog-box').waitFor({ state: 'detached', timeout: 10_000 });
}

const outcomes = () => agentLog().match(/\] (result: .*|cancelled|error: .*)$/gm) ?? [];

test(
  'a probe of a cluster that is not the sandbox waits for the confirmation VS Code shows',
  { timeout: 240_000 },
  async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    renameContext('staging');
    await treeRow(page, 'staging').waitFor({ timeout: 30_000 });
    assert.match(ownLog(), /the kubeconfig changed on disk; reloading/);

    await runCommand(page, 'Agent Stand-in: Probe shop/orders');
    assert.deepEqual(await confirmation(), {
      title: 'Send a GET probe to staging?',
      detail:
        'Kubetrace will send GET through shop/orders on context staging, which is not the Kubetrace sandbox: a real request to a real cluster.',
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'agent-confirmation-dark.png') });
    await answer(/^Cancel$/);
    await waitFor('the stand-in to log the outcome', async () => outcomes().length === 1, 20_000, 250);
    assert.deepEqual(
      outcomes().map((o) => o.split(':')[0]),
      ['] cancelled'],
    );
    assert.doesNotMatch(ownLog(), /agent probe /, 'no request was sent after Cancel');

    await runCommand(page, 'Agent Stand-in: Probe shop/orders');
    assert.equal((await confirmation()).title, 'Send a GET probe to staging?');
    await answer(/^Yes$/);
    await waitFor('the stand-in to log the probe result', async () => outcomes().length === 2, 90_000, 500);
    assert.match(outcomes()[1], /^\] result: /);
    assert.match(ownLog(), /agent probe https?:\/\/\S+\/orders\S*: 200 \(trace [0-9a-f]{32}\)/);
    assert.doesNotMatch(ownLog(), /\[error\]/);
  },
);
