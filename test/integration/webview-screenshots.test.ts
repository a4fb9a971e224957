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
import { detailsTitle, row } from '../webview/panel-helpers';

const OUT = join(REPO, 'test-results/screenshots');
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

interface Colours {
  background: string;
  name: number;
  service: number;
  duration: number;
  layerVsBg: number[];
  layerDistinct: string[];
}

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
    const c = (await page.evaluate(COLOURS)) as Colours;
    assert.equal(c.background, theme === 'dark' ? '31,31,31' : '255,255,255');
    assert.ok(c.name >= 7, `span names readable (${c.name.toFixed(1)})`);
    assert.ok(
      c.service >= 4.5 && c.duration >= 4.5,
      `secondary text readable (${c.service.toFixed(1)}, ${c.duration.toFixed(1)})`,
    );
    assert.equal(new Set(c.layerDistinct).size, 4, 'four distinct layer colours');
    for (const r of c.layerVsBg) assert.ok(r >= 2.5, `layer bars stand out from the background (${r.toFixed(2)})`);

    await row(page, 'nginx').click();
    await shoot(page, `panel-nginx-steps-${theme}`);
    await row(page, 'GET /api/orders').click();
    await page.locator('.kt-side vscode-button.kt-open').first().click();
    await p.post({
      type: 'sourceStatus',
      spanId: probeTrace().spans.find((s) => s.name === 'GET /api/orders')!.spanId,
      ok: true,
    });
    await shoot(page, `panel-app-span-${theme}`);
    await page.locator('vscode-tab-header', { hasText: 'History' }).click();
    const [h3, , h1] = history();
    await p.post({ type: 'compare', left: h1, right: h3, rows: compareRows(probeTrace(), probeTrace(1.3)) });
    await shoot(page, `panel-compare-${theme}`);
    await p.post({ type: 'progress', message: 'Downloading nginx 1.22.1 source', fraction: 0.62 });
    await p.post({ type: 'trace', trace: bigTrace(10_000), probe: { ...PROBE, durationMs: 1850 } });
    await page.locator('.wf-scroll').evaluate((e) => {
      e.scrollTop = 60_000;
    });
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
  const border = await page
    .locator('.wf-row:not(.is-critical):not(.is-error):not(.wf-row--layer) .wf-bar')
    .first()
    .evaluate((e) => getComputedStyle(e).borderTopStyle);
  assert.equal(border, 'solid');
  await page.context().close();
});

/** Geometry of the panel as laid out: what a user would see cut, clipped or overlapping. */
const GEOMETRY = `(() => {
  const box = (sel) => { const e = document.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height }; };
  const side = document.querySelector('.kt-side');
  const cut = [...document.querySelectorAll('.wf-row:not([hidden]) .wf-name')].filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent);
  const keys = [...document.querySelectorAll('.kt-side .kt-kv th')].map((th) => {
    const r = document.createRange(); r.selectNodeContents(th);
    const lines = [...r.getClientRects()].map((c) => Math.round(c.top)).filter((t, i, a) => a.indexOf(t) === i).length;
    return { key: th.textContent, lines };
  });
  const buttons = [...document.querySelectorAll('.kt-actions vscode-button')].map((b) => Math.round(b.getBoundingClientRect().top));
  return {
    label: box('.wf-head-label'), scroll: box('.wf-scroll'), side: box('.kt-side'), main: box('.kt-main'), tabs: box('vscode-tabs'),
    sideOverflow: side ? side.scrollWidth - side.clientWidth : 0, cut, keys, buttonRows: new Set(buttons).size,
    diags: box('.kt-diags-wrap'), filter: box('.kt-filter'),
  };
})()`;

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  width: number;
  height: number;
}
interface Geometry {
  label: Box;
  scroll: Box;
  side: Box;
  main: Box;
  tabs: Box;
  sideOverflow: number;
  cut: string[];
  keys: { key: string; lines: number }[];
  buttonRows: number;
  diags: Box;
  filter: Box;
}

// Issue 15, minor 8: beside the 300 px details pane a 930 or 800 px panel (code-server with its side bar) gave the
// "Time by layer" meters 7 px, dots, once the trace had four layers.
test('the Time by layer meters keep a readable width in a 800-1280 px panel', async () => {
  const p = await openPanel(browser, harness, 'dark');
  const { page } = p;
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
  for (const width of [1280, 930, 800]) {
    await page.setViewportSize({ width, height: 800 });
    await settle(page);
    const meters = await page.evaluate(() =>
      [...document.querySelectorAll('.kt-overview .kt-meter')].map((m) => Math.round(m.getBoundingClientRect().width)),
    );
    assert.equal(meters.length, 4, 'one meter per layer');
    for (const w of meters) assert.ok(w >= 60, `a ${w} px meter in a ${width} px panel`);
    const overflow = await page.evaluate(() => {
      const side = document.querySelector('.kt-side')!;
      return side.scrollWidth - side.clientWidth;
    });
    assert.equal(overflow, 0, `the details pane scrolls sideways in a ${width} px panel`);
  }
  await page.screenshot({ path: join(OUT, 'panel-overview-800-dark.png') });
  assert.deepEqual(p.errors, []);
  await page.context().close();
});

test('a ~930 px panel gives span names room; keys wrap only between words', async () => {
  const p = await openPanel(browser, harness, 'dark');
  const { page } = p;
  await page.setViewportSize({ width: 930, height: 800 });
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
  await row(page, 'GET /api/orders').click();
  await settle(page);
  await page.screenshot({ path: join(OUT, 'panel-930-dark.png') });
  const g = (await page.evaluate(GEOMETRY)) as Geometry;
  assert.ok(g.label.width >= 220, `name column ${g.label.width}px`);
  assert.deepEqual(g.cut, [], 'no span name is cut');
  // A child in the same service as its parent does not repeat it; a change of service is shown.
  const info = await page.evaluate(() =>
    [...document.querySelectorAll('.wf-row:not([hidden]):not(.wf-row--layer)')].map((r) => [
      r.querySelector('.wf-name')!.textContent,
      r.querySelector('.wf-service')!.textContent,
    ]),
  );
  const svc = new Map(info.map(([n, s]) => [n, s]));
  assert.equal(svc.get('nginx'), 'ingress-nginx');
  assert.equal(svc.get('upstream.connect'), '');
  assert.equal(svc.get('GET /api/orders'), 'orders');
  assert.equal(svc.get('db.query orders'), '');
  for (const k of g.keys) {
    if (k.lines > 1) assert.ok(k.lines <= k.key.split(/[._]/).length, `${k.key} breaks only at dots/underscores`);
  }
  assert.equal(g.sideOverflow, 0, 'details pane does not overflow sideways');

  // The splitter widens the name column; the width is kept in the saved state.
  const split = page.locator('.wf-splitter');
  const before = g.label.width;
  await split.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const after = await page.locator('.wf-head-label').evaluate((e) => e.getBoundingClientRect().width);
  assert.equal(Math.round(after), Math.round(before) + 32);
  const sb = await split.boundingBox();
  await page.mouse.move(sb!.x + 3, sb!.y + 10);
  await page.mouse.down();
  await page.mouse.move(sb!.x - 60, sb!.y + 10, { steps: 4 });
  await page.mouse.up();
  const dragged = await page.locator('.wf-head-label').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(Math.abs(dragged - (after - 63)) <= 2, `dragged to ${dragged}`);
  await p.reload();
  await settle(page);
  const restored = await page.locator('.wf-head-label').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(Math.abs(restored - dragged) <= 1, `restored ${restored} vs ${dragged}`);
  await split.dblclick();
  assert.equal(
    Math.round(await page.locator('.wf-head-label').evaluate((e) => e.getBoundingClientRect().width)),
    Math.round(before),
  );
  assert.deepEqual(p.errors, []);
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

for (const theme of ['dark', 'light'] as Theme[]) {
  test(`a narrow (465 px) panel stacks details under a usable waterfall (${theme})`, async () => {
    const p = await openPanel(browser, harness, theme);
    const { page } = p;
    await page.setViewportSize({ width: 465, height: 800 });
    await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
    // Collapse the client layer so the app rows are in view.
    await row(page, 'Client').click();
    await row(page, 'GET /api/orders').click();
    await settle(page);
    await page.screenshot({ path: join(OUT, `panel-narrow-${theme}.png`) });
    const g = (await page.evaluate(GEOMETRY)) as Geometry;
    assert.ok(
      g.side.top >= g.scroll.bottom - 1,
      `details (${g.side.top}) start below the waterfall (${g.scroll.bottom})`,
    );
    assert.ok(g.scroll.height >= 9 * 24, `waterfall shows at least 9 rows (${g.scroll.height}px)`);
    assert.ok(g.tabs.top <= 800 * 0.3, `header and notes take under 30% of the height (${g.tabs.top}px)`);
    assert.equal(g.buttonRows, 1, 'actions fit on one row');
    const labels = (await page.locator('.kt-actions vscode-button').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(labels, ['Re-run', 'Copy ID', 'Copy curl', 'Export OTLP', 'Export Jaeger'], 'verbs stay');
    assert.equal(g.sideOverflow, 0, 'details pane does not overflow sideways');
    assert.ok(g.label.width >= 200, `name column ${g.label.width}px`);
    assert.ok(g.filter.width >= 120);
    // The full path is in the DOM (and tooltip) even when shown cut at the start.
    assert.equal(await detailsTitle(page), 'GET /api/orders');
    const path = page.locator('.kt-side .kt-source-path').first();
    assert.equal(await path.getAttribute('title'), 'services/orders/src/server.js:42');
    assert.equal(await path.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap');
    assert.deepEqual(p.errors, []);
    assert.deepEqual(await p.violations(), []);
    await page.context().close();
  });
}
