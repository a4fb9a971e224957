// The sandbox's second controller: NGINX Gateway Fabric's data plane (a real nginx, src/sandbox/gateway/) serving
// the HTTPRoutes of src/sandbox/manifests/25-gateway.yaml, probed end to end with the built CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import type { Trace } from '../../src/core/trace/model';
import type { RouteEntry } from '../../src/core/kube/routes';
import type { GatewayView } from '../../src/core/kube/gateway-tree';
import { NGINX_SRC, ROOT, cli } from './helpers';

const NGF = 'gateway.nginx.org/nginx-gateway-controller';
let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({
    podSubnet: '127.10.93',
    kubeconfigPath: join(ROOT, '.cache', 'test-sandbox-gateway', 'sandbox.kubeconfig'),
  });
});
after(async () => {
  await sb?.stop();
});

const kc = () => ['--kubeconfig', sb.kubeconfigPath];
const probe = async (...args: string[]) => {
  const r = await cli(['probe', ...args, ...kc(), '--json', '--workspace', ROOT, '--nginx-source', NGINX_SRC]);
  assert.equal(r.code, 0, `probe ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Trace;
};
const gatewayIp = () =>
  (sb.store.get('Gateway', 'nginx-gateway', 'shop-gateway')!.status as { addresses: { value: string }[] }).addresses[0]
    .value;

/** A plain request to the Gateway's address, without what a probe adds. */
function get(host: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: gatewayIp(), port: 80, path, headers: { host, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertThroughGateway(t: Trace): void {
  const layers = new Set(t.spans.map((s) => s.layer));
  for (const l of ['client', 'ingress', 'app', 'downstream'])
    assert.ok(layers.has(l as never), `layer ${l} missing: ${[...layers]}`);
  const nginx = t.spans.find((s) => s.layer === 'ingress' && s.name === 'nginx');
  assert.ok(nginx, 'no nginx span');
  assert.equal(nginx.attributes['kubetrace.controller'], NGF);
  assert.equal(nginx.attributes['kubetrace.gateway'], 'nginx-gateway/shop-gateway');
  // NGF's default access log is `combined`: no request id, so the line is found by the probe's User-Agent.
  assert.equal(nginx.attributes['kubetrace.log.format'], 'combined');
  assert.equal(nginx.attributes['kubetrace.log.matchedBy'], 'marker');
  assert.match(String(nginx.attributes['kubetrace.pod']), /^shop-gateway-nginx-/);
  assert.ok(t.spans.filter((s) => s.layer === 'app').every((s) => s.service === 'orders'));
  assert.ok(t.spans.filter((s) => s.layer === 'downstream').every((s) => s.service === 'inventory'));
}

test('a probe of the header-matched route goes through the Gateway nginx, adds the header, and reaches orders', async () => {
  const t = await probe('httproute/shop/orders-gold');
  assertThroughGateway(t);
  const server = t.spans.find((s) => s.service === 'orders' && s.kind === 'server' && s.origin !== 'app-log');
  assert.ok(server, 'no orders server span');
  assert.deepEqual(server.attributes['http.request.header.x-customer-tier'], ['gold']);
  // combined has no $msec: the span is placed approximately, and the hint names NGF's setting, not ingress-nginx's.
  const placement = t.diagnostics.find((d) => d.code === 'nginx-placement-approximate');
  assert.match(placement?.hint ?? '', /NginxProxy spec\.logging\.accessLog\.format/);
  // Without the header the route has no match: NGF's location answers 404 and orders never sees it.
  assert.equal(await get('gold.kubetrace.test', '/orders'), 404);
  assert.equal(await get('gold.kubetrace.test', '/orders', { 'x-customer-tier': 'gold' }), 200);
  assert.equal(await get('gold.kubetrace.test', '/orders', { 'x-customer-tier': 'silver' }), 404);
});

test('httproute/shop/orders-route: through the Gateway once its parentRef names it, else refused with the reason', async () => {
  // 20-shop.yaml's parentRef has no namespace, so it names shop/shop-gateway; the Gateway is nginx-gateway's.
  const refs = (sb.store.get('HTTPRoute', 'shop', 'orders-route')!.spec as { parentRefs: { namespace?: string }[] })
    .parentRefs;
  if (refs.some((r) => r.namespace === 'nginx-gateway')) {
    assertThroughGateway(await probe('httproute/shop/orders-route'));
    return;
  }
  const r = await cli(['probe', 'httproute/shop/orders-route', ...kc(), '--json']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not attached to any Gateway: shop\/shop-gateway: Gateway shop\/shop-gateway not found/);
});

test('the weighted route reaches both backends over 20 probes', async () => {
  const seen = new Map<string, number>();
  for (let round = 0; round < 5; round++) {
    const traces = await Promise.all(Array.from({ length: 4 }, () => probe('httproute/shop/health-split')));
    for (const t of traces) {
      const nginx = t.spans.find((s) => s.name === 'nginx')!;
      assert.equal(nginx.attributes['kubetrace.gateway'], 'nginx-gateway/shop-gateway');
      // /healthz has no OTel span (the apps skip it); their request log line gives the app span and its pod.
      const app = t.spans.find((s) => s.layer === 'app');
      assert.ok(app, `no app span: ${t.spans.map((s) => `${s.layer}:${s.name}`)}`);
      const pod = String(app.attributes['kubetrace.pod']).split('-')[0];
      seen.set(pod, (seen.get(pod) ?? 0) + 1);
    }
  }
  assert.deepEqual([...seen.keys()].sort(), ['inventory', 'orders'], JSON.stringify([...seen]));
});

test('the catalog route is served by the Gateway too', async () => {
  const t = await probe('httproute/catalog/catalog-route');
  const nginx = t.spans.find((s) => s.name === 'nginx')!;
  assert.equal(nginx.attributes['kubetrace.gateway'], 'nginx-gateway/shop-gateway');
  assert.ok(t.spans.some((s) => s.layer === 'app' && String(s.attributes['kubetrace.pod']).startsWith('catalog-')));
});

test('--via port-forward reaches the data-plane pod on the listener port, the port NGF nginx listens on', async () => {
  const t = await probe('httproute/catalog/catalog-route', '--via', 'port-forward');
  assert.equal(t.spans.find((s) => s.name === 'probe')!.attributes['kubetrace.probe.target'], 'port-forward');
  assert.equal(t.spans.find((s) => s.name === 'nginx')!.attributes['kubetrace.gateway'], 'nginx-gateway/shop-gateway');
});

test('a route naming a listener the Gateway lacks: Accepted False in gateways and ingresses, and the probe refuses it', async () => {
  const g = await cli(['gateways', ...kc(), '--json']);
  assert.equal(g.code, 0, g.stderr);
  const gw = (JSON.parse(g.stdout) as GatewayView[]).find((v) => v.name === 'shop-gateway')!;
  assert.equal(gw.controller, NGF);
  assert.deepEqual(gw.addresses, [gatewayIp()]);
  assert.deepEqual(
    gw.listeners.map((l) => [l.name, l.port, l.attachedRoutes]),
    [
      ['http', 80, 3],
      ['https', 443, 2],
    ],
  );
  const bad = gw.routes.find((r) => r.name === 'orders-grpc')!;
  assert.equal(bad.accepted, false);
  assert.match(
    bad.reason!,
    /^Accepted False: NoMatchingParent \(Gateway nginx-gateway\/shop-gateway has no listener named "grpc"\)/,
  );
  assert.ok(gw.routes.filter((r) => r.name !== 'orders-grpc').every((r) => r.accepted));

  const i = await cli(['ingresses', ...kc(), '--json']);
  const entry = (JSON.parse(i.stdout) as RouteEntry[]).find((e) => e.name === 'orders-grpc')!;
  assert.equal(entry.parents?.[0].accepted, false);
  assert.match(entry.parents![0].reason!, /NoMatchingParent/);

  const p = await cli(['probe', 'httproute/shop/orders-grpc', ...kc(), '--json']);
  assert.notEqual(p.code, 0);
  assert.match(p.stderr, /not attached to any Gateway: nginx-gateway\/shop-gateway: Accepted False: NoMatchingParent/);
});

test('kubectl get gateways -A and gatewayclass against the stand-in', async () => {
  const kubectl = (...args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('kubectl', [...kc(), ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
  const rows = (out: string) =>
    out
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/));
  const gws = rows(await kubectl('get', 'gateways', '-A'));
  assert.deepEqual(gws[0].slice(0, 5), ['NAMESPACE', 'NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED']);
  assert.deepEqual(gws[1].slice(0, 5), ['nginx-gateway', 'shop-gateway', 'nginx', gatewayIp(), 'True']);
  const classes = rows(await kubectl('get', 'gatewayclass'));
  assert.deepEqual(classes[1].slice(0, 3), ['nginx', NGF, 'True']);
});
