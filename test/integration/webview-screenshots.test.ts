// Screenshots of the panel at 1280×800 in Dark Modern and Light Modern (test-results/screenshots/), and
// checks that what they show is readable: theme colours applied, layer colours distinct, text contrast.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { compareRows } from '../../src/protocol/compare';
import { bigTrace, history, PROBE, probeTrace } from '../webview/fixtures';
import { launchChromium, openPanel, settle, startHarness, type Harness, type Theme } from '../webview/harness';
import { REPO } from '../webview/bundle';
import { row } from '../webview/panel-helpers';

const OUT = join(REPO, 'test-results/screenshots');
let harness: Harness;
let browser: Browser;
before(async () => { mkdirSync(OUT, { recursive: true }); harness = await startHarness(); browser = await launchChromium(); });
after(async () => { await browser?.close(); await harness?.close(); });

function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  assert.equal(b.toString('latin1', 1, 4), 'PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

async function shoot(page: Page, name: string): Promise<void> {
  await settle(page);
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  assert.deepEqual(pngSize(file), [1280, 800]);
}

interface Colours { background: string; name: number; service: number; duration: number; layerVsBg: number[]; layerDistinct: string[] }

/** WCAG contrast ratios of what the waterfall draws, against the editor background. Plain JS source:
 *  tsx would wrap named inner functions in a helper that does not exist in the page. */
const COLOURS = `(() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = rgb(getComputedStyle(document.body).backgroundColor);
  const of = (sel, prop) => rgb(getComputedStyle(document.querySelector(sel))[prop]);
  const layers = ['client', 'ingress', 'app', 'downstream'].map((l) => of('.wf-row.is-critical.layer-' + l + ' .wf-bar', 'backgroundColor'));
  return {
    background: bg.join(','),
    name: ratio(of('.wf-row:not(.wf-row--layer):not(.is-selected) .wf-name', 'color'), bg),
    service: ratio(of('.wf-row:not(.wf-row--layer):not(.is-selected) .wf-service', 'color'), bg),
    duration: ratio(of('.wf-row:not(.wf-row--layer):not(.is-critical):not(.is-selected) .wf-dur:not(.is-inside)', 'color'), bg),
    layerVsBg: layers.map((c) => ratio(c, bg)),
    layerDistinct: layers.map((c) => c.join(',')),
  };
})()`;

for (const theme of ['dark', 'light'] as Theme[]) {
  test(`screenshots in the ${theme} theme`, async () => {
    const p = await openPanel(browser, harness, theme);
    const { page } = p;
    await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1' });
    await p.post({ type: 'history', entries: history(), currentId: 'h1' });
    await shoot(page, `panel-overview-${theme}`);
    const c = await page.evaluate(COLOURS) as Colours;
    assert.equal(c.background, theme === 'dark' ? '31,31,31' : '255,255,255');
    assert.ok(c.name >= 7, `span names readable (${c.name.toFixed(1)})`);
    assert.ok(c.service >= 4.5 && c.duration >= 4.5, `secondary text readable (${c.service.toFixed(1)}, ${c.duration.toFixed(1)})`);
    assert.equal(new Set(c.layerDistinct).size, 4, 'four distinct layer colours');
    for (const r of c.layerVsBg) assert.ok(r >= 2.5, `layer bars stand out from the background (${r.toFixed(2)})`);

    await row(page, 'nginx').click();
    await shoot(page, `panel-nginx-steps-${theme}`);
    await row(page, 'GET /api/orders').click();
    await page.locator('.kt-side vscode-button.kt-open').first().click();
    await p.post({ type: 'sourceStatus', spanId: probeTrace().spans.find((s) => s.name === 'GET /api/orders')!.spanId, ok: true });
    await shoot(page, `panel-app-span-${theme}`);
    await page.locator('vscode-tab-header', { hasText: 'History' }).click();
    const [h3, , h1] = history();
    await p.post({ type: 'compare', left: h1, right: h3, rows: compareRows(probeTrace(), probeTrace(1.3)) });
    await shoot(page, `panel-compare-${theme}`);
    await p.post({ type: 'progress', message: 'Downloading nginx 1.22.1 source', fraction: 0.62 });
    await p.post({ type: 'trace', trace: bigTrace(10_000), probe: { ...PROBE, durationMs: 1850 } });
    await page.locator('.wf-scroll').evaluate((e) => { e.scrollTop = 60_000; });
    await shoot(page, `panel-10k-spans-${theme}`);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(await p.violations(), []);
    await page.context().close();
  });
}

test('high contrast: bars keep an outline, so layers do not rely on fill alone', async () => {
  const p = await openPanel(browser, harness, 'hc');
  const { page } = p;
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
  await row(page, 'nginx').click();
  await shoot(page, 'panel-nginx-steps-hc');
  const border = await page.locator('.wf-row:not(.is-critical):not(.is-error):not(.wf-row--layer) .wf-bar').first()
    .evaluate((e) => getComputedStyle(e).borderTopStyle);
  assert.equal(border, 'solid');
  await page.context().close();
});
