// Issue 7 §2: with Kubernetes Tools installed, its Cluster Explorer Ingress nodes get Send Probe (Kubetrace).
// The extension there is the stand-in of test/e2e/kubernetes-tools-standin (the real one cannot be installed on
// these machines); it keeps the real view id, contextValue, tree elements and API broker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { LAYERS, probeOrders, type FlowCtx } from './flows';
import { exact, findLogs, openActivityView, layersShown, panel, screenshotBoth, treeRow } from './workbench';

/**
 * The labels of the context menu a right-click on `label` opens (the menu is closed again). VS Code opens no menu
 * for a row that has no items, so `none` says how long to wait before taking that as an empty menu.
 */
async function contextMenuLabels(page: Page, label: string, none?: number): Promise<string[]> {
  await treeRow(page, label).first().click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const opened = await menu.waitFor({ timeout: none ?? 10_000 }).then(
    () => true,
    (e) => {
      if (none === undefined) throw e;
      return false;
    },
  );
  if (!opened) return [];
  const labels = (await menu.locator('[role="menuitem"] .action-label').allTextContents())
    .map((l) => l.trim())
    .filter(Boolean);
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'hidden', timeout: 5000 });
  return labels;
}

export async function flowKubernetesTools(ctx: FlowCtx): Promise<{ attempts: number }> {
  const { page } = ctx;
  await openActivityView(page, 'Kubernetes');
  for (const name of ['orders', 'shop-api', 'fallback', 'catalog'])
    await treeRow(page, name).first().waitFor({ timeout: 30_000 });
  for (const folder of ['Network', 'Ingress']) {
    assert.ok(
      !(await contextMenuLabels(page, folder, 3000)).includes('Send Probe (Kubetrace)'),
      `the ${folder} folder has no Send Probe`,
    );
  }
  assert.ok(
    (await contextMenuLabels(page, 'orders')).includes('Send Probe (Kubetrace)'),
    'an Ingress node has Send Probe (Kubetrace)',
  );

  const { attempts } = await probeOrders(ctx, 'kubernetes-tools');
  // Kubetrace found the sandbox through Kubernetes Tools' setting (the e2e sets no kubetrace.kubeconfig then).
  const said = findLogs(ctx.env.userDataDir, /^Kubetrace\.log$/)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  assert.ok(
    said.includes(`kubeconfig ${ctx.env.kubeconfig} (from vs-kubernetes.kubeconfig)`),
    `Kubetrace read vs-kubernetes.kubeconfig:\n${said}`,
  );
  const p = panel(page);
  assert.deepEqual(await layersShown(p), LAYERS);
  const top = await p.locator('.kt-top').innerText();
  assert.match(
    top,
    /GET\s+https:\/\/shop\.kubetrace\.test(:\d+)?\/orders/,
    'the probe went to the orders Ingress rule',
  );
  assert.match(top, /200/);

  // For the screenshots: the Kubernetes view with our menu item open on the orders node, the trace beside it.
  await page.mouse.move(700, 790);
  await screenshotBoth(page, '7-kubernetes-tools', async () => {
    await treeRow(page, 'orders').first().click({ button: 'right' });
    const item = page
      .locator('.context-view .monaco-menu [role="menuitem"]')
      .filter({ has: page.locator('.action-label', { hasText: exact('Send Probe (Kubetrace)') }) });
    await item.first().hover();
    await page.waitForTimeout(300);
  });
  await page.keyboard.press('Escape');
  return { attempts };
}
