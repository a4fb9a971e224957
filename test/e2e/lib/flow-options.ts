// "Send Probe With Options..." on orders: four numbered steps (method, path, headers, body) with a working Back,
// a POST through the sandbox (no question asked there), and the headers and body on the probe's span with the
// credential redacted.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { traceIdShown, waitForNewTrace, type FlowCtx } from './flows';
import {
  SCREENSHOTS,
  contextMenuItem,
  openKubetraceView,
  panel,
  panelFrame,
  screenshotBoth,
  treeRow,
  waitFor,
} from './workbench';

const SECRET = 'e2e-secret-0123456789';
const HEADERS = `X-Tenant: gold; Authorization: Bearer ${SECRET}`;

const widget = (page: Page) => page.locator('.quick-input-widget');

/** Waits for the step whose title ends with "(step)"; returns its input. */
async function step(page: Page, at: string) {
  await widget(page)
    .locator('.quick-input-title', { hasText: `(${at})` })
    .waitFor({ timeout: 20_000 });
  return widget(page).locator('.quick-input-box input');
}

export async function flowOptions(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await openKubetraceView(page);
  const previous = await traceIdShown(panel(page));
  await contextMenuItem(page, treeRow(page, 'orders').first(), 'Send Probe With Options...');
  const method = await step(page, '1/4');
  await method.fill('POST');
  await method.press('Enter');
  const path = await step(page, '2/4');
  assert.equal(await path.inputValue(), '/orders', 'the path step offers the chosen path');
  await path.press('Enter');
  const headers = await step(page, '3/4');
  await headers.fill('not a header');
  await waitFor('the header line to be refused', async () => /is not Name: value/.test(await widget(page).innerText()));
  await headers.fill(HEADERS);
  await headers.press('Enter');
  await step(page, '4/4');
  // Back returns to the headers with what was typed, then forward again.
  await widget(page).locator('.quick-input-left-action-bar .action-label').first().click();
  const again = await step(page, '3/4');
  assert.equal(await again.inputValue(), HEADERS, 'Back keeps the answer given');
  await again.press('Enter');
  const body = await step(page, '4/4');
  await body.fill('{"sku": "kt-1", "quantity": 2}');
  // Switching themes goes through the command palette, which would close these steps: the dark theme only here.
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, '11-options-steps-dark.png') });
  await body.press('Enter');

  const got = await waitForNewTrace(page, previous);
  ctx.log(`options probe: trace ${got.traceId}, layers ${got.layers.join(', ')}`);
  const top = await panel(page).locator('.kt-top').innerText();
  assert.match(top, /POST\s+https:\/\/shop\.kubetrace\.test(:\d+)?\/orders/);
  const root = (await (
    await panelFrame(page)
  ).evaluate(
    `window.__kubetrace.state.trace.spans.find((s) => s.name === 'probe' && !s.parentSpanId).attributes`,
  )) as Record<string, unknown>;
  assert.equal(root['http.request.header.x-tenant'], 'gold');
  assert.equal(root['http.request.header.authorization'], '[redacted]');
  assert.equal(root['http.request.body.size'], 30);
  assert.match(String(root['kubetrace.request.body']), /"sku": "kt-1"/);
  const leaks = (await (
    await panelFrame(page)
  ).evaluate(`(() => {
    const out = [];
    const walk = (v, path) => {
      if (typeof v === 'string') { if (v.includes(${JSON.stringify(SECRET)})) out.push(path); }
      else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], path + '.' + k);
    };
    walk(window.__kubetrace.state, 'state');
    return out;
  })()`)) as string[];
  assert.deepEqual(leaks, [], 'the credential is nowhere in the panel state');
  await screenshotBoth(page, '11-options-trace');
}
