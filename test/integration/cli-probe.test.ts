// `kubetrace ingresses` and `kubetrace probe` against the sandbox: real nginx, real apps, real OTLP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import type { Trace } from '../../src/core/trace/model';
import type { RouteEntry } from '../../src/core/kube/routes';
import { CLI, NGINX_SRC, ROOT, cli, probeJson } from './helpers';

let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({
    podSubnet: '127.10.70',
    kubeconfigPath: join(ROOT, '.cache', 'test-cli-probe', 'sandbox.kubeconfig'),
  });
});
after(async () => {
  await sb?.stop();
});

/** No span outside its parent, and a critical path through nginx, its attempt and the app server span. */
function assertTruthful(t: Trace, app: string): void {
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  for (const s of t.spans) {
    const p = s.parentSpanId ? by.get(s.parentSpanId) : undefined;
    if (!p || p.service === s.service) continue;
    assert.ok(
      BigInt(s.startTimeUnixNano) >= BigInt(p.startTimeUnixNano) &&
        BigInt(s.endTimeUnixNano) <= BigInt(p.endTimeUnixNano),
      `${s.service} "${s.name}" lies outside its parent ${p.service} "${p.name}"`,
    );
  }
  const onPath = t.criticalPath.map((c) => t.spans[c.index]);
  assert.equal(onPath[0].name, 'probe');
  for (const name of ['nginx', 'upstream.attempt'])
    assert.ok(
      onPath.some((s) => s.name === name),
      `${name} is not on the path: ${onPath.map((s) => s.name)}`,
    );
  assert.ok(
    onPath.some((s) => s.service === app && s.kind === 'server'),
    `${app}'s server span is not on the path: ${onPath.map((s) => s.name)}`,
  );
  const root = onPath[0];
  const total = t.criticalPath.reduce((n, c) => n + BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano), 0n);
  assert.ok(total <= BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano));
}

const probe = (...args: string[]) => probeJson(sb.kubeconfigPath, args);

test('ingresses --json lists the demo Ingresses with backends, endpoints and classes', async () => {
  const r = await cli(['ingresses', '--kubeconfig', sb.kubeconfigPath, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as RouteEntry[];
  const orders = entries.find((e) => e.kind === 'Ingress' && e.namespace === 'shop' && e.name === 'orders')!;
  assert.equal(orders.className, 'nginx');
  assert.equal(orders.controller, 'k8s.io/ingress-nginx');
  assert.deepEqual(orders.tls[0].hosts, ['shop.kubetrace.test']);
  const path = orders.rules[0].paths[0];
  assert.deepEqual([orders.rules[0].host, path.path, path.pathType], ['shop.kubetrace.test', '/orders', 'Prefix']);
  assert.equal(path.backends[0].endpoints.length, 2);
  assert.ok(
    path.backends[0].endpoints.every((e) => e.ready && /^127\.10\.70\.\d+$/.test(e.ip) && e.pod?.startsWith('orders-')),
  );
  assert.ok(entries.some((e) => e.kind === 'HTTPRoute' && e.name === 'orders-route'));
  assert.ok(entries.find((e) => e.name === 'fallback')?.defaultBackend?.service?.name === 'inventory');
  const text = await cli(['ingresses', '--kubeconfig', sb.kubeconfigPath]);
  assert.match(text.stdout, /Ingress shop\/orders {2}class=nginx/);
});

test('a probe through orders gives one trace: client, ingress, app and downstream, one trace id', async () => {
  const t = await probe('shop/orders');
  assert.match(t.traceId, /^[0-9a-f]{32}$/);
  const layers = new Set(t.spans.map((s) => s.layer));
  for (const l of ['client', 'ingress', 'app', 'downstream'])
    assert.ok(layers.has(l as never), `layer ${l} missing: ${[...layers]}`);
  const names = t.spans.map((s) => s.name);
  for (const n of [
    'probe',
    'connect',
    'tls',
    'ttfb',
    'nginx',
    'upstream.attempt',
    'upstream.connect',
    'upstream.header',
    'upstream.response',
  ])
    assert.ok(names.includes(n), `${n} missing`);
  const attempt = t.spans.find((s) => s.name === 'upstream.attempt')!;
  assert.match(String(attempt.attributes['kubetrace.pod']), /^orders-/);
  const app = t.spans.filter((s) => s.layer === 'app');
  assert.ok(app.every((s) => s.service === 'orders'));
  assert.ok(t.spans.filter((s) => s.layer === 'downstream').every((s) => s.service === 'inventory'));
  assert.equal(t.criticalPath[0].spanId, t.spans.find((s) => s.name === 'probe')!.spanId);
  assertTruthful(t, 'orders');
  // The path runs client → nginx → attempt → orders → inventory.
  assert.ok(t.criticalPath.some((c) => t.spans[c.index].service === 'inventory'));
});

test('a POST probe is truthful too: nested, with nginx and the app on the path', async () => {
  assertTruthful(await probe('shop/orders', '-X', 'POST', '--data', '{"item":"x"}'), 'orders');
});

// Under load the inventory server span can end after the client's last byte (its SDK closes it on the response's
// `finish` event); src/core/trace/skew.ts cuts it at the exchange's end rather than leave it outside.
test('a probe through shop-api is truthful too', async () => {
  assertTruthful(await probe('shop/shop-api', '--path', '/inventory/stock'), 'inventory');
});

test('every span of a probe through orders has a source or a reason; nginx and app spans point at real lines', async () => {
  const t = await probe('shop/orders');
  for (const s of t.spans)
    assert.ok(s.source || s.sourceReason, `${s.service} ${s.name} has neither source nor reason`);
  const connect = t.spans.find((s) => s.name === 'upstream.connect')!;
  assert.equal(connect.source?.function, 'ngx_http_upstream_connect');
  const upstreamC = readFileSync(join(NGINX_SRC, 'src/http/ngx_http_upstream.c'), 'utf8').split('\n');
  assert.match(upstreamC[connect.source!.line! - 1], /^ngx_http_upstream_connect\(/);
  const nginx = t.spans.find((s) => s.name === 'nginx')!;
  assert.ok((nginx.steps?.length ?? 0) >= 30, `nginx has ${nginx.steps?.length} steps`);
  assert.ok(
    nginx.moreSources?.some((r) => r.kind === 'ingress-yaml'),
    'the Ingress rule is linked',
  );
  const appSpan = t.spans.find((s) => s.service === 'orders' && s.source?.kind === 'app')!;
  const text = readFileSync(appSpan.source!.path, 'utf8').split('\n');
  assert.ok(appSpan.source!.path.includes('src/sandbox/apps/orders'), appSpan.source!.path);
  assert.ok(text[appSpan.source!.line! - 1].trim().length > 0);
});

test('/orders/fail is an error with its exception event', async () => {
  const t = await probe('shop/orders', '--path', '/orders/fail');
  const root = t.spans.find((s) => s.name === 'probe')!;
  assert.equal(root.attributes['http.response.status_code'], 500);
  const failing = t.spans.filter((s) => s.service === 'orders' && s.status === 'error');
  assert.ok(failing.length > 0);
  assert.ok(
    failing.some((s) =>
      s.events.some((e) => e.name === 'exception' && typeof e.attributes['exception.stacktrace'] === 'string'),
    ),
  );
});

test('the catalog span comes from its logs (uninstrumented Flask)', async () => {
  const t = await probe('catalog/catalog');
  const cat = t.spans.find((s) => s.service === 'catalog')!;
  assert.equal(cat.origin, 'app-log');
  assert.equal(cat.layer, 'app');
  assert.ok(t.spans.some((s) => s.layer === 'ingress'));
  assertTruthful(t, 'catalog');
});

test('a probe by port-forward works as well as one by load balancer', async () => {
  const t = await probe('shop/orders', '--via', 'port-forward');
  const root = t.spans.find((s) => s.name === 'probe')!;
  assert.equal(root.attributes['kubetrace.probe.target'], 'port-forward');
  assert.ok(t.spans.some((s) => s.name === 'nginx'));
  assert.ok(t.spans.some((s) => s.layer === 'app'));
});

test('a bare probe of an Ingress with several paths exits 2 and lists the candidates', async () => {
  const r = await cli(['probe', 'shop/shop-api', '--kubeconfig', sb.kubeconfigPath]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: .*candidates/m);
  assert.match(r.stderr, /--path \/inventory\/stock/);
  void CLI;
});

test('the waterfall prints layers, bars, sources and diagnostics', async () => {
  const r = await cli([
    'probe',
    'shop/orders',
    '--kubeconfig',
    sb.kubeconfigPath,
    '--workspace',
    ROOT,
    '--nginx-source',
    NGINX_SRC,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^client +probe +│/m);
  assert.match(r.stdout, /^ingress +.*nginx .*│.*ngx_http_request\.c:\d+/m);
  assert.match(r.stdout, /^app +.*│.*src\/sandbox\/apps\/orders\/.*:\d+/m);
  // Each critical span shows its share of the request.
  assert.match(r.stdout, /^ingress +.*nginx .*│ +[\d.]+ m?s +\* *(\d+|<1)%/m);
});
