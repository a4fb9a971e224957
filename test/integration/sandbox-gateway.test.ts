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
    const req = request({ host: gatewayIp(), port: 8080, path, headers: { host, ...headers } }, (res) => {
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

test('httproute/shop/orders-route: the migration route of 20-shop.yaml goes through the Gateway', async () => {
  const t = await probe('httproute/shop/orders-route');
  assertThroughGateway(t);
  // The Gateway nginx writes no debug lines; the hint is NGINX Gateway Fabric's way to turn them on.
  const debug = t.diagnostics.find((d) => d.code === 'nginx-debug-no-request');
  assert.match(debug?.hint ?? '', /NginxProxy spec\.logging\.errorLevel: debug/, JSON.stringify(t.diagnostics));
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
      ['http', 8080, 4],
      ['https', 8443, 3],
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

// The migration compare (issue 14 §6): the same request through the Ingress and the HTTPRoute replacing it.
interface Comparison {
  a: { route: string; traceIds: string[]; status: number | string; medianMs: number };
  b: { route: string; traceIds: string[]; status: number | string; medianMs: number };
  equal: boolean;
  differences: { what: string; a?: string | number; b?: string | number; severity: string }[];
  notCarriedOver: { what: string; detail: string }[];
}
const compare = async (...args: string[]) => {
  const r = await cli(['compare', ...args, ...kc(), '--json']);
  assert.ok(r.code === 0 || r.code === 3, `compare ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { code: r.code, c: JSON.parse(r.stdout) as Comparison };
};

test('compare ingress/shop/orders with its HTTPRoute: same status and body, the TLS the two nginx configs differ in', async () => {
  const { code, c } = await compare('ingress/shop/orders', 'httproute/shop/orders-route', '-n', '2');
  assert.equal(c.a.route, 'ingress/shop/orders');
  assert.equal(c.b.route, 'httproute/shop/orders-route');
  for (const s of [c.a, c.b]) {
    assert.equal(s.status, 200);
    assert.equal(s.traceIds.length, 2);
    assert.ok(s.medianMs > 0);
  }
  const what = c.differences.map((d) => d.what);
  for (const same of ['status', 'body', 'backend services', 'redirect', 'trace propagation'])
    assert.ok(!what.includes(same), `${same} reported: ${JSON.stringify(c.differences)}`);
  // Both go over HTTPS (compare picks the route's HTTPS listener because the Ingress answered over TLS); the
  // Ingress's certificate names the host, the Gateway's is a wildcard.
  const subject = c.differences.find((d) => d.what === 'TLS certificate subject');
  assert.deepEqual([subject?.a, subject?.b, subject?.severity], ['shop.kubetrace.test', '*.kubetrace.test', 'warning']);
  assert.equal(c.equal, false);
  assert.equal(code, 3);
  // The route serves another hostname, so the Ingress's host and path are not carried over as such.
  assert.ok(
    c.notCarriedOver.some((n) => /shop\.kubetrace\.test/.test(`${n.what} ${n.detail}`)),
    JSON.stringify(c),
  );
});

test('compare reports a planted difference: a route that sends /orders to another backend', async () => {
  sb.store.put({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'orders-moved', namespace: 'shop' },
    spec: {
      parentRefs: [{ name: 'shop-gateway', namespace: 'nginx-gateway' }],
      hostnames: ['moved.kubetrace.test'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/orders' } }],
          backendRefs: [{ name: 'inventory', port: 80 }],
        },
      ],
    },
  });
  let last: Comparison | undefined;
  // The Gateway nginx reloads once the route is accepted; until then the probe of the new route may be refused.
  for (let i = 0; i < 40 && !last; i++) {
    const r = await cli([
      'compare',
      'httproute/shop/orders-route',
      'httproute/shop/orders-moved',
      '-n',
      '1',
      ...kc(),
      '--json',
    ]);
    if (r.code === 3 || r.code === 0) last = JSON.parse(r.stdout) as Comparison;
    else await new Promise((res) => setTimeout(res, 250));
  }
  assert.ok(last, 'compare never ran against the planted route');
  const services = last.differences.find((d) => d.what === 'backend services');
  assert.deepEqual([services?.a, services?.b, services?.severity], ['orders', 'inventory', 'error']);
  assert.equal(last.equal, false);
  // Two HTTPRoutes: nothing to read statically.
  assert.deepEqual(last.notCarriedOver, []);
});

test('compare refuses bad usage with exit 2', async () => {
  const one = await cli(['compare', 'ingress/shop/orders', ...kc()]);
  assert.equal(one.code, 2);
  assert.match(one.stderr, /usage: kubetrace compare ROUTE_A ROUTE_B/);
  const many = await cli(['compare', 'ingress/shop/orders', 'httproute/shop/orders-route', '-n', '51', ...kc()]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /1 to 50 probes per route/);
});
