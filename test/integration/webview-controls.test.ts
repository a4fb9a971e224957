// Control characters in span data (escape sequences a hostile trace backend put in names, attributes and
// diagnostics) are shown as visible escapes in the panel, never passed on as invisible characters.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { IDS, probeTrace } from '../webview/fixtures';
import { launchChromium, openPanel, settle, startHarness, type Harness } from '../webview/harness';
import { row } from '../webview/panel-helpers';

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

const ESCAPES = 'GET /orders\x1b[2J\x1b]52;c;ZWNobw==\x07\x9b1m\u202eevil';
const SHOWN = 'GET /orders\\x1b[2J\\x1b]52;c;ZWNobw==\\x07\\x9b1m\\u202eevil';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('escape sequences in span names, services, attributes and diagnostics render as visible escapes', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  const trace = probeTrace();
  const nginx = trace.spans.find((s) => s.spanId === IDS.nginx)!;
  nginx.name = ESCAPES;
  nginx.service = `svc\x1b[8m`;
  nginx.attributes['http.route'] = ESCAPES;
  nginx.attributes[`key\x1b[31m`] = 'v';
  trace.diagnostics = [{ code: 'x', severity: 'warning', message: ESCAPES }];
  await p.post({ type: 'trace', trace });
  await settle(page);
  await row(page, SHOWN).click();
  await settle(page);
  const texts = {
    waterfall: await page.locator('.wf-scroll').innerText(),
    side: await page.locator('.kt-side').innerText(),
    diags: await page.locator('.kt-diags').innerText(),
  };
  for (const [where, text] of Object.entries(texts))
    assert.doesNotMatch(text, CONTROL, `${where} holds a control character`);
  assert.ok(texts.waterfall.includes(SHOWN) && texts.waterfall.includes('svc\\x1b[8m'), texts.waterfall);
  assert.ok(texts.side.includes(SHOWN) && texts.side.includes('key\\x1b[31m'), texts.side);
  assert.ok(texts.diags.includes(SHOWN), texts.diags);
  const title = await row(page, SHOWN).getAttribute('title');
  assert.doesNotMatch(title ?? '', CONTROL);
  assert.deepEqual(p.errors, []);
  await page.context().close();
});
