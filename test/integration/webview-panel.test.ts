// The trace panel in Chromium, served under the real panel HTML and CSP: rendering, diagnostics, details,
// Open Source and the nginx execution path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWebviewMessage } from '../../src/protocol/validate';
import { findSpanSourceRef } from '../../src/protocol/source-check';
import { IDS, NGINX_STEPS, PROBE, probeTrace } from '../webview/fixtures';
import { settle } from '../webview/harness';
import { clearPosted, detailsTitle, lastPosted, row, rows, tickLabels, panelSuite } from '../webview/panel-helpers';

const suite = panelSuite();
const { withTrace, clean } = suite;

describe('trace panel', () => {
  test('starts empty, says ready, then renders all four layers with diagnostics on top', async () => {
    const p = await suite.open();
    const { page } = p;
    assert.deepEqual((await p.posted())[0], { type: 'ready' });
    assert.match(await page.locator('.kt-tab-trace .kt-empty').innerText(), /No trace yet/);
    await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
    await settle(page);
    assert.equal(await page.locator('.kt-tab-trace .kt-empty').isVisible(), false);
    const r = await rows(page);
    assert.deepEqual(
      r.filter((x) => x.layerRow).map((x) => x.name),
      ['Client', 'Ingress', 'App', 'Downstream'],
    );
    assert.equal(r.filter((x) => !x.layerRow).length, 17);
    // Layer groups hold their own spans, in tree order.
    const names = r.map((x) => x.name);
    assert.ok(names.indexOf('nginx') > names.indexOf('Ingress') && names.indexOf('nginx') < names.indexOf('App'));
    assert.ok(names.indexOf('GET /api/stock') > names.indexOf('Downstream'));
    const errorRows = r.filter((x) => x.error);
    assert.deepEqual(
      errorRows.map((x) => x.name),
      ['upstream.attempt'],
    );
    assert.equal(await page.locator('.wf-row.is-error .wf-badge').innerText(), 'ERROR');
    assert.deepEqual(
      r.filter((x) => x.critical).map((x) => x.name),
      // The client's phases own the time before nginx started and after it finished; the wait goes into nginx,
      // both attempts (the first failed), and the app and its callees (docs/ARCHITECTURE.md, "The critical path").
      [
        'probe',
        'dns',
        'connect',
        'request',
        'ttfb',
        'download',
        'nginx',
        'upstream.attempt',
        'upstream.attempt',
        'upstream.header',
        'upstream.response',
        'GET /api/orders',
        'db.query orders',
        'GET inventory',
        'GET /api/stock',
        'SELECT stock',
      ],
    );
    const diags = await page.locator('.kt-diag').allInnerTexts();
    assert.equal(diags.length, 2);
    assert.match(diags[0], /^Warning: nginx tried 2 upstreams/);
    assert.match(diags[0], /Hint: Check that pod/);
    assert.match(diags[1], /^Note: Moved the orders spans/);
    assert.match(
      await page.locator('.kt-top').innerText(),
      /GET\s+http:\/\/orders\.example\.test\/api\/orders[\s\S]*200 · 48\.2 ms/,
    );
    assert.ok((await tickLabels(page)).includes('0 ms'));
    // The overview in the side pane: time by layer.
    assert.match(await page.locator('.kt-overview').innerText(), /Ingress\s+44\.4 ms/);
    // "Copy trace ID" keeps the space after its verb as drawn (the button's flex layout once ate it: "Copytrace ID").
    const gap = await page
      .locator('.kt-actions vscode-button', { has: page.locator('.kt-action-long') })
      .first()
      .evaluate((b) => {
        const long = b.querySelector('.kt-action-long')!;
        const verb = long.previousSibling!;
        const r = document.createRange();
        r.setStart(verb, 0);
        r.setEnd(verb, 'Copy'.length);
        return long.getBoundingClientRect().left - r.getBoundingClientRect().right;
      });
    assert.ok(gap >= 2, `the space after "Copy" is ${gap}px wide`);
    // "Show span" on a diagnostic selects its span.
    await page.locator('.kt-diag-show').click();
    assert.equal(await detailsTitle(page), 'upstream.attempt');
    assert.match(await page.locator('.kt-side').innerText(), /connect\(\) failed \(111: Connection refused\)/);
    await clean(p);
  });

  test('selecting upstream.connect shows its details; Open Source posts its ref, which the host check accepts', async () => {
    const p = await withTrace();
    const { page } = p;
    await row(page, 'upstream.connect').click();
    assert.equal(await detailsTitle(page), 'upstream.connect');
    const side = await page.locator('.kt-side').innerText();
    assert.match(side, /Duration\s+400 µs/);
    assert.match(side, /Origin\s+nginx-log/);
    assert.match(side, /ngx_http_upstream\.c:1516\s+— src\/http\//, 'file name first, then its folder');
    assert.match(side, /ngx_http_upstream_connect/);
    await clearPosted(page);
    await page.locator('.kt-side vscode-button.kt-open').first().click();
    const msg = await lastPosted(page, 'openSource');
    assert.deepEqual(msg, {
      type: 'openSource',
      spanId: IDS.upConnect,
      ref: { kind: 'nginx', path: 'src/http/ngx_http_upstream.c', line: 1516, function: 'ngx_http_upstream_connect' },
    });
    const parsed = parseWebviewMessage(msg);
    assert.ok(parsed && parsed.type === 'openSource');
    assert.ok(findSpanSourceRef(probeTrace(), parsed.spanId, parsed.ref));
    assert.match(await page.locator('.kt-source-note').innerText(), /Opening/);
    await p.post({
      type: 'sourceStatus',
      spanId: IDS.upConnect,
      ok: false,
      reason: 'That file is outside the workspace and the nginx source cache.',
    });
    assert.match(await page.locator('.kt-source-note.is-error').innerText(), /outside the workspace/);
    await clean(p);
  });

  test('an app span shows pod, node, attributes, logs; double-click and Enter open its main source', async () => {
    const p = await withTrace();
    const { page } = p;
    await row(page, 'GET /api/orders').click();
    const side = await page.locator('.kt-side').innerText();
    assert.match(side, /Pod\s+orders-7c9f8b6d5-x2k4p/);
    assert.match(side, /Node\s+sandbox-node-1/);
    assert.match(side, /http\.route\s+\/api\/orders/);
    assert.match(side, /listing orders for customer 17/);
    assert.match(side, /server\.js:42\s+— services\/orders\/src\//);
    await clearPosted(page);
    await row(page, 'db.query orders').dblclick();
    assert.deepEqual(await lastPosted(page, 'openSource'), {
      type: 'openSource',
      spanId: IDS.ordersDb,
      ref: { kind: 'app', path: 'services/orders/src/db.js', line: 18, function: 'listOrders' },
    });
    assert.equal(await detailsTitle(page), 'db.query orders');
    await clearPosted(page);
    await page.keyboard.press('ArrowDown'); // the tree has focus after the click
    assert.equal(await detailsTitle(page), 'GET inventory');
    await page.keyboard.press('Enter');
    assert.equal((await lastPosted(page, 'openSource')).spanId, IDS.ordersCall);
    // A client span has no source: the reason is shown instead of a button.
    await row(page, 'dns').click();
    assert.equal(await page.locator('.kt-side vscode-button.kt-open').count(), 0);
    assert.match(await page.locator('.kt-no-source').innerText(), /no source to open/);
    await clearPosted(page);
    await row(page, 'dns').dblclick();
    assert.equal(await lastPosted(page, 'openSource'), undefined);
    await clean(p);
  });

  test('the first Tab reaches a skip link that takes the keyboard straight to the waterfall', async () => {
    const p = await withTrace();
    const { page } = p;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the waterfall');
    assert.ok(await page.locator('.kt-skip').isVisible(), 'it shows while focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Spans by layer');
    assert.equal(await page.locator('.kt-skip').isVisible(), true, 'drawn off-screen, not hidden from the tree');
    await clean(p);
  });

  test('the nginx span shows its execution path grouped by phase; a step opens its line', async () => {
    const p = await withTrace();
    const { page } = p;
    await row(page, 'nginx').click();
    const phases = await page
      .locator('.kt-phase')
      .evaluateAll((els) => els.map((e) => e.getAttribute('heading')!.split(' · ')));
    assert.deepEqual(phases, [
      ['request line', '1 step'],
      ['headers', '3 steps'],
      ['find config', '2 steps'],
      ['rewrite', '1 step'],
      ['access', '1 step'],
      ['content', '3 steps'],
      ['log', '1 step'],
    ]);
    assert.match(
      await page.locator('.kt-step-ambiguous').innerText(),
      /Ambiguous: the same message is logged from 2 places/,
    );
    await clearPosted(page);
    const content = page.locator('.kt-phase[heading^="content ·"]');
    await content.locator('.kt-step-open', { hasText: 'ngx_http_upstream.c:1516' }).click();
    assert.deepEqual(await lastPosted(page, 'openSource'), {
      type: 'openSource',
      spanId: IDS.nginx,
      ref: NGINX_STEPS[9].source,
    });
    await page.locator('.kt-step-ambiguous .kt-step-open').click();
    const amb = await lastPosted(page, 'openSource');
    assert.deepEqual(amb.ref, NGINX_STEPS[6].ambiguous![0]);
    assert.ok(findSpanSourceRef(probeTrace(), amb.spanId, amb.ref), 'an ambiguous candidate is a ref the host accepts');
    // Collapsing a phase hides its steps.
    const headers = page.locator('.kt-phase[heading^="headers ·"]');
    assert.equal(await headers.locator('.kt-step').first().isVisible(), true);
    await headers.click({ position: { x: 12, y: 10 } }); // its heading, as a user collapses it
    await settle(page);
    assert.equal(await headers.locator('.kt-step').first().isVisible(), false);
    // A source note arrives after a step is opened and the details are rebuilt: the groups stay as the user left them.
    await p.post({ type: 'sourceStatus', spanId: IDS.nginx, ok: false, reason: 'outside the allowed roots' });
    await settle(page);
    assert.equal(await page.locator('.kt-phase[heading^="headers ·"] .kt-step').first().isVisible(), false);
    assert.equal(await page.locator('.kt-phase[heading^="content ·"] .kt-step').first().isVisible(), true);
    // Collapse all, then Expand all.
    await page.locator('.kt-steps-bar vscode-button', { hasText: 'Collapse all' }).click();
    await settle(page);
    assert.equal(await page.locator('.kt-phase[open]').count(), 0);
    await page.locator('.kt-steps-bar vscode-button', { hasText: 'Expand all' }).click();
    await settle(page);
    assert.equal(await page.locator('.kt-phase[open]').count(), 7);
    await clean(p);
  });
});
