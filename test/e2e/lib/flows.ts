// The end-to-end flows, written against a running code-server page. The test file runs them
// in order on one page; each leaves the workbench in a state the next can start from.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, FrameLocator, Page } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { ROOT } from './code-server';
import { flowGateways } from './flow-gateways';
import { NGINX_DIR, type E2EEnv } from './env';
import {
  activeEditor,
  contextMenuItem,
  exact,
  expandRow,
  findLogs,
  inlineAction,
  layersShown,
  openKubetraceView,
  panel,
  panelFrame,
  pickFileInSimpleDialog,
  runCommand,
  screenshotBoth,
  spanRow,
  treeLabels,
  treeRow,
  waitFor,
} from './workbench';

/** The trace's diagnostics (the request-set view has its own, hidden while a trace shows). */
const TRACE_DIAGNOSTICS = '.kt-diags-wrap:not(.kt-burst > .kt-diags-wrap)';

export interface FlowCtx {
  page: Page;
  env: { workspace: string; kubeconfig: string; userDataDir: string; base: string };
  /** Pod names the sandbox runs for shop/orders, to compare the tree with. */
  ordersPods?: string[];
  /** Their container ports as the API shows them: 8080, or ports of their own with --single-address. */
  ordersPorts?: number[];
  dialogs: string[];
  pageErrors: string[];
  log: (line: string) => void;
}

/** The context the flows share: the page, where things are, and the orders pods the sandbox runs. */
export async function flowContext(page: Page, env: E2EEnv, log: (line: string) => void): Promise<FlowCtx> {
  const pods = await env.sandbox.get<{
    items: { metadata: { name: string }; spec: { containers: { ports?: { containerPort: number }[] }[] } }[];
  }>('/api/v1/namespaces/shop/pods');
  const orders = pods.items.filter((p) => p.metadata.name.startsWith('orders-'));
  return {
    page,
    env: {
      workspace: env.workspace,
      kubeconfig: env.sandbox.kubeconfigPath,
      userDataDir: env.cs.userDataDir,
      base: env.base,
    },
    ordersPods: orders.map((p) => p.metadata.name),
    ordersPorts: orders.map((p) => p.spec.containers[0].ports?.[0]?.containerPort ?? 0),
    dialogs: [],
    pageErrors: [],
    log,
  };
}

export const LAYERS = ['Client', 'Ingress', 'App', 'Downstream'];
/** How many probes a flow may send to see all four layers (see the report: the core's collector can drop app spans). */
const MAX_PROBES = 4;
const XSS = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'e2e', 'xss-payloads.json'), 'utf8')) as Record<
  string,
  string
>;

function lineOf(file: string, re: RegExp): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => re.test(l));
  assert.ok(i >= 0, `${file} has a line matching ${re}`);
  return i + 1;
}
const fileLine = (file: string, n: number) => readFileSync(file, 'utf8').split('\n')[n - 1] ?? '';

export async function traceIdShown(p: FrameLocator): Promise<string> {
  return (
    (await p
      .locator('.kt-top .kt-meta code')
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => '')) ?? ''
  );
}

/** Waits for the panel to show a trace other than `previous`; returns what it shows. */
export async function waitForNewTrace(
  page: Page,
  previous: string,
): Promise<{ traceId: string; layers: string[]; diagnostics: string }> {
  const p = panel(page);
  const traceId = await waitFor(
    'the trace panel to show the new trace',
    async () => {
      const id = await traceIdShown(p);
      return id && id !== previous ? id : undefined;
    },
    40_000,
    250,
  ).catch(async (e) => {
    // Say what VS Code said: error notifications and modal dialogs usually name the cause.
    const said = await page
      .locator(
        '.notification-toast .notification-list-item-message, .monaco-dialog-box .dialog-message-text, .monaco-dialog-box .dialog-message-detail',
      )
      .allInnerTexts()
      .catch(() => []);
    throw new Error(
      `${(e as Error).message}${said.length ? `; VS Code shows: ${said.map((x) => x.trim()).join(' | ')}` : ''}`,
    );
  });
  await p.locator('.wf-row--layer').first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(300);
  const diagnostics = await p
    .locator(TRACE_DIAGNOSTICS)
    .innerText()
    .catch(() => '');
  return { traceId, layers: await layersShown(p), diagnostics };
}

/**
 * Sends probes through `orders` until the panel shows all four layers: the first with `first`, the others with
 * the row's inline play icon. Every probe that came back short is logged with the panel's diagnostics.
 */
export async function probeOrders(
  ctx: FlowCtx,
  first: 'context-menu' | 'inline' | 'kubernetes-tools',
): Promise<{ traceId: string; attempts: number }> {
  const { page } = ctx;
  let previous = await traceIdShown(panel(page));
  for (let attempt = 1; ; attempt++) {
    const row = treeRow(page, 'orders').first();
    // Kubernetes Tools rows have no inline action of ours: every probe there goes through the context menu.
    const how = first === 'kubernetes-tools' ? first : attempt === 1 ? first : 'inline';
    if (how === 'context-menu') await contextMenuItem(page, row, 'Send Probe');
    else if (how === 'kubernetes-tools') await contextMenuItem(page, row, 'Send Probe (Kubetrace)');
    else await inlineAction(row, 'Send Probe');
    const got = await waitForNewTrace(page, previous);
    ctx.log(`probe ${attempt} (${how}): trace ${got.traceId}, layers ${got.layers.join(', ')}`);
    if (LAYERS.every((l) => got.layers.includes(l))) return { traceId: got.traceId, attempts: attempt };
    ctx.log(
      `  WARNING: probe ${attempt} lacks ${LAYERS.filter((l) => !got.layers.includes(l)).join(', ')}; the panel says: ${got.diagnostics.replace(/\s+/g, ' ').trim()}`,
    );
    assert.ok(
      attempt < MAX_PROBES,
      `${MAX_PROBES} probes of shop/orders never showed all four layers (last: ${got.layers.join(', ')}; diagnostics: ${got.diagnostics.replace(/\s+/g, ' ').trim()})`,
    );
    previous = got.traceId;
  }
}

export async function selectSpan(page: Page, name: string, service?: string): Promise<void> {
  const p = panel(page);
  const row = spanRow(p, name, service).first();
  const title = p.locator('.kt-side .kt-details-title', { hasText: exact(name) });
  await p.locator('.kt-trace .wf-scroll').waitFor({ timeout: 10_000 });
  for (let attempt = 1; ; attempt++) {
    // The waterfall is virtualized and recycles its row elements on scroll: bring the row to the middle of the
    // scroller in the page and let it repaint before clicking, or the click can land on a recycled row.
    const found = await p.locator('.kt-trace .wf-scroll').evaluate(
      async (el, want) => {
        el.scrollTop = 0;
        for (let i = 0; i < 400; i++) {
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          const hit = [...el.querySelectorAll<HTMLElement>('.wf-row:not([hidden])')].find(
            (r) =>
              r.querySelector('.wf-name')?.textContent === want.name &&
              (!want.service ||
                r.title === `${want.name} · ${want.service}` ||
                r.title.startsWith(`${want.name} · ${want.service} · `)),
          );
          if (hit) {
            el.scrollTop = Math.max(0, Number(hit.dataset.pos) * hit.offsetHeight - el.clientHeight / 2);
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            return true;
          }
          const before = el.scrollTop;
          el.scrollTop += Math.max(24, el.clientHeight / 2);
          if (el.scrollTop === before) return false;
        }
        return false;
      },
      { name, service },
    );
    assert.ok(
      found,
      `the waterfall has a span ${name} (${service ?? 'any service'}): ${JSON.stringify(await p.locator('.wf-row:not([hidden]) .wf-name').allTextContents())}`,
    );
    await row.click();
    if (
      await title.waitFor({ timeout: 3000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    assert.ok(attempt < 4, `clicking the ${name} row did not select it`);
  }
}

/** The main source shown for the selected span, and a click on its Open Source button. */
async function openMainSource(page: Page): Promise<{ path: string; line?: number }> {
  const p = panel(page);
  const item = p.locator('.kt-side .kt-source').first();
  await item.waitFor({ timeout: 10_000 });
  const text = (await item.locator('.kt-source-path').getAttribute('title')) ?? '';
  const m = /^(.*?)(?::(\d+)(?:-\d+)?)?$/.exec(text)!;
  await item.locator('vscode-button.kt-open').click();
  return { path: m[1], line: m[2] ? Number(m[2]) : undefined };
}

export async function showPanel(page: Page): Promise<void> {
  if (await page.locator('iframe.webview.ready').count()) {
    const f = await panelFrame(page).catch(() => undefined);
    if (
      f &&
      (await f
        .locator('.kt-top')
        .isVisible()
        .catch(() => false))
    )
      return;
  }
  await runCommand(page, 'Kubetrace: Open Trace Panel');
  await panel(page).locator('.kt-top').waitFor({ timeout: 20_000 });
}

// ---- 1. the tree -----------------------------------------------------------------------------------------------

export async function flowTree(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await openKubetraceView(page);
  for (const name of ['orders', 'shop-api', 'fallback', 'catalog', 'orders-route']) {
    await treeRow(page, name).first().waitFor({ timeout: 30_000 });
  }
  const top = (await treeLabels(page)).filter((r) => r.level === 1);
  assert.equal(top[0].label, 'kubetrace-sandbox', 'the current context comes first');
  assert.deepEqual(
    top
      .slice(1)
      .map((r) => r.label)
      .sort(),
    // With the Gateway's routes from src/sandbox/manifests/25-gateway.yaml, and the Gateways part below them;
    // catalog-haproxy is the haproxy class's (15-haproxy.yaml).
    [
      'Gateways',
      'catalog',
      'catalog-haproxy',
      'catalog-route',
      'fallback',
      'health-split',
      'orders',
      'orders-gold',
      'orders-grpc',
      'orders-route',
      'shop-api',
    ],
  );
  assert.match(top.find((r) => r.label === 'orders')!.icon, /codicon-globe/);
  assert.match(
    top.find((r) => r.label === 'orders-route')!.icon,
    /codicon-git-merge/,
    'the HTTPRoute is listed with its own icon',
  );

  await expandRow(treeRow(page, 'orders'));
  await expandRow(treeRow(page, 'shop.kubetrace.test'));
  await expandRow(treeRow(page, '/orders'));
  await expandRow(treeRow(page, 'orders:80'));
  const rows = await waitFor(
    'the orders pods to show under orders:80',
    async () => {
      const r = await treeLabels(page);
      return r.filter((x) => x.level === 5).length >= 2 ? r : undefined;
    },
    20_000,
  ).catch(async (e) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(await treeLabels(page))}`);
  });
  const at = (label: string) => rows.find((r) => r.label === label)!;
  assert.equal(at('shop.kubetrace.test').level, 2);
  assert.equal(at('shop.kubetrace.test').description, 'https', 'the TLS host is probed over https');
  assert.equal(at('/orders').description, 'Prefix');
  assert.equal(at('orders:80').description, '2/2 ready');
  const pods = rows.filter((r) => r.level === 5);
  assert.equal(pods.length, 2, `two orders pods under orders:80: ${JSON.stringify(pods)}`);
  for (const pod of pods) {
    assert.match(pod.label, /^orders-[a-z0-9]{10}-[a-z0-9]{5}$/);
    assert.match(pod.icon, /codicon-pass-filled/, `${pod.label} has the ready icon`);
    const [, port] = /^127\.\d+\.\d+\.\d+:(\d+) · sandbox-node-[12]$/.exec(pod.description) ?? [];
    assert.ok(port, `${pod.label}: ${pod.description}`);
    assert.ok((ctx.ordersPorts ?? [8080]).includes(Number(port)), `${pod.label}: port ${port} is not the pod's`);
  }
  if (ctx.ordersPods)
    assert.deepEqual(
      pods.map((p) => p.label).sort(),
      [...ctx.ordersPods].sort(),
      'the tree shows the pods the sandbox runs',
    );
  await page.mouse.move(700, 500);
  await screenshotBoth(page, '1-tree');
  await flowGateways(page);
}

// ---- 2. Send Probe from the context menu -----------------------------------------------------------------------

export async function flowProbe(ctx: FlowCtx): Promise<{ attempts: number }> {
  const { page } = ctx;
  await openKubetraceView(page);
  const { attempts } = await probeOrders(ctx, 'context-menu');
  const p = panel(page);
  assert.deepEqual(await layersShown(p), LAYERS, 'the layers are grouped in order: client, ingress, app, downstream');
  const top = await p.locator('.kt-top').innerText();
  assert.match(top, /GET\s+https:\/\/shop\.kubetrace\.test(:\d+)?\/orders/);
  assert.match(top, /200/);
  for (const [name, service] of [
    ['probe', 'client'],
    ['nginx', 'ingress-nginx'],
    ['upstream.attempt', 'ingress-nginx'],
    ['upstream.connect', 'ingress-nginx'],
    ['GET /orders', 'orders'],
    ['GET /inventory/stock', 'inventory'],
  ]) {
    assert.ok(await spanRow(p, name, service).count(), `the waterfall has ${name} (${service})`);
  }
  await waitFor('the status bar to show the probe', async () =>
    page
      .locator('.statusbar-item', { hasText: /200 · \d+ ms/ })
      .first()
      .isVisible(),
  );
  await selectSpan(page, 'GET /orders', 'orders');
  const side = await p.locator('.kt-side').innerText();
  assert.match(side, /server\.js:\d+/, 'the app span names its source');
  // For the screenshots: the waterfall from its top, with the selected span still in view.
  await p.locator('.kt-trace .wf-scroll').evaluate((el) => {
    el.scrollTop = 0;
  });
  await page.mouse.move(700, 790);
  await screenshotBoth(page, '2-probe');
  return { attempts };
}

// ---- 3. upstream.connect -> ngx_http_upstream.c -----------------------------------------------------------------

export async function flowNginxSource(ctx: FlowCtx): Promise<{ attempts: number }> {
  const { page } = ctx;
  await openKubetraceView(page);
  // This flow probes with the inline play icon (flow 2 used the context menu).
  const { attempts } = await probeOrders(ctx, 'inline');
  await selectSpan(page, 'upstream.connect', 'ingress-nginx');
  const ref = await openMainSource(page);
  const file = join(ctx.env.workspace, NGINX_DIR, 'src', 'http', 'ngx_http_upstream.c');
  const want = lineOf(file, /^ngx_http_upstream_connect\(/);
  assert.equal(ref.path, file, 'the span links the workspace copy of the nginx source');
  assert.equal(ref.line, want, 'the span links the line of ngx_http_upstream_connect(');
  const ed = await waitFor(
    'the editor to show ngx_http_upstream.c at the function',
    async () => {
      const e = await activeEditor(page);
      return e.tab === 'ngx_http_upstream.c' && e.line === want ? e : undefined;
    },
    20_000,
  ).catch(async (e) => {
    throw new Error(`${(e as Error).message}; the editor shows ${JSON.stringify(await activeEditor(page))}`);
  });
  assert.match(
    fileLine(file, ed.line),
    /^ngx_http_upstream_connect\(ngx_http_request_t \*r, ngx_http_upstream_t \*u\)/,
  );
  assert.ok(
    ed.visibleText.includes('ngx_http_upstream_connect(ngx_http_request_t *r, ngx_http_upstream_t *u)'),
    'the line is on screen',
  );
  await screenshotBoth(page, '3-nginx-source');
  return { attempts };
}

// ---- 4. an orders span -> the app's server.js ---------------------------------------------------------------------

export async function flowAppSource(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await showPanel(page);
  await selectSpan(page, 'orders.list', 'orders');
  const ref = await openMainSource(page);
  const file = join(ctx.env.workspace, 'apps', 'orders', 'server.js');
  assert.equal(ref.path, file, "the container path /app/server.js maps to the orders copy, not inventory's");
  assert.ok(ref.line, 'the span gives a line');
  assert.match(
    fileLine(file, ref.line!),
    /inSpan\('orders\.list'/,
    `line ${ref.line} of server.js starts the orders.list span (it reads: ${fileLine(file, ref.line!).trim()})`,
  );
  const ed = await waitFor(
    'the editor to show server.js at the span line',
    async () => {
      const e = await activeEditor(page);
      return e.tab === 'server.js' && e.line === ref.line ? e : undefined;
    },
    20_000,
  ).catch(async (e) => {
    throw new Error(`${(e as Error).message}; the editor shows ${JSON.stringify(await activeEditor(page))}`);
  });
  assert.ok(
    ed.breadcrumbs.startsWith('apps/orders/server.js'),
    `the editor shows the orders app's file: ${ed.breadcrumbs}`,
  );
  assert.ok(ed.visibleText.includes("inSpan('orders.list'"), 'the line is on screen');
  // The panel stays beside the editor and says the file was opened.
  await showPanel(page);
  await panel(page).locator('.kt-side .kt-source-note.is-ok').waitFor({ timeout: 10_000 });
  await screenshotBoth(page, '4-app-source');
}

// ---- 5. a trace file full of XSS payloads ------------------------------------------------------------------------

async function frameReport(f: Frame) {
  return f.evaluate(() => {
    const all: Element[] = [];
    const roots: (Document | ShadowRoot)[] = [document];
    while (roots.length) {
      for (const e of roots.pop()!.querySelectorAll('*')) {
        all.push(e);
        if (e.shadowRoot) roots.push(e.shadowRoot);
      }
    }
    return {
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      title: document.title,
      // VS Code injects its own host script into the frame; the panel adds its bundle. Neither may hold data.
      scripts: all
        .filter((e) => e.tagName === 'SCRIPT')
        .map((e) => ({
          src: (e as HTMLScriptElement).src.split('/').pop() ?? '',
          fromData: /pwned/.test(e.textContent ?? '') || /pwned/.test((e as HTMLScriptElement).src),
        })),
      embedded: all.filter((e) => ['IMG', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName)).length,
      svgFromData: document.querySelectorAll('svg:not(.kt-icon)').length,
      handlers: all.flatMap((e) =>
        [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName}.${a.name}`),
      ),
      jsLinks: all.filter(
        (e) => /javascript:/i.test(e.getAttribute('href') ?? '') || /javascript:/i.test(e.getAttribute('src') ?? ''),
      ).length,
    };
  });
}

export async function flowXss(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  const file = join(ctx.env.workspace, 'xss-trace.json');
  copyFileSync(join(ROOT, 'test', 'fixtures', 'e2e', 'xss-trace.json'), file);
  // A fresh, full-width panel: the import opens it again in the empty editor area.
  await runCommand(page, 'View: Close All Editors');
  await waitFor('the editors to close', async () => (await page.locator('iframe.webview.ready').count()) === 0, 10_000);
  const titleBefore = await page.title();
  const previous = await traceIdShown(panel(page));
  await runCommand(page, 'Kubetrace: Open Trace File...');
  await pickFileInSimpleDialog(page, file);
  const got = await waitForNewTrace(page, previous);
  assert.equal(got.traceId, '0af7651916cd43dd8448eb211c80319c');
  const p = panel(page);
  assert.match(await p.locator('.kt-top').innerText(), /Imported trace/);
  const diags = await p.locator(TRACE_DIAGNOSTICS).innerText();
  assert.ok(
    diags.includes(XSS.img) && diags.includes(XSS.script),
    `the diagnostic shows its payloads as text: ${diags}`,
  );

  // Visit every span, so every payload is rendered in the details pane, and try its Open Source.
  const seen = new Set<string>();
  for (const [name, layer] of [
    [XSS.script, 'client'],
    [XSS.img, 'ingress'],
    [XSS.js, 'downstream'],
    [XSS.svg, 'app'],
  ]) {
    const row = p
      .locator(`.wf-row.layer-${layer}:not(.wf-row--layer)`)
      .filter({ has: p.locator('.wf-name', { hasText: exact(name) }) })
      .first();
    await row.click();
    await p.locator('.kt-side .kt-details-title', { hasText: exact(name) }).waitFor({ timeout: 10_000 });
    const side = await p.locator('.kt-side').innerText();
    for (const v of Object.values(XSS)) if (side.includes(v)) seen.add(v);
    if (layer === 'app') {
      // Its source path is a javascript: URL: the host refuses it and the panel says why, as text.
      await p.locator('.kt-side vscode-button.kt-open').first().click();
      await p.locator('.kt-side .kt-source-note.is-error').waitFor({ timeout: 10_000 });
    }
  }
  assert.deepEqual(
    [...seen].sort(),
    Object.values(XSS).sort(),
    'every payload is shown literally somewhere in the details',
  );
  const names = await p.locator('.wf-row:not(.wf-row--layer) .wf-name').allTextContents();
  for (const v of [XSS.script, XSS.img, XSS.svg, XSS.js])
    assert.ok(names.includes(v), `the span name is shown literally: ${v}`);

  await page.waitForTimeout(500);
  const inner = await frameReport(await panelFrame(page));
  assert.deepEqual(
    { ...inner, scripts: undefined },
    { pwned: null, title: inner.title, scripts: undefined, embedded: 0, svgFromData: 0, handlers: [], jsLinks: 0 },
    `nothing from the data became markup: ${JSON.stringify(inner)}`,
  );
  assert.ok(!/pwned/.test(inner.title), 'the panel title is untouched');
  assert.equal(
    inner.scripts.filter((x) => x.src === 'webview.js').length,
    1,
    `the panel's bundle is there: ${JSON.stringify(inner.scripts)}`,
  );
  assert.deepEqual(
    inner.scripts.filter((x) => x.fromData),
    [],
    'no script element came from the data',
  );
  assert.ok(
    inner.scripts.length <= 2,
    `only the bundle and VS Code's own host script: ${JSON.stringify(inner.scripts)}`,
  );
  for (const f of page.frames()) {
    const r = await f
      .evaluate(() => ({ pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null, title: document.title }))
      .catch(() => ({ pwned: null, title: '' }));
    assert.equal(r.pwned, null, `no payload ran in frame ${f.url().slice(0, 80)}`);
    assert.ok(!/pwned/.test(r.title), `frame ${f.url().slice(0, 80)} keeps its title`);
  }
  assert.ok(
    !/pwned/.test(await page.title()),
    `the workbench title is untouched (${titleBefore} -> ${await page.title()})`,
  );
  assert.deepEqual(ctx.dialogs, [], 'no alert() ran');
  await screenshotBoth(page, '5-xss');
}

// ---- 6. a refused token -> the 401 node and its actions --------------------------------------------------------------

export async function flowUnauthorized(ctx: FlowCtx): Promise<void> {
  const { page, env } = ctx;
  const good = env.kubeconfig;
  const bad = join(env.base, 'expired.kubeconfig');
  const kc = parse(readFileSync(good, 'utf8')) as { users: { user: { token?: string } }[] };
  const badToken = `expired-${Date.now().toString(36)}-e2e-token-never-valid`;
  for (const u of kc.users) u.user.token = badToken;
  writeFileSync(bad, stringify(kc), { mode: 0o600 });

  // The user opens a kubeconfig whose token the cluster no longer accepts ("Kubetrace: Open Kubeconfig...").
  await openKubetraceView(page);
  await runCommand(page, 'Kubetrace: Open Kubeconfig...');
  await pickFileInSimpleDialog(page, bad);
  const errRow = treeRow(page, /^401 Unauthorized: credentials refused$/).first();
  await errRow.waitFor({ timeout: 30_000 });
  const rows = await treeLabels(page);
  const err = rows.find((r) => /401 Unauthorized/.test(r.label))!;
  assert.match(err.icon, /codicon-error/);
  assert.match(err.description, /expired|credentials|context/i, 'the hint says what to do');
  assert.equal(rows.find((r) => r.level === 1)?.label, 'kubetrace-sandbox', 'the context row stays, to switch from');
  const children = rows.filter((r) => r.level === 2).map((r) => r.label);
  assert.match(
    children[0],
    /^the cluster refused the credentials of user "kubetrace-admin" \(401 Unauthorized\)$/,
    'the full message is the first child',
  );
  assert.match(children[1], /^Hint: .*expired/);
  assert.deepEqual(children.slice(2), ['Open kubeconfig', 'Switch context', 'Retry']);
  assert.ok(!rows.some((r) => r.label === 'orders'), 'no stale Ingresses are shown');
  // The error row carries the same actions inline.
  await errRow.hover();
  const inline = await errRow
    .locator('.actions .action-label')
    .evaluateAll((a) => a.map((x) => x.getAttribute('aria-label') ?? ''));
  for (const want of [/^Refresh/, /^Open Kubeconfig/, /^Switch Context/])
    assert.ok(
      inline.some((l) => want.test(l)),
      `inline action ${want} on the error row: ${inline.join(', ')}`,
    );
  // Retry asks again and gets the same answer (and no unhandled error).
  await treeRow(page, 'Retry').first().click();
  await page.waitForTimeout(1500);
  await errRow.waitFor({ timeout: 15_000 });
  // The short label, the full message and the hint are all visible rows; no hover needed.
  await screenshotBoth(page, '6-unauthorized', async () => {
    await page.mouse.move(700, 500);
  });

  for (const f of findLogs(env.userDataDir, /^Kubetrace\.log$/)) {
    assert.ok(!readFileSync(f, 'utf8').includes(badToken), `the token never reaches the output channel (${f})`);
  }
  // The node's "Open kubeconfig" action, with the good kubeconfig: the tree recovers.
  await treeRow(page, 'Open kubeconfig').first().click();
  await pickFileInSimpleDialog(page, good);
  await treeRow(page, 'orders').first().waitFor({ timeout: 30_000 });
  assert.equal(await treeRow(page, /401 Unauthorized/).count(), 0);
}
