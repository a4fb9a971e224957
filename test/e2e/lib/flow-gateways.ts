// Flow 1, continued: the Gateways part of the tree on the sandbox (src/sandbox/manifests/25-gateway.yaml).
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { contextMenuItem, expandRow, panel, screenshotBoth, treeLabels, treeRow, waitFor } from './workbench';
import { LAYERS, traceIdShown, waitForNewTrace } from './flows';

/** The Gateways part: shop-gateway, its listeners, orders-route under `http`, and the refused orders-grpc. */
export async function flowGateways(page: Page): Promise<void> {
  // The tree renders only the rows in view: fold the Ingress open above so the Gateways part is among them.
  await setExpanded(treeRow(page, 'orders').first(), false);
  await treeRow(page, 'Gateways').first().waitFor({ timeout: 20_000 });
  await expandRow(treeRow(page, 'shop-gateway'));
  await expandRow(treeRow(page, 'http'));
  const rows = await waitFor(
    'the routes to show under the http listener',
    async () => {
      const r = await treeLabels(page);
      return r.some((x) => x.level === 4 && x.label === 'orders-route') ? r : undefined;
    },
    20_000,
  ).catch(async (e) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(await treeLabels(page))}`);
  });
  const under = (label: string, level: number) => {
    const from = rows.findIndex((r) => r.label === label && r.level === level);
    assert.ok(from >= 0, `a ${label} row at level ${level}: ${JSON.stringify(rows)}`);
    const end = rows.findIndex((r, i) => i > from && r.level <= level);
    return rows.slice(from + 1, end < 0 ? undefined : end).filter((r) => r.level === level + 1);
  };
  assert.deepEqual(
    rows.filter((r) => r.level === 1 && r.label === 'Gateways').length,
    1,
    'one Gateways part, at the top level',
  );
  const gw = under('Gateways', 1).find((r) => r.label === 'shop-gateway')!;
  assert.match(
    gw.description,
    /^nginx-gateway · nginx · gateway\.nginx\.org\/nginx-gateway-controller · \d+(\.\d+){3}$/,
  );
  const kids = under('shop-gateway', 2);
  assert.deepEqual(
    kids.filter((r) => r.label.startsWith('http')).map((r) => [r.label, r.description]),
    [
      ['http', '*.kubetrace.test · 8080/HTTP'],
      ['https', '*.kubetrace.test · 8443/HTTPS'],
    ],
  );
  const route = under('http', 3).find((r) => r.label === 'orders-route');
  assert.ok(route, `orders-route under the http listener: ${JSON.stringify(under('http', 3))}`);
  assert.match(route.icon, /codicon-git-merge/);
  assert.match(route.description, /^shop\b/);
  // orders-grpc names a listener the Gateway lacks: under the Gateway itself, with the reason and a warning icon.
  const grpc = kids.find((r) => r.label === 'orders-grpc');
  assert.ok(grpc, `orders-grpc under shop-gateway: ${JSON.stringify(kids)}`);
  assert.match(grpc.description, /not accepted: NoMatchingParent$/);
  assert.match(grpc.icon, /codicon-warning/);
  await probeRoute(page, rows);
  // Leave the tree as the next flows expect it.
  await setExpanded(treeRow(page, 'shop-gateway').first(), false);
  await setExpanded(treeRow(page, 'orders').first(), true);
}

async function setExpanded(row: Locator, open: boolean): Promise<void> {
  if (open) return expandRow(row);
  if ((await row.getAttribute('aria-expanded')) === 'true') await row.click();
  await waitFor('the tree row to fold', async () => (await row.getAttribute('aria-expanded')) === 'false', 15_000);
}

/** Send Probe on the route under its listener: through the Gateway's nginx to orders and inventory, four layers. */
async function probeRoute(page: Page, rows: { label: string }[]): Promise<void> {
  let previous = await traceIdShown(panel(page));
  const seen: string[] = [];
  // The apps' exporters may be a beat late for the first probe: as for the Ingress flows, a few tries.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await contextMenuItem(page, treeRow(page, 'orders-route').first(), 'Send Probe');
    const got = await waitForNewTrace(page, previous);
    seen.push(`${got.traceId}: ${got.layers.join(', ')} (${got.diagnostics.replace(/\s+/g, ' ').slice(0, 300)})`);
    if (LAYERS.every((l) => got.layers.includes(l))) {
      const top = await panel(page).locator('.kt-top').innerText();
      assert.match(top, /GET\s+http:\/\/gw\.kubetrace\.test(:\d+)?\/orders/);
      await screenshotBoth(page, '1-gateway-probe');
      return;
    }
    previous = got.traceId;
  }
  assert.fail(`Send Probe on orders-route never showed four layers: ${seen.join(' | ')}; tree ${rows.length} rows`);
}
