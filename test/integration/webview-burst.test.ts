// The request-set view in Chromium under the panel's CSP: the charts and tables render from a BurstReport, the slowest
// point of the scatter opens its request (by click, and by keyboard from the list), filters post filterRequests,
// a trace opened from the set leads back to it, live counts show, hostile strings stay text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseWebviewMessage } from '../../src/protocol/validate';
import { baseMs, msFrom } from '../../webview/burst-model';
import { formatDuration } from '../../webview/format';
import { burstMessage, burstReport, HOSTILE, hostileReport, SLOWEST_TRACE } from '../webview/burst-fixtures';
import { probeTrace } from '../webview/fixtures';
import { settle } from '../webview/harness';
import { clearPosted, lastPosted, panelSuite } from '../webview/panel-helpers';

const suite = panelSuite();

/** Where the scatter draws request `i` (its geometry in webview/burst-scatter.ts: padding 56/14, 12/28). */
async function pointOf(page: Page, i: number): Promise<{ x: number; y: number }> {
  const r = burstReport();
  const base = baseMs(r.probes);
  const xs = r.probes.map((p) => msFrom(p.startUnixNano, base));
  const ys = r.probes.map((p) => p.durationMs);
  const box = (await page.locator('.kt-scatter-canvas').boundingBox())!;
  const plotW = box.width - 56 - 14;
  const plotH = 230 - 12 - 28;
  const maxX = Math.max(...xs);
  const maxY = Math.max(...ys);
  return { x: box.x + 56 + (xs[i] / maxX) * plotW, y: box.y + 12 + plotH - (ys[i] / maxY) * plotH };
}

test('the request-set view draws the histogram, the percentile bars, the tail and the tables', async () => {
  const p = await suite.open();
  const { page } = p;
  await p.post(burstMessage());
  await settle(page);
  assert.equal(await page.locator('.wf').isVisible(), false, 'the waterfall is not shown');
  assert.match(await page.locator('.kt-burst-head').innerText(), /Burst of 400 GET \/orders[\s\S]*400 requests/);
  const tail = page.locator('.kt-burst-tail');
  assert.match(
    await tail.innerText(),
    /^p99 is \d+ ms, \d+ ms above the median; most of the extra time is in inventory/,
  );
  assert.equal(await tail.locator('code').innerText(), 'SELECT stock');
  assert.ok((await page.locator('.kt-hist .kt-hist-bar').count()) >= 8, 'histogram bars');
  const ticks = await page.locator('.kt-hist .kt-tick').allTextContents();
  for (const t of ['10 ms', '100 ms', '1 s']) assert.ok(ticks.includes(t), `log axis tick ${t} in ${ticks}`);
  assert.match((await page.locator('.kt-hist').getAttribute('aria-label'))!, /log scale: p50 [\d.]+ ms, p99/);
  const bars = await page.locator('.kt-pbar-row').allInnerTexts();
  assert.deepEqual(
    bars.map((b) => b.split('\n')[0]),
    ['p50', 'p90', 'p99', 'max'],
  );
  assert.match(bars[3], /912\.5 ms/);
  assert.equal(await page.locator('.kt-pbar-row').nth(2).locator('.kt-pbar-seg').count(), 4, 'four layers');
  // The span table is virtualized: sorted by p99, only the rows in view exist.
  const spanRows = page.locator('.kt-card[aria-label="Spans by name"] .kt-vt-spacer .kt-vt-row:not([hidden])');
  assert.match(await spanRows.first().innerText(), /Ingress\s+nginx\s+ingress-nginx\s+400\s+14\.0 ms\s+30\.0 ms\s+300/);
  assert.ok((await spanRows.count()) < burstReport().spans.length, 'not every span row is in the DOM');
  assert.deepEqual(await page.locator('.kt-card[aria-label="Upstream pods"] tbody th').allInnerTexts(), [
    'orders-7d9f8-klmno',
    'orders-7d9f8-fghij',
    'orders-7d9f8-abcde',
  ]);
  const failures = await page.locator('.kt-card[aria-label="Failures"] tbody tr').allInnerTexts();
  assert.match(failures[0], /502\s+Ingress\s+4\s+upstream prematurely closed connection/);
  assert.match(failures[1], /no response\s+Client\s+1/);
  await suite.clean(p);
});

test('a click on the slowest point opens its request; the trace leads back to the set', async () => {
  const p = await suite.open();
  const { page } = p;
  await p.post(burstMessage());
  await settle(page);
  await clearPosted(page);
  const pt = await pointOf(page, 200);
  await page.mouse.move(pt.x, pt.y);
  assert.match((await page.locator('.kt-scatter-canvas').getAttribute('title'))!, /^912\.5 ms · 200 · GET/);
  await page.mouse.click(pt.x, pt.y);
  const open = await lastPosted(page, 'openRequest');
  assert.deepEqual(open, { type: 'openRequest', traceId: SLOWEST_TRACE });
  assert.ok(parseWebviewMessage(open));
  // Far from any point: nothing is opened.
  await clearPosted(page);
  const box = (await page.locator('.kt-scatter-canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width - 20, box.y + 30);
  assert.equal(await lastPosted(page, 'openRequest'), undefined);

  // The host answers with the request's trace; the panel offers the way back.
  await p.post({ type: 'trace', trace: probeTrace(), burstId: 'b1' });
  await settle(page);
  assert.equal(await page.locator('.kt-burst').isVisible(), false);
  assert.equal(await page.locator('.wf').isVisible(), true);
  assert.equal(await page.locator('.kt-top .kt-url').innerText(), 'One request of Burst of 400 GET /orders');
  await page.locator('.kt-back-button').click();
  await settle(page);
  assert.equal(await page.locator('.kt-burst').isVisible(), true);
  assert.equal(await page.locator('.kt-back').isVisible(), false);
  // A trace that is not from this set has no way back.
  await p.post({ type: 'trace', trace: probeTrace() });
  assert.equal(await page.locator('.kt-back').isVisible(), false);
  await suite.clean(p);
});

test('the keyboard reaches the request list; Enter opens the slowest request, arrows move down the list', async () => {
  const p = await suite.open();
  const { page } = p;
  await p.post(burstMessage());
  await settle(page);
  await clearPosted(page);
  const list = page.locator('.kt-scatter .kt-vt-body');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await list.evaluate((e) => e === document.activeElement);
  }
  assert.ok(reached, 'Tab reaches the request list');
  const outline = await list.evaluate((e) => getComputedStyle(e).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  assert.deepEqual(await lastPosted(page, 'openRequest'), { type: 'openRequest', traceId: SLOWEST_TRACE });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const second = [...burstReport().probes].sort((a, b) => b.durationMs - a.durationMs)[1];
  assert.deepEqual(await lastPosted(page, 'openRequest'), { type: 'openRequest', traceId: second.traceId });
  assert.match(
    await page.locator('.kt-scatter .kt-vt-row.is-active').innerText(),
    new RegExp(`^${formatDuration(second.durationMs)}\n`),
  );
  await page.keyboard.press('End');
  assert.equal(
    await list.evaluate((e) => e.scrollTop > 0),
    true,
    'End scrolls the virtualized list to the last request',
  );
  await suite.clean(p);
});

test('filters post filterRequests; the narrowed report shows what it was filtered by; Clear posts an empty filter', async () => {
  const p = await suite.open();
  const { page } = p;
  const msg = burstMessage();
  await p.post(msg);
  await settle(page);
  await clearPosted(page);
  await page.locator('.kt-burst-filters select[name="status"]').selectOption('5xx');
  await page.locator('.kt-burst-filters input[name="path"]').fill('/orders/42');
  await page.locator('.kt-burst-filters select[name="upstream"]').selectOption('orders-7d9f8-fghij');
  await page.locator('.kt-burst-filters input[name="from"]').fill('1');
  await page.locator('.kt-burst-filters input[name="to"]').fill('2.5');
  await page.locator('.kt-burst-filters input[name="to"]').press('Enter');
  const posted = await lastPosted(page, 'filterRequests');
  const base = BigInt(baseMs(msg.report.probes));
  assert.deepEqual(posted, {
    type: 'filterRequests',
    filter: {
      status: '5xx',
      path: '/orders/42',
      upstream: 'orders-7d9f8-fghij',
      fromUnixNano: ((base + 1000n) * 1_000_000n).toString(),
      toUnixNano: ((base + 2500n) * 1_000_000n).toString(),
    },
  });
  assert.ok(parseWebviewMessage(posted), 'the host accepts it');
  // The host answers with the narrowed report.
  const narrowed = burstReport();
  narrowed.probes = narrowed.probes.filter((r) => r.status === 502);
  narrowed.requests = narrowed.probes.length;
  await p.post({ ...msg, report: narrowed, filter: posted.filter });
  await settle(page);
  assert.match(await page.locator('.kt-burst-filtered').innerText(), /status 5xx, path contains "\/orders\/42"/);
  assert.equal(await page.locator('.kt-burst-filters input[name="from"]').inputValue(), '1');
  assert.equal(await page.locator('.kt-burst-filters select[name="upstream"]').inputValue(), 'orders-7d9f8-fghij');
  await page.locator('.kt-burst-filters button', { hasText: 'Clear' }).click();
  assert.deepEqual(await lastPosted(page, 'filterRequests'), { type: 'filterRequests', filter: {} });
  // A specific status seen in the set is offered too.
  await page.locator('.kt-burst-filters select[name="status"]').selectOption('502');
  await page.locator('.kt-filter-apply').click();
  assert.deepEqual((await lastPosted(page, 'filterRequests')).filter, { status: 502 });
  await suite.clean(p);
});

test('live counts show while a burst runs, and give way to the report', async () => {
  const p = await suite.open();
  const { page } = p;
  const empty = burstReport(0);
  await p.post(
    burstMessage({ id: 'live1', report: empty, live: { sent: 40, answered: 38, traced: 30, errors: 1, p50: 12.5 } }),
  );
  await settle(page);
  assert.equal(
    await page.locator('.kt-burst-live-text').innerText(),
    'Running: 40 sent · 38 answered · 30 traced · 1 errors · p50 12.5 ms · p99 —',
  );
  assert.match((await page.locator('.kt-hist').getAttribute('aria-label')) ?? '', /of 0 requests/);
  await p.post(burstMessage());
  await settle(page);
  assert.equal(await page.locator('.kt-burst-live').isVisible(), false);
  await suite.clean(p);
});

test('hostile pod, path and span strings render as text, and nothing runs', async () => {
  const p = await suite.open();
  const { page } = p;
  await p.post(burstMessage({ title: HOSTILE.path, report: hostileReport() }));
  await settle(page);
  const text = await page.locator('.kt-burst').innerText();
  assert.ok(text.includes(HOSTILE.path), 'the path is shown literally');
  assert.ok(text.includes('<img src=x onerror="window.__pwned=1">'), 'the pod is shown literally');
  assert.ok(text.includes('evil\\x1b[2J\\u202eesrever'), 'control characters are visible escapes');
  assert.ok(text.includes('p99 is in javascript:window.__pwned=3 <b>bold</b>'));
  const dom = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    imgs: document.querySelectorAll('.kt-burst img, .kt-burst script, .kt-burst b, .kt-burst a').length,
    handlers: [...document.querySelectorAll('.kt-burst *')].filter((e) =>
      [...e.attributes].some((a) => a.name.startsWith('on') || (/javascript:/i.test(a.value) && a.name !== 'title')),
    ).length,
  }));
  assert.deepEqual(dom, { pwned: null, imgs: 0, handlers: 0 });
  // The hostile pod is offered as a filter choice, as text.
  const options = await page.locator('.kt-burst-filters select[name="upstream"] option').allInnerTexts();
  assert.ok(options.includes(HOSTILE.pod));
  await suite.clean(p);
});

test('a report without bins, layers or a tail sentence still draws its requests', async () => {
  const p = await suite.open();
  const { page } = p;
  const r = burstReport(120);
  Object.assign(r, { histogram: [], layers: [], spans: [] });
  r.tail.sentence = '';
  await p.post(burstMessage({ report: r }));
  await settle(page);
  const bars = await page.locator('.kt-hist .kt-hist-bar').count();
  assert.ok(bars >= 5, `bins made from the requests (${bars})`);
  assert.equal(await page.locator('.kt-burst-tail').count(), 0, 'no empty tail box');
  assert.equal(await page.locator('.kt-pbar-whole').count(), 4, 'one neutral bar per percentile');
  assert.match(await page.locator('.kt-card[aria-label="Spans by name"]').innerText(), /No span names yet/);
  await suite.clean(p);
});
