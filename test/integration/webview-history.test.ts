// History and compare in the panel: the list, opening an earlier probe, choosing two, and the per-layer table.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { compareRows } from '../../src/protocol/compare';
import { parseWebviewMessage } from '../../src/protocol/validate';
import { history, PROBE, probeTrace } from '../webview/fixtures';
import { launchChromium, openPanel, settle, startHarness, type Harness } from '../webview/harness';
import { clearPosted, lastPosted } from '../webview/panel-helpers';

let harness: Harness;
let browser: Browser;
before(async () => {
  harness = await startHarness();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await harness?.close();
});

test('history lists earlier probes; two are compared layer by layer with their difference', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1' });
  await p.post({ type: 'history', entries: history(), currentId: 'h1' });
  await settle(page);
  assert.equal(await page.locator('vscode-tab-header vscode-badge').innerText(), '3');
  await page.locator('vscode-tab-header', { hasText: 'History' }).click();
  await settle(page);
  const lines = await page.locator('.kt-history-table tbody tr').allInnerTexts();
  assert.equal(lines.length, 3);
  assert.match(lines[0], /GET default\/orders\s+200\s+61\.7 ms\s+Open/);
  assert.match(lines[1], /GET default\/catalog\s+503\s+12\.4 ms/);
  assert.match(lines[2], /Shown/);
  assert.equal(await page.locator('.kt-history-table tr.is-current').getAttribute('data-id'), 'h1');

  await clearPosted(page);
  await page.locator('.kt-history-table tr[data-id="h2"] vscode-button').click();
  assert.deepEqual(await lastPosted(page, 'selectHistory'), { type: 'selectHistory', id: 'h2' });

  const compare = page.locator('.kt-history-bar vscode-button');
  assert.equal(await compare.getAttribute('disabled'), '');
  await page.locator('.kt-history-table tr[data-id="h3"] vscode-checkbox').click();
  await page.locator('.kt-history-table tr[data-id="h1"] vscode-checkbox').click();
  assert.equal(await page.locator('.kt-history-bar vscode-button').getAttribute('disabled'), null);
  await page.locator('.kt-history-bar vscode-button').click();
  const req = await lastPosted(page, 'compare');
  assert.deepEqual(req, { type: 'compare', leftId: 'h1', rightId: 'h3' }, 'the older probe is on the left');
  assert.ok(parseWebviewMessage(req));

  // The host answers with rows it computed from the two traces.
  const [h3, , h1] = history();
  const rows = compareRows(probeTrace(), probeTrace(1.3, h3.traceId));
  await p.post({ type: 'compare', left: h1, right: h3, rows });
  await settle(page);
  const table = await page.locator('.kt-compare-table tbody tr').allInnerTexts();
  assert.deepEqual(
    table.map((t) => t.split('\t')[0].trim()),
    ['Client', 'Ingress', 'App', 'Downstream', 'Whole trace'],
  );
  assert.match(table[1], /44\.4 ms\s+57\.7 ms\s+\+13\.3 ms \(\+30%\) slower/);
  assert.match(table[4], /48\.2 ms\s+62\.7 ms\s+\+14\.5 ms \(\+30%\) slower/);
  assert.match(
    await page.locator('.kt-compare-legend').innerText(),
    /A: GET default\/orders at \d\d:\d\d:00\.000 · B: GET default\/orders at \d\d:\d\d:10\.120/,
  );

  // A faster probe reads as faster.
  await p.post({ type: 'compare', left: h3, right: h1, rows: compareRows(probeTrace(1.3), probeTrace()) });
  assert.match((await page.locator('.kt-compare-table tbody tr').allInnerTexts())[2], /−.* faster/);
  // Choices survive a history refresh only while their entries still exist.
  await p.post({ type: 'history', entries: history().slice(0, 1), currentId: 'h3' });
  assert.equal(await page.locator('.kt-history-table vscode-checkbox[checked]').count(), 1);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

test('probes of one route show their host and path, and a compare of different requests says so', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  const [ok, , fail] = history();
  const entries = [
    { ...ok, url: 'shop.kubetrace.test/orders' },
    { ...fail, url: 'shop.kubetrace.test/orders/fail', status: 500 },
  ];
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1' });
  await p.post({ type: 'history', entries, currentId: 'h1' });
  await page.locator('vscode-tab-header', { hasText: 'History' }).click();
  await settle(page);
  const lines = await page.locator('.kt-history-table tbody tr').allInnerTexts();
  assert.match(lines[0], /GET shop\.kubetrace\.test\/orders via default\/orders\s+200/);
  assert.match(lines[1], /GET shop\.kubetrace\.test\/orders\/fail via default\/orders\s+500/);

  await p.post({
    type: 'compare',
    left: entries[1],
    right: entries[0],
    rows: compareRows(probeTrace(), probeTrace(1.3)),
  });
  await settle(page);
  assert.match(
    await page.locator('.kt-compare-note').innerText(),
    /^A and B are different requests \(GET shop\.kubetrace\.test\/orders\/fail; GET shop\.kubetrace\.test\/orders\)/,
  );
  // The same request twice: no note.
  await p.post({ type: 'compare', left: entries[0], right: entries[0], rows: compareRows(probeTrace(), probeTrace()) });
  await settle(page);
  assert.equal(await page.locator('.kt-compare-note').count(), 0);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});
