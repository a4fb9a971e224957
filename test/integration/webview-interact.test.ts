// The trace panel in Chromium, served under the real panel HTML and CSP: filter, zoom, keyboard,
// state across hide/show, progress, and what it does with bad host messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROBE, probeTrace } from '../webview/fixtures';
import { settle } from '../webview/harness';
import { detailsTitle, drawnBars, row, rows, tickLabels, panelSuite } from '../webview/panel-helpers';

const suite = panelSuite();
const { withTrace, clean } = suite;

describe('trace panel interaction', () => {
  test('filter by text and by layer', async () => {
    const p = await withTrace();
    const { page } = p;
    await page.locator('.kt-filter').click();
    await page.keyboard.type('inventory');
    await page.waitForFunction(() => document.querySelector('.kt-count')?.textContent?.startsWith('3 of'));
    let r = await rows(page);
    assert.deepEqual(
      r.map((x) => [x.name, x.context]),
      [
        ['App', false],
        ['GET /api/orders', true],
        ['GET inventory', false],
        ['Downstream', false],
        ['GET /api/stock', false],
        ['SELECT stock', false],
      ],
    );
    assert.equal(await page.locator('.kt-count').innerText(), '3 of 17 spans');
    // Attribute text matches too.
    await page.locator('.kt-filter').evaluate((e) => {
      (e as HTMLElement & { value: string }).value = '';
    });
    await page.locator('.kt-filter').click();
    await page.keyboard.type('127.10.0.6');
    await page.waitForFunction(() => document.querySelector('.kt-count')?.textContent?.startsWith('2 of'));
    r = await rows(page);
    assert.deepEqual(
      r.filter((x) => !x.context && !x.layerRow).map((x) => x.name),
      ['nginx', 'upstream.attempt'],
    );
    await page.locator('.kt-filter').evaluate((e) => {
      (e as HTMLElement & { value: string }).value = '';
      e.dispatchEvent(new Event('input'));
    });
    await page.waitForFunction(() => document.querySelector('.kt-count')?.textContent === '17 spans');
    await page.locator('.kt-chip', { hasText: 'Client' }).click();
    await page.locator('.kt-chip', { hasText: 'Downstream' }).click();
    r = await rows(page);
    assert.deepEqual(
      r.filter((x) => x.layerRow).map((x) => x.name),
      ['Ingress', 'App'],
    );
    assert.equal(await page.locator('.kt-chip', { hasText: 'Client' }).getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator('.kt-count').innerText(), '9 of 17 spans');
    await clean(p);
  });

  test('zoom with buttons and by dragging across the axis, then reset', async () => {
    const p = await withTrace();
    const { page } = p;
    const full = await tickLabels(page);
    assert.deepEqual(full.slice(0, 3), ['0 ms', '10 ms', '20 ms']);
    await row(page, 'upstream.connect').click();
    await page.locator('.kt-tool[aria-label^="Zoom in"]').click();
    await page.locator('.kt-tool[aria-label^="Zoom in"]').click();
    await page.locator('.kt-tool[aria-label^="Zoom in"]').click();
    await page.locator('.kt-tool[aria-label^="Zoom in"]').click();
    const zoomed = await tickLabels(page);
    assert.notDeepEqual(zoomed, full);
    assert.match(await page.locator('.kt-zoom-text').innerText(), /ms – .*ms/);
    // Zoomed around the selected span: it stays drawn, far-away spans are not.
    const bars = await drawnBars(page);
    assert.ok(bars.includes('upstream.connect'));
    assert.ok(!bars.includes('download'), `download should be outside ${zoomed.join(',')}`);
    await page.locator('.kt-tool[aria-label^="Reset"]').click();
    assert.deepEqual(await tickLabels(page), full);
    assert.equal(await page.locator('.kt-zoom-text').innerText(), '');
    // Drag from about 40% to 60% of the axis.
    const box = (await page.locator('.wf-axis').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const text = await page.locator('.kt-zoom-text').innerText();
    const m = /^([\d.]+) ms – ([\d.]+) ms$/.exec(text);
    assert.ok(m, text);
    assert.ok(Math.abs(Number(m[1]) - 48.2 * 0.4) < 1.5 && Math.abs(Number(m[2]) - 48.2 * 0.6) < 1.5, text);
    assert.ok(!(await drawnBars(page)).includes('dns'));
    await page.locator('.wf-scroll').focus();
    await page.keyboard.press('0');
    assert.equal(await page.locator('.kt-zoom-text').innerText(), '');
    await clean(p);
  });

  test('keyboard: arrows move and expand/collapse, focus ring on the active row', async () => {
    const p = await withTrace();
    const { page } = p;
    await page.locator('.wf-scroll').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    assert.equal(await detailsTitle(page), 'probe');
    assert.equal(await page.locator('.wf-row.is-active .wf-name').innerText(), 'probe');
    const outline = await page.locator('.wf-row.is-active').evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.equal(outline, 'solid');
    await page.keyboard.press('ArrowLeft'); // collapse probe
    let r = await rows(page);
    assert.ok(!r.some((x) => x.name === 'dns'));
    assert.equal(await page.locator('.wf-row.is-active').getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('ArrowRight'); // expand
    await page.keyboard.press('ArrowRight'); // to first child
    assert.equal(await detailsTitle(page), 'dns');
    await page.keyboard.press('ArrowLeft'); // to parent
    assert.equal(await detailsTitle(page), 'probe');
    await page.keyboard.press('ArrowLeft'); // collapse
    await page.keyboard.press('ArrowLeft'); // to the Client layer row
    await page.keyboard.press('ArrowLeft'); // collapse the layer
    r = await rows(page);
    assert.deepEqual(
      r.filter((x) => x.layerRow).map((x) => x.name),
      ['Client', 'Ingress', 'App', 'Downstream'],
    );
    assert.ok(!r.some((x) => x.name === 'probe'));
    await page.keyboard.press('Enter'); // re-open the layer
    r = await rows(page);
    assert.ok(
      r.some((x) => x.name === 'probe') && !r.some((x) => x.name === 'dns'),
      'probe stays collapsed inside the reopened layer',
    );
    await page.keyboard.press('End');
    assert.equal(await detailsTitle(page), 'SELECT stock');
    await clean(p);
  });

  test('selection, collapse, filter, zoom and the trace survive hide/show (getState/setState)', async () => {
    const p = await withTrace();
    const { page } = p;
    await row(page, 'ttfb').click();
    await row(page, 'upstream.attempt', 1).locator('.wf-twisty').click();
    await page.locator('.kt-tool[aria-label^="Zoom in"]').click();
    await page.locator('.kt-chip', { hasText: 'Downstream' }).click();
    const before = {
      rows: await rows(page),
      zoom: await page.locator('.kt-zoom-text').innerText(),
      ticks: await tickLabels(page),
    };
    assert.ok(!before.rows.some((x) => x.name === 'upstream.connect'));
    await page.waitForTimeout(400); // saving is coalesced
    await p.reload();
    await settle(page);
    assert.equal(await detailsTitle(page), 'ttfb');
    assert.deepEqual(await rows(page), before.rows);
    assert.equal(await page.locator('.kt-zoom-text').innerText(), before.zoom);
    assert.deepEqual(await tickLabels(page), before.ticks);
    // A new trace (another trace id) starts fresh.
    await p.post({ type: 'trace', trace: probeTrace(1.5, 'a'.repeat(32)), probe: PROBE });
    await settle(page);
    assert.equal(await page.locator('.kt-zoom-text').innerText(), '');
    assert.equal(await page.locator('.kt-side .kt-overview').count(), 1);
    await clean(p);
  });

  test('progress is shown and hidden; empty resets with a reason; bad messages are ignored', async () => {
    const p = await withTrace();
    const { page } = p;
    await p.post({ type: 'progress', message: 'Downloading nginx 1.22.1 source', fraction: 0.4 });
    assert.equal(await page.locator('.kt-progress').isVisible(), true);
    assert.equal(await page.locator('.kt-progress-text').innerText(), 'Downloading nginx 1.22.1 source (40%)');
    await p.post({ type: 'progress', message: 'Downloading nginx 1.22.1 source', done: true });
    assert.equal(await page.locator('.kt-progress').isVisible(), false);
    const before = await rows(page);
    await p.post({ type: 'trace', trace: { ...probeTrace(), spans: [{ spanId: 'x' }] } });
    await p.post({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE, extra: 1 });
    await settle(page);
    assert.deepEqual(await rows(page), before);
    await p.post({ type: 'empty', message: 'The probe failed: connection refused by 127.0.0.1:8080.' });
    assert.match(await page.locator('.kt-tab-trace .kt-empty').innerText(), /No trace yet[\s\S]*connection refused/);
    assert.equal(await page.locator('.kt-trace').isVisible(), false);
    assert.equal(await page.locator('.kt-top vscode-button', { hasText: 'Export OTLP' }).getAttribute('disabled'), '');
    await page.context().close();
  });
});
