// Span data is text, never markup: a trace whose names, attributes, events, steps, sources, diagnostics
// and history hold script, event-handler and javascript: payloads renders them literally, and nothing runs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { IDS, XSS, xssTrace } from '../webview/fixtures';
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

/** Nothing from the data became an element, an event handler or a link, anywhere in the page or shadow roots. */
function domReport() {
  // No named inner functions: tsx would wrap them in a helper that does not exist in the page.
  const all: Element[] = [];
  const roots: (Document | ShadowRoot)[] = [document];
  while (roots.length) {
    for (const e of roots.pop()!.querySelectorAll('*')) {
      all.push(e);
      if (e.shadowRoot) roots.push(e.shadowRoot);
    }
  }
  return {
    pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
    scripts: all
      .filter((e) => e.tagName === 'SCRIPT')
      .map((e) => (e as HTMLScriptElement).src.replace(location.origin, '')),
    imgs: all.filter((e) => e.tagName === 'IMG' || e.tagName === 'IFRAME').length,
    // Span data lives in the light DOM; the components' shadow roots hold their own icons.
    svgFromData: document.querySelectorAll('svg:not(.kt-icon)').length,
    handlers: all.flatMap((e) =>
      [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName}.${a.name}`),
    ),
    links: all.filter((e) => e.hasAttribute('href') && /javascript:/i.test(e.getAttribute('href') ?? '')).length,
    anchors: document.querySelectorAll('a').length,
  };
}

test('XSS payloads in a trace and its history render as text and never run', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  const trace = xssTrace();
  await p.post({ type: 'trace', trace, probe: { target: XSS.script, method: 'GET', url: XSS.js, error: XSS.img } });
  await p.post({
    type: 'history',
    entries: [{ id: 'a', time: XSS.img, target: XSS.script, traceId: XSS.attr, method: XSS.svg, error: XSS.js }],
  });
  await p.post({ type: 'progress', message: XSS.img });
  await p.post({ type: 'sourceStatus', spanId: IDS.nginx, ok: false, reason: XSS.script });
  await settle(page);

  // Visit every place data is shown: the span with every payload (details, steps, events, links), the others, history.
  await row(page, XSS.script).click();
  await page.locator('.kt-side vscode-button.kt-open').first().click();
  await p.post({ type: 'sourceStatus', spanId: IDS.nginx, ok: false, reason: XSS.iframe });
  await settle(page);
  const side = await page.locator('.kt-side').innerText();
  for (const payload of [XSS.script, XSS.attr, XSS.js, XSS.img, XSS.svg, XSS.iframe])
    assert.ok(side.includes(payload), `shown literally: ${payload}\n${side}`);
  const top = await page.locator('.kt-top').innerText();
  assert.ok(top.includes(XSS.js) && top.includes(XSS.img));
  const diags = await page.locator('.kt-diags').innerText();
  assert.ok(diags.includes(XSS.img) && diags.includes(XSS.script) && diags.includes(XSS.js));
  assert.ok((await page.locator('.kt-progress').innerText()).includes(XSS.img));
  await row(page, XSS.img).click();
  assert.ok((await page.locator('.kt-no-source').innerText()).includes(XSS.iframe));
  await page.locator('.wf-scroll').focus();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowDown');
  await page.locator('vscode-tab-header', { hasText: 'History' }).click();
  await settle(page);
  assert.ok((await page.locator('.kt-history').innerText()).includes(XSS.script));

  const report = await page.evaluate(domReport);
  assert.deepEqual(report, {
    pwned: null,
    scripts: ['/test/stub.js', '/dist/webview.js'],
    imgs: 0,
    svgFromData: 0,
    handlers: [],
    links: 0,
    anchors: 0,
  });
  assert.deepEqual(p.errors, [], 'no dialog, no page error');
  assert.deepEqual(await p.violations(), [], 'nothing even tried to run (a CSP report would mean it did)');
  // The posted openSource carries the payload only as data, for the host to check against the trace.
  const posted = (await p.posted()) as { type: string; ref?: { path: string } }[];
  assert.equal(posted.find((m) => m.type === 'openSource')?.ref?.path, XSS.js);
  await page.context().close();
});

test('the CSP blocks what the panel itself must never do: inline script and inline style attributes', async () => {
  const p = await openPanel(browser, harness);
  const { page } = p;
  const r = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__pwned = "inline"';
    document.body.appendChild(s);
    const d = document.createElement('div');
    d.setAttribute('style', 'color: red');
    document.body.appendChild(d);
    await new Promise((ok) => setTimeout(ok, 50));
    return { pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null, color: getComputedStyle(d).color };
  });
  assert.equal(r.pwned, null);
  assert.notEqual(r.color, 'rgb(255, 0, 0)');
  const v = (await p.violations()) as { directive: string }[];
  assert.deepEqual([...new Set(v.map((x) => x.directive))].sort(), ['script-src-elem', 'style-src-attr']);
  await page.context().close();
});
