// Reading and driving the panel from tests, through what a user sees (row text, buttons).
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { PROBE, probeTrace } from './fixtures';
import { launchChromium, openPanel, settle, startHarness, type Harness, type Panel } from './harness';

export interface RowInfo {
  name: string;
  service: string;
  layerRow: boolean;
  selected: boolean;
  error: boolean;
  critical: boolean;
  context: boolean;
}

export function rows(page: Page): Promise<RowInfo[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.wf-row:not([hidden])')]
      .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
      .map((r) => ({
        name: r.querySelector('.wf-name')!.textContent ?? '',
        service: r.querySelector('.wf-service')!.textContent ?? '',
        layerRow: r.classList.contains('wf-row--layer'),
        selected: r.classList.contains('is-selected'),
        error: r.classList.contains('is-error'),
        critical: r.classList.contains('is-critical'),
        context: r.classList.contains('is-context'),
      })),
  );
}

/** The nth row (0-based) whose span name is exactly `name`. */
export function row(page: Page, name: string, nth = 0) {
  return page
    .locator('.wf-row:not([hidden])', {
      has: page.locator('.wf-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
    })
    .nth(nth);
}

export async function detailsTitle(page: Page): Promise<string> {
  return (await page.locator('.kt-side .kt-details-title').textContent()) ?? '';
}

/** What test/webview/page/stub.js records of the panel's posts. */
type Posted = { __posted: { type: string; [k: string]: unknown }[] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers read any field of the posted message
export async function lastPosted(page: Page, type: string): Promise<any> {
  return page.evaluate((t) => [...(window as unknown as Posted).__posted].reverse().find((m) => m.type === t), type);
}

export async function clearPosted(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as Posted).__posted.length = 0;
  });
}

/** Tick labels on the time axis, left to right. */
export function tickLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('.wf-tick-label')].map((t) => t.textContent ?? ''));
}

/** Bars that are drawn (inside the zoom range), by span name. */
export function drawnBars(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.wf-row:not([hidden]):not(.wf-row--layer)')]
      .filter((r) => !(r.querySelector('.wf-bar') as HTMLElement).hidden)
      .map((r) => r.querySelector('.wf-name')!.textContent ?? ''),
  );
}

/** One harness and one Chromium per test file, a panel with the probe trace, and the no-errors check. */
export function panelSuite(): { open(): Promise<Panel>; withTrace(): Promise<Panel>; clean(p: Panel): Promise<void> } {
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
  const open = () => openPanel(browser, harness);
  return {
    open,
    async withTrace() {
      const p = await open();
      await p.post({ type: 'trace', trace: probeTrace(), probe: PROBE });
      await settle(p.page);
      return p;
    },
    async clean(p) {
      assert.deepEqual(p.errors, []);
      assert.deepEqual(await p.violations(), []);
      await p.page.context().close();
    },
  };
}
