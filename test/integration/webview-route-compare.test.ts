// The route comparison ("Compare With Route...") in Chromium under the panel's CSP: the verdict, the differences
// worst first (icon and word), what was not carried over, the time by layer and the two waterfalls, A above B;
// opening a side's trace posts selectHistory; hostile strings stay text; axe finds no contrast or name violations
// in the four themes, and screenshots go to test-results/screenshots/compare-<theme>.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { REPO } from '../webview/bundle';
import { launchChromium, openPanel, settle, startHarness, THEMES, type Harness } from '../webview/harness';
import { clearPosted, lastPosted } from '../webview/panel-helpers';
import { B_TRACE_ID, HOSTILE_WHAT, routeCompareMessage } from '../webview/route-compare-fixtures';
import { axeViolations } from '../webview/axe';

const OUT = join(REPO, 'test-results/screenshots');
const RULES = ['color-contrast', 'button-name', 'label', 'aria-input-field-name', 'scrollable-region-focusable'];

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

test('the comparison shows the verdict, the differences, what was not carried over and two waterfalls', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  await p.post(routeCompareMessage());
  await settle(page);
  const view = page.locator('.kt-rcmp');
  assert.equal(await view.isVisible(), true);
  assert.equal(await page.locator('.kt-trace').isVisible(), false, 'the single-trace view is hidden');
  assert.equal(await view.locator('.kt-rcmp-verdict').innerText(), 'The routes differ: 2 differences');
  const diffs = await view.locator('.kt-rcmp-diffs tbody tr').allInnerTexts();
  assert.equal(diffs.length, 3);
  assert.match(diffs[0], /^\s*error\s+status\s+200\s+200 \| 404$/, 'worst first');
  assert.match(diffs[1], /warning\s+<img src=x .*header x-shop\s+kt-1\s+\(absent\)/);
  assert.match(diffs[2], /info\s+time \(median\)\s+41\.5 ms\s+55\.0 ms/);
  assert.equal(await view.locator('.kt-rcmp-diffs tbody tr').first().locator('svg.kt-icon-error').count(), 1);
  assert.match(
    await view.locator('.kt-rcmp-nco li').innerText(),
    /^nginx\.ingress\.kubernetes\.io\/rewrite-target: no URLRewrite filter/,
  );
  const layers = await view.locator('.kt-rcmp-layers tbody tr').allInnerTexts();
  assert.match(layers.at(-1)!, /Whole exchange\s+41\.5 ms\s+55\.0 ms\s+\+13\.5 ms/);
  // Two waterfalls, A above B, each titled with its route and status.
  const heads = await view.locator('.kt-rcmp-wf-head h3').allInnerTexts();
  assert.deepEqual(heads, ['A: ingress/shop/orders → 200', 'B: httproute/shop/orders-route → 200 | 404']);
  const wfs = view.locator('.kt-rcmp-wf .wf');
  assert.equal(await wfs.count(), 2);
  const [ya, yb] = [(await wfs.nth(0).boundingBox())!.y, (await wfs.nth(1).boundingBox())!.y];
  assert.ok(ya < yb, 'A above B');
  for (const i of [0, 1]) assert.ok((await wfs.nth(i).locator('.wf-row:not([hidden])').count()) > 3, `rows of ${i}`);
  assert.match(await view.locator('.kt-rcmp-wf-head').nth(1).innerText(), new RegExp(B_TRACE_ID));
  // Opening a side's trace: by its button, and by Enter on a span of its waterfall.
  await clearPosted(page);
  await view.locator('.kt-rcmp-wf-head button').nth(1).click();
  assert.deepEqual(await lastPosted(page, 'selectHistory'), { type: 'selectHistory', id: 'h2' });
  await clearPosted(page);
  await wfs.nth(0).locator('.wf-scroll').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.deepEqual(await lastPosted(page, 'selectHistory'), { type: 'selectHistory', id: 'h1' });
  // A trace message brings the single-trace view back.
  await p.post({ type: 'trace', trace: routeCompareMessage().a });
  await settle(page);
  assert.equal(await view.isVisible(), false);
  assert.equal(await page.locator('.kt-trace').isVisible(), true);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

test('without history ids there is no open button, and hostile strings stay text', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  const m = routeCompareMessage();
  delete m.aHistoryId;
  delete m.bHistoryId;
  m.comparison.notCarriedOver.push({ what: '<script>window.__pwned=2</script>', detail: '<b>bold</b>' });
  await p.post(m);
  await settle(page);
  assert.equal(await page.locator('.kt-rcmp-wf-head button').count(), 0, 'no button that does nothing');
  const text = await page.locator('.kt-rcmp').innerText();
  assert.ok(text.includes(HOSTILE_WHAT), 'the difference is shown literally');
  assert.ok(text.includes('<script>window.__pwned=2</script>: <b>bold</b>'));
  const dom = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    imgs: document.querySelectorAll('.kt-rcmp img, .kt-rcmp script, .kt-rcmp b').length,
  }));
  assert.deepEqual(dom, { pwned: null, imgs: 0 });
  assert.deepEqual(p.errors, []);
  assert.deepEqual(await p.violations(), []);
  await page.context().close();
});

for (const theme of THEMES)
  test(`the comparison in the ${theme} theme: no contrast or name violations`, async () => {
    const p = await openPanel(browser, harness, theme);
    const { page } = p;
    await p.post(routeCompareMessage());
    await settle(page);
    await page.screenshot({ path: join(OUT, `compare-${theme}.png`) });
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(p.errors, []);
    await page.context().close();
  });
