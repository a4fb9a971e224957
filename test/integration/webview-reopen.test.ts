// A panel closed and reopened shows the span the user had selected: the webview tells the host each selection
// (a message the host validates), and selects the span a trace message names in a fresh panel.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { parseWebviewMessage } from '../../src/protocol/validate';
import { PROBE, probeTrace } from '../webview/fixtures';
import { launchChromium, openPanel, startHarness, type Harness } from '../webview/harness';
import { clearPosted, detailsTitle, lastPosted, row } from '../webview/panel-helpers';

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

test('selecting a span tells the host; a fresh panel given that span selects it again', async () => {
  const first = await openPanel(browser, harness);
  await first.post({ type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1' });
  await clearPosted(first.page);
  await row(first.page, 'GET /api/orders').click();
  const said = await lastPosted(first.page, 'selectSpan');
  const spanId = probeTrace().spans.find((s) => s.name === 'GET /api/orders')!.spanId;
  assert.deepEqual(said, { type: 'selectSpan', spanId });
  assert.ok(parseWebviewMessage(said), 'the host accepts it');
  await first.page.context().close();

  // A new panel (fresh webview state, as after closing the tab) gets the trace and the remembered span.
  const again = await openPanel(browser, harness);
  await again.post({ type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1', selected: spanId });
  assert.equal(await detailsTitle(again.page), 'GET /api/orders');
  assert.ok(await row(again.page, 'GET /api/orders').evaluate((e) => e.classList.contains('is-selected')));
  assert.deepEqual(again.errors, []);
  await again.page.context().close();
});
