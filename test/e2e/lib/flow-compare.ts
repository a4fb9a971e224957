// "Compare With Route..." on the orders Ingress: its HTTPRoute twin is pre-selected, 2 probes each, and the panel shows
// the compare view (verdict, differences, both waterfalls), as a user migrating to the Gateway API would use it.
import assert from 'node:assert/strict';
import type { FlowCtx } from './flows';
import { contextMenuItem, openKubetraceView, panel, screenshotBoth, treeRow, waitFor } from './workbench';

export async function flowCompare(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await openKubetraceView(page);
  await contextMenuItem(page, treeRow(page, 'orders').first(), 'Compare With Route...');
  const widget = page.locator('.quick-input-widget');
  await widget
    .locator('.quick-input-title', { hasText: 'Compare Ingress shop/orders with' })
    .waitFor({ timeout: 20_000 });
  // The twin is pre-selected: Enter takes it.
  // The active row is the one the input names as its active descendant (what a screen reader announces).
  const input = widget.locator('.quick-input-box input');
  const activeText = async () => {
    const id = await input.getAttribute('aria-activedescendant');
    return id
      ? page
          .locator(`[id="${id}"]`)
          .innerText({ timeout: 1000 })
          .catch(() => '')
      : '';
  };
  await waitFor('orders-route to be pre-selected', async () => /shop\/orders-route/.test(await activeText())).catch(
    async (e) => {
      throw new Error(`${(e as Error).message}; active: "${await activeText()}"`);
    },
  );
  await input.press('Enter');
  await widget.locator('.quick-input-title', { hasText: 'with shop/orders-route' }).waitFor({ timeout: 20_000 });
  const count = widget.locator('.quick-input-box input');
  await count.fill('2');
  await count.press('Enter');

  const p = panel(page);
  const verdict = p.locator('.kt-rcmp-verdict');
  await verdict.waitFor({ timeout: 90_000 });
  // The sandbox's two nginx configurations really differ in TLS (1.3 against 1.2, and the certificate).
  assert.match(await verdict.innerText(), /The routes differ: \d+ differences?/);
  const diffs = await p.locator('.kt-rcmp-diffs tbody tr').allInnerTexts();
  assert.ok(
    diffs.some((r) => /TLS certificate subject/.test(r) && /\*\.kubetrace\.test/.test(r)),
    diffs.join(' | '),
  );
  assert.ok(
    !diffs.some((r) => /^\S*\s*error\b/.test(r) && /\bstatus\b/.test(r)),
    `status differs: ${diffs.join(' | ')}`,
  );
  assert.match(await p.locator('.kt-rcmp-nco').innerText(), /shop\.kubetrace\.test/);
  assert.equal(await p.locator('.kt-rcmp-wf').count(), 2, 'two waterfalls, A above B');
  await screenshotBoth(page, '10-compare');
}
