// Issue 15 §5: the tree notices that the cluster went away. With orders expanded to its pods, the sandbox is
// stopped: the tree must show "Cannot reach the API server" by itself (it used to keep "2/2 ready" and green pods
// until a manual Refresh). A restarted sandbox writes its kubeconfig anew (new port and CA), and the tree comes
// back without anyone pressing Refresh. Waits are hang guards, not speed assertions.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { FlowCtx } from './flows';
import { expandRow, openKubetraceView, screenshotBoth, treeLabels, treeRow, waitFor } from './workbench';

export interface SandboxControl {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Expands orders down to its Service and returns the rows once both pods show. */
async function ordersPods(page: Page): Promise<Awaited<ReturnType<typeof treeLabels>>> {
  await expandRow(treeRow(page, 'orders'));
  await expandRow(treeRow(page, 'shop.kubetrace.test'));
  await expandRow(treeRow(page, '/orders'));
  await expandRow(treeRow(page, 'orders:80'));
  return waitFor(
    'the orders pods to show under orders:80',
    async () => {
      const r = await treeLabels(page);
      return r.filter((x) => x.level === 5).length >= 2 ? r : undefined;
    },
    30_000,
  ).catch(async (e) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(await treeLabels(page))}`);
  });
}

export async function flowUnreachable(ctx: FlowCtx, sandbox: SandboxControl): Promise<void> {
  const { page } = ctx;
  await openKubetraceView(page);
  const before = await ordersPods(page);
  assert.equal(before.find((r) => r.label === 'orders:80')?.description, '2/2 ready');
  const podsBefore = before.filter((r) => r.level === 5).map((r) => r.label);

  const t0 = Date.now();
  await sandbox.stop();
  ctx.log(`sandbox stopped in ${Date.now() - t0} ms`);
  const errRow = treeRow(page, /^Cannot reach the API server$/).first();
  // The issue saw the stale tree for over 40 s; the watches report within seconds. 20 s is a hang guard.
  await errRow.waitFor({ timeout: 20_000 }).catch(async (e) => {
    throw new Error(`${(e as Error).message}: ${JSON.stringify(await treeLabels(page))}`);
  });
  ctx.log(`"Cannot reach the API server" shown ${Date.now() - t0} ms after the stop began`);
  const rows = await treeLabels(page);
  const err = rows.find((r) => r.label === 'Cannot reach the API server')!;
  assert.match(err.icon, /codicon-error/);
  assert.match(err.description, /^retrying by itself/, 'the hint says nothing needs pressing');
  const children = rows.filter((r) => r.level === 2).map((r) => r.label);
  assert.match(children[0], /^cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
  assert.ok(!rows.some((r) => r.label === 'orders' || r.label === 'orders:80'), 'no stale routes are shown');
  assert.ok(!rows.some((r) => /codicon-pass-filled/.test(r.icon)), 'no pod is shown ready');
  await screenshotBoth(page, '12-unreachable', async () => {
    await page.mouse.move(700, 500);
  });

  // The sandbox comes back on another port with another CA; only its kubeconfig file says so.
  const t1 = Date.now();
  await sandbox.start();
  ctx.log(`sandbox restarted in ${Date.now() - t1} ms`);
  await treeRow(page, 'orders').first().waitFor({ timeout: 30_000 });
  assert.equal(await treeRow(page, /^Cannot reach the API server$/).count(), 0);
  const after = await ordersPods(page);
  assert.equal(after.find((r) => r.label === 'orders:80')?.description, '2/2 ready');
  const podsAfter = after.filter((r) => r.level === 5).map((r) => r.label);
  for (const pod of after.filter((r) => r.level === 5))
    assert.match(pod.icon, /codicon-pass-filled/, `${pod.label} has the ready icon`);
  ctx.log(`orders pods before: ${podsBefore.join(', ')}; after: ${podsAfter.join(', ')}`);
}
