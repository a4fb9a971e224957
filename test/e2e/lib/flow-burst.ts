// "Send Probe Burst..." from the context menu of orders: 50 requests through the sandbox, the request-set view with
// its histogram, and a click on the slowest point of the scatter opens that request's trace, with the way back.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { traceIdShown, type FlowCtx } from './flows';
import { contextMenuItem, openKubetraceView, panel, panelFrame, screenshotBoth, treeRow, waitFor } from './workbench';

const COUNT = 50;

/** Answers the next input box (its title ends with "(step)") with `value`. */
async function answer(page: Page, step: string, value: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: `(${step})` }).waitFor({ timeout: 20_000 });
  const input = widget.locator('.quick-input-box input');
  await input.fill(value);
  await input.press('Enter');
}

/** The slowest request of the shown set and where the scatter draws it, relative to the canvas (as
 *  webview/burst-scatter.ts places points: padding 56/14 left/right, 12/28 top/bottom, 230 px high). */
/** Plain JS source: tsx would wrap named inner functions in a helper that does not exist in the page. */
const SLOWEST = `(() => {
  const probes = window.__kubetrace.state.burst.report.probes;
  const ms = (ns) => Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6;
  const base = Math.min(...probes.map((p) => Number(p.startUnixNano.slice(0, -6))));
  const xs = probes.map((p) => ms(p.startUnixNano) - base);
  const maxX = Math.max(1, ...xs);
  const maxY = Math.max(...probes.map((p) => p.durationMs));
  const i = probes.findIndex((p) => p.durationMs === maxY);
  const w = document.querySelector('.kt-scatter-canvas').getBoundingClientRect().width;
  return { traceId: probes[i].traceId, x: 56 + (xs[i] / maxX) * (w - 70), y: 12 };
})()`;

async function slowestPoint(page: Page): Promise<{ traceId: string; x: number; y: number }> {
  return (await panelFrame(page)).evaluate(SLOWEST) as Promise<{ traceId: string; x: number; y: number }>;
}

export async function flowBurst(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await openKubetraceView(page);
  await contextMenuItem(page, treeRow(page, 'orders').first(), 'Send Probe Burst...');
  await answer(page, '1/3', String(COUNT));
  await answer(page, '2/3', '4');
  await answer(page, '3/3', '');
  const p = panel(page);
  const head = await waitFor(
    `the request-set view of ${COUNT} requests`,
    async () => {
      const live = await p
        .locator('.kt-burst-live:not([hidden])')
        .count()
        .catch(() => 0);
      const text = await p
        .locator('.kt-burst-head')
        .innerText({ timeout: 500 })
        .catch(() => '');
      return !live && new RegExp(`\\b${COUNT} requests`).test(text) ? text : undefined;
    },
    180_000,
    500,
  );
  ctx.log(`burst: ${head.replace(/\s+/g, ' ')}`);
  assert.match(head, /shop\/orders/);
  assert.ok((await p.locator('.kt-hist .kt-hist-bar').count()) > 0, 'the histogram has bars');
  const tail = await p.locator('.kt-burst-tail').allInnerTexts();
  ctx.log(`burst tail: ${tail.join(' ') || '(no tail sentence in this report)'}`);
  assert.equal(await p.locator('.kt-pbar-row').count(), 4, 'p50, p90, p99, max');
  await screenshotBoth(page, '9-burst');

  const slowest = await slowestPoint(page);
  await p.locator('.kt-scatter-canvas').scrollIntoViewIfNeeded();
  await p.locator('.kt-scatter-canvas').click({ position: { x: slowest.x, y: slowest.y } });
  await waitFor(
    `the trace of the slowest request ${slowest.traceId}`,
    async () => (await traceIdShown(p)) === slowest.traceId,
    30_000,
    300,
  );
  await p.locator('.wf-row--layer').first().waitFor({ timeout: 10_000 });
  assert.ok(await p.locator('.kt-back-button').isVisible(), 'the way back to the requests is offered');
  await screenshotBoth(page, '9-burst-request');
  await p.locator('.kt-back-button').click();
  await p.locator('.kt-burst').waitFor({ state: 'visible', timeout: 10_000 });
}
