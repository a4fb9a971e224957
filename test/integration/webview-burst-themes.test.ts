// The request-set view in the four built-in themes: axe finds no contrast or name violations, the charts take their
// colours from the theme (layer colours distinct, histogram bars and points visible on the background), and
// screenshots go to test-results/screenshots/burst-<theme>.png (docs/screenshots/ keeps a copy of three).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { HistoryEntry } from '../../src/protocol/messages';
import { burstMessage } from '../webview/burst-fixtures';
import { REPO } from '../webview/bundle';
import { launchChromium, openPanel, settle, startHarness, THEMES, type Harness } from '../webview/harness';
import { axeViolations } from '../webview/axe';

const OUT = join(REPO, 'test-results/screenshots');
const RULES = ['color-contrast', 'button-name', 'label', 'select-name', 'svg-img-alt', 'aria-input-field-name'];

let harness: Harness;
let browser: Browser;
before(async () => {
  mkdirSync(OUT, { recursive: true });
  harness = await startHarness();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await harness?.close();
});

const axe = (page: Page) => axeViolations(page, RULES);

/** WCAG contrast of the chart colours against the page background. Plain JS: see webview-screenshots.test.ts. */
const CHART = `(() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = rgb(getComputedStyle(document.body).backgroundColor);
  const bar = getComputedStyle(document.querySelector('.kt-hist-bar'));
  const seg = [...document.querySelectorAll('.kt-pbar-row:nth-child(3) .kt-pbar-seg')].map((e) => getComputedStyle(e).backgroundColor);
  const canvas = document.querySelector('.kt-scatter-canvas');
  const point = getComputedStyle(canvas).getPropertyValue('--kt-point').trim();
  const probe = document.createElement('div'); probe.style.color = point; document.body.appendChild(probe);
  const pointRgb = rgb(getComputedStyle(probe).color); probe.remove();
  return {
    barFill: bar.fill === 'none' || bar.fill.includes('0, 0, 0, 0') ? 0 : ratio(rgb(bar.fill), bg),
    barStroke: bar.stroke === 'none' ? 0 : ratio(rgb(bar.stroke), bg),
    segments: new Set(seg).size,
    point: ratio(pointRgb, bg),
  };
})()`;

for (const theme of THEMES) {
  test(`the request-set view in the ${theme} theme: readable, named, screenshot`, async () => {
    const p = await openPanel(browser, harness, theme);
    const { page } = p;
    await p.post(burstMessage());
    const found = await axe(page);
    assert.deepEqual(found, [], found.join('\n'));
    const c = (await page.evaluate(CHART)) as { barFill: number; barStroke: number; segments: number; point: number };
    assert.ok(Math.max(c.barFill, c.barStroke) >= 2, `histogram bars stand out (${JSON.stringify(c)})`);
    assert.equal(c.segments, 4, 'four distinct layer colours in the percentile bars');
    assert.ok(c.point >= 2, `scatter points stand out (${c.point.toFixed(2)})`);
    await page.screenshot({ path: join(OUT, `burst-${theme}.png`) });
    // The slowest request is the active one of the list: ringed on the canvas.
    await page.locator('.kt-scatter .kt-vt-body').focus();
    await settle(page);
    await page.screenshot({ path: join(OUT, `burst-scatter-${theme}.png`) });
    await page.locator('.kt-burst').evaluate((e) => (e.scrollTop = e.scrollHeight));
    await page.screenshot({ path: join(OUT, `burst-tables-${theme}.png`) });
    assert.deepEqual(p.errors, []);
    assert.deepEqual(await p.violations(), []);
    await page.context().close();
  });
}

test('two bursts in History compare: differences worst first', async () => {
  const p = await openPanel(browser, harness, 'dark');
  const { page } = p;
  const entry = (id: string, time: string, p99Ms: number): HistoryEntry => ({
    id,
    time,
    target: '100 × GET shop.test/orders',
    traceId: '',
    burst: { requests: 100, errors: id === 'b2' ? 3 : 0, p50Ms: 14, p99Ms },
  });
  const b1 = entry('b1', '2025-11-27T08:00:00.000Z', 310);
  const b2 = entry('b2', '2025-11-27T08:05:00.000Z', 480);
  await p.post(burstMessage({ id: 'b2' }));
  await p.post({ type: 'history', entries: [b2, b1], currentId: 'b2' });
  await page.locator('vscode-tab-header', { hasText: 'History' }).click();
  await settle(page);
  const rows = await page.locator('.kt-history-table tbody tr').allInnerTexts();
  assert.match(rows[0], /100 requests, 3 errors\s+p50 14\.0 ms · p99 480\.0 ms/);
  await page.locator('.kt-history-table tr[data-id="b1"] vscode-checkbox').click();
  await page.locator('.kt-history-table tr[data-id="b2"] vscode-checkbox').click();
  await page.locator('.kt-history-bar vscode-button').click();
  assert.deepEqual(
    await page.evaluate(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'compare').pop(),
    ),
    { type: 'compare', leftId: 'b1', rightId: 'b2' },
  );
  await p.post({
    type: 'burstCompare',
    left: b1,
    right: b2,
    equal: false,
    differences: [
      { what: 'requests that failed', a: 0, b: 3, severity: 'error' },
      { what: 'p50 (ms)', a: 14, b: 14.2, severity: 'info' },
      { what: 'inventory SELECT stock p99 (ms)', b: 250, severity: 'warning' },
      { what: 'p99 (ms)', a: 310, b: 480, severity: 'warning' },
    ],
  });
  await settle(page);
  const diff = await page.locator('.kt-burst-compare tbody tr').allInnerTexts();
  assert.deepEqual(
    diff.map((d) => d.replace(/\s+/g, ' ').trim()),
    ['requests that failed 0 3', 'inventory SELECT stock p99 (ms) — 250', 'p99 (ms) 310 480', 'p50 (ms) 14 14.2'],
  );
  await page.screenshot({ path: join(OUT, 'burst-compare-dark.png') });
  assert.deepEqual(p.errors, []);
  await page.context().close();
});
