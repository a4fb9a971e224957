// A filter that matches nothing says so (and how to get the spans back) instead of showing an empty waterfall.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { PROBE, probeTrace } from '../webview/fixtures';
import { launchChromium, openPanel, settle, startHarness, type Harness } from '../webview/harness';

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

test('a filter with no match shows a message; clearing it brings the spans back', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
  const note = page.locator('.wf-nomatch');
  assert.equal(await note.isVisible(), false);
  const input = page.locator('.kt-filter');
  await input.click();
  await page.keyboard.type('no-such-span-xyz');
  await settle(page);
  // The filter is applied as the user types (debounced): wait for the message of the whole word, not a prefix.
  const whole = page.locator('.wf-nomatch', { hasText: 'No span matches "no-such-span-xyz".' });
  await whole.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await note.innerText(), /No span matches "no-such-span-xyz"\. Clear the filter to see all 17 spans\./);
  assert.equal(await page.locator('.wf-row:not([hidden])').count(), 0);
  for (let i = 0; i < 'no-such-span-xyz'.length; i++) await page.keyboard.press('Backspace');
  await settle(page);
  await note.waitFor({ state: 'hidden', timeout: 5000 });
  assert.ok((await page.locator('.wf-row:not([hidden])').count()) > 0);
  assert.deepEqual(p.errors, []);
  await page.context().close();
});
