// A burst of up to 1,000 requests reads nothing while its requests go out (core/burst/collect.ts, `deferring`): the
// log streams keep their bytes and the trace backend is not asked until the last answer is in. Observed on the
// requests this process really sends to the sandbox's API server (the trace backend is reached through its service
// proxy), against the times the report gives for each request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import { loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester, type KubeRequest } from '../../src/core/kube/request';
import { runBurst } from '../../src/core/burst/run';
import { ROOT } from './helpers';

const dir = join(ROOT, '.cache', 'test-burst-defer');
let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({ podSubnet: '127.10.194', kubeconfigPath: join(dir, 'sandbox.kubeconfig') });
});
after(async () => {
  await sb?.stop();
});

/** A requester that notes when each trace backend query left (Unix ms), then sends it as usual. */
class Noting extends KubeRequester {
  readonly queries: { at: number; path: string }[] = [];
  override stream(req: KubeRequest, retried = false) {
    if (/\/services\/[^/]+\/proxy\/api\/(v3\/)?traces/.test(req.path))
      this.queries.push({ at: Date.now(), path: req.path });
    return super.stream(req, retried);
  }
}

async function burst(count: number) {
  const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
  const api = new Noting(config);
  const run = await runBurst({ config, api, namespace: 'shop', name: 'orders', count, concurrency: 8 });
  const report = run.report();
  // The first request out and the last answer, from the requests' own client windows.
  const first = Math.min(...report.probes.map((p) => Number(BigInt(p.startUnixNano) / 1_000_000n)));
  const last = Math.max(...report.probes.map((p) => Number(BigInt(p.startUnixNano) / 1_000_000n) + p.durationMs));
  return { run, report, queries: api.queries, first, last };
}

test('a held burst asks the trace backend nothing while sending, and every trace is still complete', async () => {
  const { run, report, queries, first, last } = await burst(300);
  assert.equal(report.requests, 300);
  assert.equal(report.completed, 300, JSON.stringify(report.diagnostics));
  assert.ok(last - first > 300, `the burst lasted ${last - first} ms, long enough for a poll to have read`);
  // Without deferring, the backend was asked within 300 ms of the first answer and every second after.
  const during = queries.filter((q) => q.at > first && q.at < last - 20);
  assert.deepEqual(
    during.map((q) => q.at - first),
    [],
    'no trace backend query between the first request and the last answer',
  );
  assert.ok(
    queries.some((q) => q.at >= last - 20 && /api\/v3\/traces/.test(q.path)),
    'asked after the last answer',
  );
  // The breakdown has every layer: the controller's log lines, kept as bytes while sending, were read after.
  assert.deepEqual(report.layers.map((l) => l.layer).sort(), ['app', 'client', 'downstream', 'ingress']);
  assert.equal(run.completedWithin(5000), 300);
});
