// Issue 7 §5: the end-to-end flows in a real VS Code (code-server 4.100.3, the packaged .vsix) driven in Debian
// Chromium, against the sandbox cluster (real nginx and apps). One code-server and one page for all flows, in order.
// Screenshots (dark and light, 1280×800) go to test-results/screenshots/<flow>-<theme>.png; the code-server logs
// are copied to test-results/e2e-logs/ at the end.
// Run: node scripts/build.mjs && node --import tsx --test test/e2e/vscode-flows.test.ts
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWorkbench } from './lib/browser';
import { ROOT } from './lib/code-server';
import { startEnv, type E2EEnv } from './lib/env';
import { flowKubernetesTools } from './lib/flow-kubernetes-tools';
import { flowRestore } from './lib/flow-restore';
import { flowBurst } from './lib/flow-burst';
import { flowOptions } from './lib/flow-options';
import { flowCompare } from './lib/flow-compare';
import { flowUnreachable } from './lib/flow-unreachable';
import { flowAxe } from './lib/flow-axe';
import { startSandboxProcess, type SandboxProcess } from './lib/sandbox-process';
import {
  flowAppSource,
  flowContext,
  flowNginxSource,
  flowProbe,
  flowTree,
  flowUnauthorized,
  flowXss,
  type FlowCtx,
} from './lib/flows';
import { SCREENSHOTS, findLogs, resetWorkbench } from './lib/workbench';

const POD_SUBNET = '127.10.80';
// KUBETRACE_E2E_SINGLE=1 runs the flows with every pod on 127.0.0.1 (the sandbox's macOS mode, --single-address).
const SINGLE_ADDRESS = process.env.KUBETRACE_E2E_SINGLE === '1';
const LOGS_OUT = join(ROOT, 'test-results', 'e2e-logs');
const say = (l: string) => process.stderr.write(`# e2e: ${l}\n`);

let env: E2EEnv | undefined;
let browser: Browser | undefined;
let page: Page;
let ctx: FlowCtx;
let stopping = false;
/** The sandbox flow 11 started after stopping the first one. */
let restarted: SandboxProcess | undefined;

before(
  async () => {
    env = await startEnv({
      podSubnet: POD_SUBNET,
      singleAddress: SINGLE_ADDRESS,
      kubernetesTools: true,
      log: (l) => {
        if (!/^pod /.test(l)) say(l);
      },
    });
    void env.sandbox.exited.then(
      (code) =>
        stopping ||
        say(
          `WARNING: the sandbox process exited (${code}) while the flows ran; its last lines:\n${env?.sandbox.log.slice(-15).join('\n')}`,
        ),
    );
    browser = await launchBrowser();
    page = await openWorkbench(browser, env.cs.url);
    ctx = await flowContext(page, env, say);
    page.on('dialog', (d) => {
      ctx.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss().catch(() => {});
    });
    page.on('pageerror', (e) => ctx.pageErrors.push(e.message));
    rmSync(SCREENSHOTS, { recursive: true, force: true });
  },
  { timeout: 300_000 },
);

after(
  async () => {
    stopping = true;
    if (env && existsSync(join(env.cs.userDataDir, 'logs'))) {
      rmSync(LOGS_OUT, { recursive: true, force: true });
      mkdirSync(LOGS_OUT, { recursive: true });
      cpSync(join(env.cs.userDataDir, 'logs'), LOGS_OUT, { recursive: true });
    }
    await browser?.close().catch(() => {});
    await restarted?.stop();
    await env?.stop();
  },
  { timeout: 60_000 },
);

/** Runs a flow; on failure adds what the extension said (its output channel) and saves a screenshot. */
async function run(name: string, flow: () => Promise<unknown>): Promise<void> {
  const t0 = Date.now();
  try {
    await resetWorkbench(page, say);
    await flow();
    say(`${name}: ok in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page?.screenshot({ path: join(SCREENSHOTS, `FAILED-${name}.png`) }).catch(() => {});
    const out = env
      ? findLogs(env.cs.userDataDir, /^Kubetrace\.log$/)
          .map((f) => readFileSync(f, 'utf8').split('\n').slice(-25).join('\n'))
          .join('\n')
      : '';
    const sandbox =
      env?.sandbox &&
      (await Promise.race([
        env.sandbox.exited.then((c) => `the sandbox process had exited (${c})`),
        new Promise<string>((r) => setTimeout(() => r(''), 10)),
      ]));
    (e as Error).message +=
      `\n--- Kubetrace output channel (last lines) ---\n${out}${sandbox ? `\n--- ${sandbox} ---\n${env!.sandbox.log.slice(-15).join('\n')}` : ''}\n(screenshot: test-results/screenshots/FAILED-${name}.png)`;
    throw e;
  }
}

test('1. the Kubetrace view lists the demo Ingresses and expands down to ready pods', { timeout: 120_000 }, () =>
  run('1-tree', () => flowTree(ctx)),
);

test(
  '2. Send Probe from the context menu of orders shows client, ingress, app and downstream layers',
  { timeout: 150_000 },
  () => run('2-probe', () => flowProbe(ctx)),
);

test(
  '3. upstream.connect -> Open Source opens ngx_http_upstream.c at ngx_http_upstream_connect(',
  { timeout: 150_000 },
  () => run('3-nginx-source', () => flowNginxSource(ctx)),
);

test("4. orders.list -> Open Source opens the orders app's server.js at the span's line", { timeout: 90_000 }, () =>
  run('4-app-source', () => flowAppSource(ctx)),
);

test('5. a trace file full of XSS payloads renders as text and nothing runs', { timeout: 90_000 }, () =>
  run('5-xss', () => flowXss(ctx)),
);

test(
  '6. a refused token shows the 401 node with Open kubeconfig / Switch context / Retry, and recovers',
  { timeout: 90_000 },
  () => run('6-unauthorized', () => flowUnauthorized(ctx)),
);

test(
  '7. with Kubernetes Tools installed, Send Probe (Kubetrace) on its orders Ingress node probes through that Ingress',
  { timeout: 150_000 },
  () => run('7-kubernetes-tools', () => flowKubernetesTools(ctx)),
);

test('8. the panel keeps its trace and selection across hide/show and a window reload', { timeout: 150_000 }, () =>
  run('8-restore', () => flowRestore(ctx)),
);

test(
  '9. Send Probe Burst... on orders (50 requests) shows the histogram; the slowest point opens its trace',
  { timeout: 300_000 },
  () => run('9-burst', () => flowBurst(ctx)),
);

test(
  '10. Compare With Route... on orders pre-selects orders-route and shows the compare view',
  { timeout: 180_000 },
  () => run('10-compare', () => flowCompare(ctx)),
);

test(
  '11. Send Probe With Options... on orders: numbered steps with Back, a POST whose headers and body are on its span',
  { timeout: 120_000 },
  () => run('11-options', () => flowOptions(ctx)),
);

test(
  '12. stopping the sandbox shows "Cannot reach the API server" by itself; restarted, the tree comes back by itself',
  { timeout: 300_000 },
  () =>
    run('12-unreachable', () =>
      flowUnreachable(ctx, {
        stop: async () => {
          stopping = true; // the first sandbox's exit is wanted here: no warning
          await (restarted ?? env!.sandbox).stop();
        },
        start: async () => {
          restarted = await startSandboxProcess({
            kubeconfigPath: env!.sandbox.kubeconfigPath,
            podSubnet: POD_SUBNET,
            singleAddress: SINGLE_ADDRESS,
            log: (l) => {
              if (!/^pod /.test(l)) say(l);
            },
          });
        },
      }),
    ),
);

test(
  "13. axe in code-server's own trace panel: no contrast or name violations in the four built-in themes",
  { timeout: 240_000 },
  () => run('13-axe', () => flowAxe(ctx)),
);

test('the extension logged no errors and left no unhandled rejection in the extension host', () => {
  assert.ok(env, 'the set-up ran');
  const own = findLogs(env.cs.userDataDir, /^Kubetrace\.log$/);
  assert.ok(own.length, 'the Kubetrace output channel has a log file');
  const text = own.map((f) => readFileSync(f, 'utf8')).join('\n');
  assert.match(text, /activated in \d+(\.\d+)? ms/);
  assert.deepEqual(
    text.split('\n').filter((l) => /\[error\]/.test(l)),
    [],
    'no [error] lines in the Kubetrace output channel',
  );
  const host = findLogs(env.cs.userDataDir, /^(remote)?exthost\.log$/i)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const bad = host.split('\n').filter((l) => /kubetrace/i.test(l) && /\[error\]|unhandled|rejected promise/i.test(l));
  assert.deepEqual(bad, [], 'no extension-host errors from Kubetrace');
  assert.deepEqual(
    ctx.pageErrors.filter((m) => /kubetrace/i.test(m)),
    [],
    'no page errors from the panel',
  );
});
