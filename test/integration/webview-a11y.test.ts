// axe-core against the panel's document in the four built-in themes (Dark Modern, Light Modern, Dark High
// Contrast, Light High Contrast, with the colours VS Code 1.100 really gives a webview): no contrast or name
// violations in the views a user goes through (overview, a selected span with source cards, the execution path,
// history), and a screenshot of each theme in test-results/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { history, PROBE, probeTrace } from '../webview/fixtures';
import { launchChromium, openPanel, settle, startHarness, THEMES, type Harness } from '../webview/harness';
import { REPO } from '../webview/bundle';
import { row } from '../webview/panel-helpers';
import { PANEL_RULES, axeViolations } from '../webview/axe';

const OUT = join(REPO, 'test-results/screenshots');
const axe = (page: Page) => axeViolations(page, PANEL_RULES);

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

for (const theme of THEMES) {
  test(`axe: no contrast or name violations in the ${theme} theme`, async () => {
    const p = await openPanel(browser, harness, theme);
    const { page } = p;
    await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1' });
    await p.post({ type: 'history', entries: history(), currentId: 'h1' });
    const found: string[] = [];
    found.push(...(await axe(page)).map((v) => `overview: ${v}`));
    await row(page, 'GET /api/orders').click();
    found.push(...(await axe(page)).map((v) => `app span: ${v}`));
    await page.screenshot({ path: join(OUT, `panel-a11y-${theme}.png`) });
    await row(page, 'nginx').click();
    found.push(...(await axe(page)).map((v) => `nginx steps: ${v}`));
    await page.locator('vscode-tab-header', { hasText: 'History' }).click();
    found.push(...(await axe(page)).map((v) => `history: ${v}`));
    assert.deepEqual(found, []);
    assert.deepEqual(p.errors, []);
    await page.context().close();
  });
}

test('a source path shows its file name and line first, whole, at any width; the folder is cut at its end', async () => {
  const p = await openPanel(browser, harness, 'hc');
  const { page } = p;
  await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
  await row(page, 'GET /api/orders').click();
  for (const width of [1280, 700, 465, 380]) {
    await page.setViewportSize({ width, height: 800 });
    await settle(page);
    const shown = await page
      .locator('.kt-side .kt-source-path')
      .first()
      .evaluate((e) => {
        const file = e.querySelector('.kt-source-file') as HTMLElement;
        const dir = e.querySelector('.kt-source-dir') as HTMLElement;
        return {
          file: file.textContent,
          fileCut: file.scrollWidth > file.clientWidth,
          dir: dir.textContent,
          dirLeft: dir.getBoundingClientRect().left,
          fileRight: file.getBoundingClientRect().right,
          title: e.getAttribute('title'),
        };
      });
    assert.equal(shown.file, 'server.js:42', `${width}px`);
    assert.equal(shown.fileCut, false, `the file name is whole at ${width}px`);
    assert.equal(shown.dir, '\u00a0— services/orders/src/');
    assert.ok(shown.dirLeft >= shown.fileRight - 1, 'the folder comes after the file name');
    assert.equal(shown.title, 'services/orders/src/server.js:42');
  }
  assert.deepEqual(p.errors, []);
  await page.context().close();
});
