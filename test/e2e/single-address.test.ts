// The VS Code flows that matter most, with the sandbox in single-address mode (every pod on 127.0.0.1 with ports
// of its own: what it falls back to on macOS, where 127.10.x.y cannot be bound): the tree down to the pods, and Send
// Probe on orders with all four layers. The full flows can run this way too: KUBETRACE_E2E_SINGLE=1 with
// vscode-flows.test.ts.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/single-address.test.ts
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openWorkbench } from './lib/browser';
import { startEnv, type E2EEnv } from './lib/env';
import { flowContext, flowProbe, flowTree, type FlowCtx } from './lib/flows';
import { resetWorkbench } from './lib/workbench';

const say = (l: string) => process.stderr.write(`# e2e single-address: ${l}\n`);

let env: E2EEnv | undefined;
let browser: Browser | undefined;
let ctx: FlowCtx;

before(
  async () => {
    env = await startEnv({ podSubnet: '127.10.182', singleAddress: true, log: (l) => /^pod /.test(l) || say(l) });
    const pods = await env.sandbox.get<{ items: { status: { podIP: string } }[] }>('/api/v1/namespaces/shop/pods');
    assert.deepEqual([...new Set(pods.items.map((p) => p.status.podIP))], ['127.0.0.1'], 'every pod on 127.0.0.1');
    browser = await launchBrowser();
    ctx = await flowContext(await openWorkbench(browser, env.cs.url), env, say);
    ctx.page.on('pageerror', (e) => ctx.pageErrors.push(e.message));
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

test('single-address mode: the tree lists the Ingresses and expands to ready pods', { timeout: 120_000 }, async () => {
  await resetWorkbench(ctx.page, say);
  await flowTree(ctx);
});

test(
  'single-address mode: Send Probe on orders shows client, ingress, app and downstream',
  { timeout: 150_000 },
  async () => {
    await resetWorkbench(ctx.page, say);
    await flowProbe(ctx);
    assert.deepEqual(ctx.pageErrors, []);
  },
);
