// axe-core in code-server's own trace panel, not only in the Chromium harness with captured theme colours
// (test/integration/webview-a11y.test.ts): a probe of orders, then in each built-in theme (Dark Modern, Light
// Modern, Dark High Contrast, Light High Contrast) the overview, a selected app span with its source cards and the
// nginx span with its execution steps must have no contrast or name violations. Screenshots of the two
// high-contrast themes go to test-results/screenshots/13-axe-<theme>.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PANEL_RULES, axeViolations } from '../../webview/axe';
import { probeOrders, selectSpan, type FlowCtx } from './flows';
import { COLOR_THEMES, SCREENSHOTS, openKubetraceView, panel, panelFrame, setTheme } from './workbench';

export async function flowAxe(ctx: FlowCtx): Promise<void> {
  const { page } = ctx;
  await openKubetraceView(page);
  await probeOrders(ctx, 'inline');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const found: string[] = [];
  for (const [name, theme] of Object.entries(COLOR_THEMES)) {
    await setTheme(page, theme);
    await panel(page).locator(`body.${theme.body}`).waitFor({ timeout: 10_000 });
    const check = async (view: string) =>
      found.push(...(await axeViolations(await panelFrame(page), PANEL_RULES)).map((v) => `${name}, ${view}: ${v}`));
    await check('overview');
    await selectSpan(page, 'orders.list');
    await check('app span');
    if (name.startsWith('hc-')) await page.screenshot({ path: join(SCREENSHOTS, `13-axe-${name}.png`) });
    await selectSpan(page, 'nginx');
    await check('nginx span');
  }
  await setTheme(page, 'dark');
  ctx.log(`axe in code-server's panel: ${found.length} violations in ${Object.keys(COLOR_THEMES).length} themes`);
  assert.deepEqual(found, []);
}
