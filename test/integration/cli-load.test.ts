// `kubetrace load` against the sandbox: real nginx, real Node apps exporting real OTLP to the trace store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSandbox } from '../../src/sandbox/sandbox';
import type { BurstLive, BurstReport } from '../../src/core/burst/model';
import { ROOT, cli } from './helpers';
import { loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester } from '../../src/core/kube/request';
import { runBurst } from '../../src/core/burst/run';

const dir = join(ROOT, '.cache', 'test-cli-load');
let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({ podSubnet: '127.10.171', kubeconfigPath: join(dir, 'sandbox.kubeconfig') });
});
after(async () => {
  await sb?.stop();
});

const load = async (...args: string[]) => {
  const r = await cli(['load', ...args, '--kubeconfig', sb.kubeconfigPath, '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `load ${args.join(' ')} failed: ${r.stderr}`);
  // Many requests in flight share one abort signal by design: Node must not warn of a listener leak.
  assert.doesNotMatch(r.stderr, /MaxListenersExceeded/);
  return JSON.parse(r.stdout) as BurstReport;
};

test('a burst of 200 through orders gives 200 complete traces, each its own trace id', async () => {
  const r = await load('shop/orders', '-n', '200', '-c', '16');
  assert.equal(r.requests, 200);
  assert.equal(r.completed, 200, JSON.stringify(r.diagnostics));
  assert.equal(r.errors, 0);
  assert.equal(new Set(r.probes.map((p) => p.traceId)).size, 200);
  assert.ok(r.probes.every((p) => p.status === 200 && p.complete && p.pod?.startsWith('orders-')));
  // The breakdown: one row per layer the traces have, percentiles over all 200 requests.
  assert.deepEqual(r.layers.map((l) => l.layer).sort(), ['app', 'client', 'downstream', 'ingress']);
  assert.ok(r.pods.length === 2 && r.pods.every((p) => p.pod.startsWith('orders-')));
  // A pool of 16 reused connections: at most 16 requests opened one.
  assert.ok(r.probes.filter((p) => p.newConnection).length <= 16);
});

test('a burst against /orders/fail reports every request as an error, each traced to the app', async () => {
  const r = await load('shop/orders', '--path', '/orders/fail', '-n', '30');
  assert.equal(r.requests, 30);
  assert.equal(r.errors, 30);
  assert.ok(r.probes.every((p) => p.status === 500 && p.complete));
  // The app failed them, not nginx: one failure row, in the app layer.
  assert.deepEqual(
    r.failures.map((f) => [f.status, f.layer, f.count]),
    [[500, 'app', 30]],
  );
});

test('per-layer percentiles of the report equal those computed from the 200 traces themselves', async () => {
  const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
  const live: BurstLive[] = [];
  const burst = await runBurst({
    config,
    api: new KubeRequester(config),
    namespace: 'shop',
    name: 'orders',
    count: 200,
    concurrency: 8,
    keepTraces: true,
    onLive: (l) => live.push(l),
  });
  const report = burst.report();
  assert.equal(report.completed, 200);
  // The live counts only grow, and end with every request answered and traced.
  for (let i = 1; i < live.length; i++)
    assert.ok(live[i].traced >= live[i - 1].traced && live[i].sent >= live[i - 1].sent);
  assert.deepEqual(
    { sent: live.at(-1)?.sent, answered: live.at(-1)?.answered, traced: live.at(-1)?.traced },
    { sent: 200, answered: 200, traced: 200 },
  );
  const perLayer = new Map<string, number[]>();
  for (const p of report.probes) {
    const t = (await burst.trace(p.traceId))!;
    const own = new Map<string, number>();
    const root = t.spans[t.criticalPath[0].index];
    let covered = 0;
    for (const c of t.criticalPath) {
      const d = Number(BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano)) / 1e6;
      covered += d;
      own.set(t.spans[c.index].layer, (own.get(t.spans[c.index].layer) ?? 0) + d);
    }
    const total = Number(BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano)) / 1e6;
    own.set(root.layer, (own.get(root.layer) ?? 0) + total - covered);
    for (const l of report.layers) perLayer.set(l.layer, [...(perLayer.get(l.layer) ?? []), own.get(l.layer) ?? 0]);
  }
  for (const l of report.layers) {
    const xs = perLayer.get(l.layer)!.sort((a, b) => a - b);
    const rank = (q: number) => xs[Math.ceil((q / 100) * xs.length) - 1];
    for (const [q, v] of [
      [50, l.p50],
      [90, l.p90],
      [99, l.p99],
    ] as const)
      assert.ok(Math.abs(rank(q) - v) < 0.01, `${l.layer} p${q}: ${v} vs ${rank(q)}`);
  }
});

/** A burst through the catalog (a Python app that exports no spans, only log lines) in this process. */
async function catalogBurst(name: string, o: { count?: number; concurrency?: number; ratePerSecond?: number } = {}) {
  const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
  return runBurst({
    config,
    api: new KubeRequester(config),
    namespace: 'catalog',
    name,
    count: 60,
    concurrency: 6,
    keepTraces: true,
    ...o,
  });
}

const CATALOG = { service: { name: 'catalog', port: { number: 80 } } };

/** What an incomplete trace had and lacked, so that a failure says which layer and which request. */
async function incompleteStory(burst: Awaited<ReturnType<typeof catalogBurst>>): Promise<string> {
  const out: unknown[] = [];
  for (const id of burst.incomplete) {
    const t = await burst.trace(id);
    const r = burst.requests.find((q) => q.traceId === id);
    // Where the request's lines are in the sandbox's pod logs: absent there, the pod never wrote them.
    const logged = sb.store
      .list('Pod')
      .flatMap((p) => sb.logs.read({ namespace: p.metadata.namespace!, pod: p.metadata.name }))
      .filter((e) => e.line.includes(id))
      .map((e) => `${e.timeUnixNano} ${e.line}`);
    out.push({ request: r, diagnostics: t?.diagnostics, spans: t?.spans.map((s) => `${s.layer} ${s.name}`), logged });
  }
  return JSON.stringify({ diagnostics: burst.diagnostics, incomplete: out });
}

/** That burst, checked complete: all 60 traces, with the client, ingress and app layers. */
async function completeCatalogBurst(name: string) {
  const burst = await catalogBurst(name);
  const report = burst.report();
  assert.equal(report.requests, 60);
  assert.equal(report.completed, 60, await incompleteStory(burst));
  assert.deepEqual(report.layers.map((l) => l.layer).sort(), ['app', 'client', 'ingress']);
  return { burst, report };
}

test('a burst through catalog reads the app log: every trace complete with the span its log line gives', async () => {
  const { burst, report } = await completeCatalogBurst('catalog');
  for (const p of report.probes) {
    const t = (await burst.trace(p.traceId))!;
    const app = t.spans.filter((s) => s.layer === 'app');
    // One span from the request's own log line, under nginx's upstream try as in a single probe.
    assert.equal(app.length, 1, p.traceId);
    assert.equal(app[0].origin, 'app-log');
    assert.equal(app[0].service, 'catalog');
    const attempt = t.spans.find((s) => s.name === 'upstream.attempt')!;
    assert.equal(app[0].parentSpanId, attempt.spanId);
  }
});

test('a paced burst through haproxy, whose log held only notices before it, still reads its access lines', async () => {
  // haproxy's access log is off by default for its controller, so a burst decides from its own first lines whether
  // it is on. The pod has logged no access line yet (this is the sandbox's first request through haproxy), and a
  // reload now puts haproxy's notices where the held log stream starts: the first lines it reads are not access
  // lines, and the requests take over a second to go out. Without a trace backend (its Service is taken away for
  // the test) nothing else is awaited before that first read, so it has only what the stream held.
  const h = sb.runtime.haproxy!;
  const store = sb.store.list('Service', 'observability').find((x) => x.metadata.name === 'trace-store')!;
  const pod = sb.store.list('Pod').find((p) => p.metadata.name.startsWith('haproxy'))!;
  const logged = () => sb.logs.read({ namespace: pod.metadata.namespace!, pod: pod.metadata.name });
  assert.ok(!logged().some((e) => / "GET \//.test(e.line)), 'no request through haproxy before this test');
  const reloads = h.reloads;
  sb.store.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'catalog-haproxy-paced', namespace: 'catalog' },
    spec: {
      ingressClassName: 'haproxy',
      rules: [{ host: 'paced.kubetrace.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: CATALOG }] } }],
    },
  });
  sb.store.delete('Service', 'observability', 'trace-store');
  try {
    assert.equal(await h.sync(), true);
    assert.equal(h.reloads, reloads + 1);
    const burst = await catalogBurst('catalog-haproxy', { count: 24, concurrency: 2, ratePerSecond: 16 });
    const report = burst.report();
    assert.equal(report.completed, 24, await incompleteStory(burst));
    assert.ok(!report.diagnostics.some((d) => d.code === 'no-ingress-spans'), JSON.stringify(report.diagnostics));
    assert.deepEqual(report.layers.map((l) => l.layer).sort(), ['app', 'client', 'ingress']);
  } finally {
    sb.store.put(store);
    sb.store.delete('Ingress', 'catalog', 'catalog-haproxy-paced');
    await h.sync();
  }
});

test("a burst through catalog-haproxy reads HAProxy's httplog: ingress spans from each request's own line", async () => {
  const { burst, report } = await completeCatalogBurst('catalog-haproxy');
  for (const p of report.probes) {
    const t = (await burst.trace(p.traceId))!;
    const server = t.spans.find((s) => s.layer === 'ingress' && s.kind === 'server')!;
    assert.equal(server.attributes['kubetrace.log.format'], 'haproxy-httplog');
    assert.equal(server.attributes['kubetrace.log.matchedBy'], 'request-id');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.ok(t.spans.some((s) => s.layer === 'app' && s.origin === 'app-log'));
  }
  // The ingress spans are HAProxy's own: its server span is not nginx's.
  assert.ok(report.spans.some((s) => s.layer === 'ingress' && s.service.startsWith('haproxy')));
});

test('one orders pod made slow: the requests it served are the slow ones', async () => {
  const pods = JSON.parse((await cli(['ingresses', '--kubeconfig', sb.kubeconfigPath, '--json'])).stdout) as {
    name: string;
    rules: { paths: { backends: { endpoints: { pod?: string }[] }[] }[] }[];
  }[];
  const endpoints = pods.find((e) => e.name === 'orders')!.rules[0].paths[0].backends[0].endpoints;
  const slow = endpoints[0].pod!;
  assert.equal(endpoints.length, 2);
  const r = await load('shop/orders', '-n', '60', '-c', '4', '-H', `x-sandbox-delay: ${slow}=300`);
  assert.equal(r.completed, 60);
  const served = (pod: string) => r.probes.filter((p) => p.pod === pod).map((p) => p.durationMs);
  const [slowMs, fastMs] = [served(slow), served(endpoints[1].pod!)];
  assert.ok(slowMs.length > 5 && fastMs.length > 5, 'both pods served requests');
  assert.equal(slowMs.length + fastMs.length, 60);
  // Every request the slow pod served waited its 300 ms; most of the other pod's did not come near it.
  assert.ok(slowMs.every((d) => d >= 300));
  assert.ok(median(fastMs) < 300, `median of the other pod: ${median(fastMs)} ms`);
  const byPod = new Map(r.pods.map((p) => [p.pod, p]));
  assert.ok(byPod.get(slow)!.p50 >= 300 && byPod.get(slow)!.p50 > byPod.get(endpoints[1].pod!)!.p50);
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

test('a burst cancelled while its requests wait ends at once, without them', async () => {
  const pods = sb.store
    .list('Pod', 'shop')
    .map((p) => p.metadata.name)
    .filter((n) => n.startsWith('orders-'));
  assert.equal(pods.length, 2);
  const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
  const stop = new AbortController();
  let sent = 0;
  let abortedAt = Infinity;
  // Every request waits 8 s in the app; the burst is cancelled half a second after its first four went out.
  const r = await runBurst({
    config,
    api: new KubeRequester(config),
    namespace: 'shop',
    name: 'orders',
    count: 20,
    concurrency: 4,
    headers: { 'x-sandbox-delay': pods.map((p) => `${p}=8000`).join(',') },
    signal: stop.signal,
    onProgress: (m) => {
      if (m !== 'sending') return;
      setTimeout(() => {
        abortedAt = performance.now();
        stop.abort();
      }, 500);
    },
    // Reported once more at the end, with every request that went out.
    onLive: (l) => (sent = l.sent),
  });
  // The requests in flight were cut short, not waited for (they had 7.5 s left): none of them is a result.
  const after = performance.now() - abortedAt;
  assert.ok(after < 7000, `the burst ended ${after} ms after it was cancelled`);
  assert.equal(sent, 4);
  assert.equal(r.requests.length, 0);
});

test('--no-keepalive opens a connection per request; keep-alive reuses the pool', async () => {
  const fresh = await load('shop/orders', '-n', '20', '-c', '4', '--no-keepalive');
  assert.ok(fresh.probes.every((p) => p.newConnection));
  const pooled = await load('shop/orders', '-n', '20', '-c', '4');
  assert.ok(pooled.probes.filter((p) => p.newConnection).length <= 4);
  assert.ok(pooled.probes.some((p) => !p.newConnection));
});

test('caps hold whatever is asked, and outside the sandbox more than 20 requests need --yes', async () => {
  for (const args of [
    ['-n', '10001'],
    ['--duration', '11m'],
    ['-c', '1000'],
    ['-n', '5', '--duration', '1s'],
  ]) {
    const r = await cli(['load', 'shop/orders', ...args, '--kubeconfig', sb.kubeconfigPath]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: /);
  }
  // The same cluster under another context name is, for Kubetrace, not the sandbox.
  const kc = parse(readFileSync(sb.kubeconfigPath, 'utf8'));
  kc.contexts[0].name = 'prod';
  kc['current-context'] = 'prod';
  mkdirSync(dir, { recursive: true });
  const prod = join(dir, 'prod.kubeconfig');
  writeFileSync(prod, stringify(kc));
  const refused = await cli(['load', 'shop/orders', '-n', '21', '--kubeconfig', prod]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^error: a burst of 21 requests .* not the Kubetrace sandbox.*\nhint: add --yes/);
  const duration = await cli(['load', 'shop/orders', '--duration', '1s', '--kubeconfig', prod]);
  assert.equal(duration.code, 2);
  const twenty = await cli(['load', 'shop/orders', '-n', '20', '--kubeconfig', prod, '--json']);
  assert.equal(twenty.code, 0, twenty.stderr);
  assert.equal((JSON.parse(twenty.stdout) as BurstReport).requests, 20);
  const yes = await cli(['load', 'shop/orders', '-n', '21', '--yes', '--kubeconfig', prod, '--json']);
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal((JSON.parse(yes.stdout) as BurstReport).requests, 21);
});
