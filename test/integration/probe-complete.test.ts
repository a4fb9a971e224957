// The closed-tree rule (src/core/trace/closed.ts) ends waiting early; it must never end it before the last span.
// 200 probes through the sandbox's orders, one after another: each trace, when called complete, already holds every
// span the trace store holds for it once the exporters have long flushed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import { loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester } from '../../src/core/kube/request';
import { readRouteTree } from '../../src/core/kube/route-tree';
import { runProbe } from '../../src/core/probe/run';
import { backendFeeds } from '../../src/core/probe/backend';
import { ROOT } from './helpers';

let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({
    podSubnet: '127.10.81',
    kubeconfigPath: join(ROOT, '.cache', 'test-probe-complete', 'sandbox.kubeconfig'),
  });
});
after(async () => {
  await sb?.stop();
});

test('200 of 200 probes through orders are complete with every span the trace store gets', async () => {
  const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
  const api = new KubeRequester(config);
  const got: { traceId: string; spanIds: Set<string>; readyMs: number }[] = [];
  for (let i = 0; i < 200; i++) {
    const o = await runProbe({ config, api, namespace: 'shop', name: 'orders', kind: 'Ingress' });
    assert.ok(o.timings.complete, `probe ${i} was not complete: ${o.trace.diagnostics.map((d) => d.message)}`);
    const traced = o.trace.spans.filter((s) => s.origin !== 'probe' && s.origin !== 'nginx-log');
    got.push({ traceId: o.trace.traceId, spanIds: new Set(traced.map((s) => s.spanId)), readyMs: o.timings.readyMs });
  }
  // The exporters flush every 100 ms; a second later the store holds each trace whole.
  await new Promise((r) => setTimeout(r, 1000));
  const { snapshot } = await readRouteTree(api, { fallbackNamespace: 'default' });
  let missing = 0;
  for (const g of got) {
    const feed = backendFeeds({ api, snapshot, traceId: g.traceId, namespace: 'shop' }).feeds[0];
    assert.ok(feed, 'the sandbox trace store is discovered');
    const stored = await feed.poll(new AbortController().signal);
    assert.ok(stored.spans.length >= 4, `the store has ${stored.spans.length} spans of ${g.traceId}`);
    const lost = stored.spans.filter((s) => !g.spanIds.has(s.spanId));
    if (lost.length) missing++;
    assert.deepEqual(
      lost.map((s) => `${s.service} ${s.name}`),
      [],
      `trace ${g.traceId} was called complete without these spans`,
    );
  }
  assert.equal(missing, 0);
  const ready = got.map((g) => g.readyMs).sort((a, b) => a - b);
  process.stdout.write(`# trace ready: median ${ready[100].toFixed(0)} ms, max ${ready[199].toFixed(0)} ms\n`);
});
