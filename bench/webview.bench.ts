// Webview benchmarks (docs/ARCHITECTURE.md): first paint of a 10,000-span trace, p95 frame time over a scripted
// scroll of it, both in Debian's Chromium under the real panel HTML and CSP, and the bundle size.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { BenchRow } from './run';
import { bigTrace } from '../test/webview/fixtures';
import { launchChromium, openPanel, startHarness } from '../test/webview/harness';
import { webviewBundleDir } from '../test/webview/bundle';

const SPANS = 10_000;
const PAINT_RUNS = 7;
const SCROLL_FRAMES = 240;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** From the message arriving to the frame after it was painted, with the browser's own clock. Plain JS
 *  source: tsx would wrap named inner functions in a helper that does not exist in the page. */
const PAINT = `new Promise((resolve) => {
  const msg = { type: 'trace', trace: window.__pending };
  performance.clearMarks();
  const t0 = performance.now();
  window.__host.post(msg);
  const handled = performance.now();
  requestAnimationFrame(() => setTimeout(() => {
    const mark = (n) => { const e = performance.getEntriesByName(n)[0]; return e ? e.startTime - t0 : NaN; };
    resolve({ paint: performance.now() - t0, handled: handled - t0, validated: mark('kt-validated'), model: mark('kt-model-built'), rows: document.querySelectorAll('.wf-row:not([hidden])').length });
  }, 0));
})`;

/** Scroll by a varying step every animation frame. Per frame it records the main-thread work the scroll
 *  causes: setting scrollTop, the scroll event (a capturing listener marks its start, a listener added
 *  after the panel's own marks its end) and the style and layout that follow (forced by reading
 *  offsetHeight). It also records the time between animation frames. */
const SCROLL = `new Promise((resolve) => {
  const el = document.querySelector('.wf-scroll');
  const work = []; const intervals = [];
  let t0 = 0; let setCost = 0; let last = 0; let n = 0; let dir = 1;
  document.addEventListener('scroll', () => { t0 = performance.now(); }, true);
  el.addEventListener('scroll', () => { void el.offsetHeight; work.push(performance.now() - t0 + setCost); });
  const step = (t) => {
    if (last) intervals.push(t - last);
    last = t;
    if (n++ >= ${SCROLL_FRAMES}) { resolve({ work, intervals, max: el.scrollHeight }); return; }
    if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2000) dir = -1;
    const s0 = performance.now();
    el.scrollTop += dir * (180 + (n % 7) * 97);
    setCost = performance.now() - s0;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})`;

async function loadTrace(page: Page, json: string): Promise<void> {
  await page.evaluate((j) => {
    (window as unknown as { __pending: unknown }).__pending = JSON.parse(j);
  }, json);
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = await webviewBundleDir();
  const jsKB = statSync(join(dir, 'webview.js')).size / 1024;
  const cssKB = statSync(join(dir, 'webview.css')).size / 1024;
  const json = JSON.stringify(bigTrace(SPANS));
  const harness = await startHarness();
  const browser = await launchChromium();
  try {
    const p = await openPanel(browser, harness);
    const paints: { paint: number; handled: number; validated: number; model: number; rows: number }[] = [];
    for (let i = 0; i < PAINT_RUNS; i++) {
      await p.page.evaluate(() => sessionStorage.clear());
      await p.reload();
      await loadTrace(p.page, json);
      paints.push((await p.page.evaluate(PAINT)) as (typeof paints)[number]);
    }
    if (paints.some((r) => r.rows < 20)) throw new Error(`the trace did not render: ${JSON.stringify(paints)}`);
    await p.page.waitForTimeout(500); // let the coalesced setState run before scrolling
    const scroll = (await p.page.evaluate(SCROLL)) as { work: number[]; intervals: number[]; max: number };
    if (scroll.work.length < SCROLL_FRAMES / 2) throw new Error(`only ${scroll.work.length} scroll events`);
    if (scroll.max < SPANS * 20) throw new Error(`the list is not ${SPANS} rows tall (${scroll.max}px)`);
    if (p.errors.length) throw new Error(p.errors.join('\n'));
    const paint = median(paints.map((r) => r.paint));
    const p95 = pct(scroll.work, 95);
    const r1 = (n: number) => n.toFixed(1);
    return [
      {
        measure: 'webview paint',
        value: paint,
        unit: 'ms',
        goal: '<= 300',
        pass: paint <= 300,
        detail:
          `${SPANS} spans, median of ${PAINT_RUNS} fresh pages (min ${r1(Math.min(...paints.map((r) => r.paint)))}, max ${r1(Math.max(...paints.map((r) => r.paint)))}); ` +
          `validate ${r1(median(paints.map((r) => r.validated)))} ms, model ${r1(median(paints.map((r) => r.model - r.validated)))} ms, ` +
          `DOM ${r1(median(paints.map((r) => r.handled - r.model)))} ms`,
      },
      {
        measure: 'webview scroll',
        value: p95,
        unit: 'ms',
        goal: '<= 16.7',
        pass: p95 <= 16.7,
        detail:
          `p95 main-thread work per scrolled frame (scroll handler + style + layout) over ${scroll.work.length} frames, p50 ${r1(median(scroll.work))}; ` +
          `time between frames p50 ${r1(median(scroll.intervals))}, p95 ${r1(pct(scroll.intervals, 95))}, ${scroll.intervals.filter((x) => x > 25).length} over 25 ms`,
      },
      {
        measure: 'webview bundle',
        value: jsKB,
        unit: 'KB',
        goal: '<= 400',
        pass: jsKB <= 400,
        detail: `webview.js (minified); webview.css ${r1(cssKB)} KB`,
      },
    ];
  } finally {
    await browser.close();
    await harness.close();
  }
}
