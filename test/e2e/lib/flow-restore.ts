// Issue 7 §3 "Restore": the panel keeps its trace and selection when its tab is hidden and shown again
// (getState/setState), and comes back after a window reload (the panel serializer), as a user sees it.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { selectSpan, showPanel, traceIdShown, type FlowCtx } from './flows';
import { exact, panel, runCommand, screenshotBoth, waitFor } from './workbench';

const selectedTitle = (page: Page) =>
  panel(page)
    .locator('.kt-side .kt-details-title')
    .first()
    .textContent({ timeout: 2000 })
    .catch(() => '');

async function panelShows(page: Page, traceId: string, span: string, what: string): Promise<void> {
  await waitFor(
    `the panel to show trace ${traceId} with ${span} selected ${what}`,
    async () => (await traceIdShown(panel(page))) === traceId && (await selectedTitle(page)) === span,
    60_000,
    300,
  ).catch(async (e) => {
    throw new Error(
      `${(e as Error).message}; it shows trace "${await traceIdShown(panel(page))}", selected "${await selectedTitle(page)}"`,
    );
  });
}

export async function flowRestore(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await showPanel(page);
  const traceId = await traceIdShown(panel(page));
  assert.match(traceId, /^[0-9a-f]{32}$/, 'a probe trace is shown');
  await selectSpan(page, 'orders.list', 'orders');

  // Hide: another editor takes the panel's place in its group; show: click the Kubetrace tab again.
  const tab = page
    .locator('.editor-group-container .tab', { has: page.locator('.label-name', { hasText: exact('Kubetrace') }) })
    .first();
  await tab.click();
  // The webview may take focus just after its tab is shown, which closes the quick open (it closes on blur):
  // open it again until README.md can be picked.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const readme = page.locator('.quick-input-widget .quick-input-list [role="option"]', { hasText: 'README.md' });
  await waitFor(
    'README.md in Go to File',
    async () => {
      await runCommand(page, 'Go to File...');
      const ok = await input
        .fill('README.md', { timeout: 2000 })
        .then(() => readme.first().waitFor({ timeout: 5000 }))
        .then(() => input.press('Enter', { timeout: 2000 }))
        .then(
          () => true,
          () => false,
        );
      return ok;
    },
    60_000,
    500,
  );
  await waitFor(
    'README.md to be the active editor',
    async () =>
      (await page.locator('.editor-group-container.active .tab.active .label-name').first().textContent()) ===
      'README.md',
  );
  await tab.click();
  await panelShows(page, traceId, 'orders.list', 'after hide and show');

  // A window reload: VS Code revives the panel through the serializer with the webview's saved state.
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await panelShows(page, traceId, 'orders.list', 'after a window reload');
  await screenshotBoth(page, '8-restore');

  // Its buttons still work: Re-run sends the probe it shows again (the host rebuilt it from the panel's state).
  const p = panel(page);
  await p.locator('vscode-button[aria-label="Re-run"]').first().click();
  const next = await waitFor(
    'Re-run after the reload to show a new trace',
    async () => {
      const id = await traceIdShown(p);
      return id && id !== traceId ? id : undefined;
    },
    40_000,
    250,
  ).catch(async (e) => {
    const said = await page
      .locator('.notification-toast .notification-list-item-message')
      .allInnerTexts()
      .catch(() => []);
    throw new Error(`${(e as Error).message}; VS Code shows: ${said.join(' | ')}`);
  });
  assert.match(await p.locator('.kt-top').innerText(), /GET\s+https:\/\/shop\.kubetrace\.test(:\d+)?\/orders/);
  ctx.log(`re-run after reload: trace ${next}`);
}
