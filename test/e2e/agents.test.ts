// The language model tools in a real VS Code (code-server 4.100.3, which has vscode.lm): the packaged extension
// registers kubetrace_listRoutes, kubetrace_probe, kubetrace_explainTrace and kubetrace_burst, and VS Code lists them for chat.
// No chat model runs here, so the tools are checked through VS Code's own list (`vscode.lm.tools`, read by the
// "Kubetrace: Show Agent Tools" command) and the extension's output channel.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/agents.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWorkbench } from './lib/browser';
import { startEnv, type E2EEnv } from './lib/env';
import { findLogs, openKubetraceView, runCommand, waitFor } from './lib/workbench';

const POD_SUBNET = '127.10.152';
const TOOLS = 'kubetrace_listRoutes, kubetrace_probe, kubetrace_explainTrace, kubetrace_burst';
const say = (l: string) => process.stderr.write(`# e2e agents: ${l}\n`);

let env: E2EEnv | undefined;
let browser: Browser | undefined;
let page: Page;

before(
  async () => {
    env = await startEnv({ podSubnet: POD_SUBNET, log: (l) => /^pod /.test(l) || say(l) });
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

const ownLog = () =>
  findLogs(env!.cs.userDataDir, /^Kubetrace\.log$/)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

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
