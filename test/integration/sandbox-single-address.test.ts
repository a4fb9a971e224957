// The sandbox in single-address mode (src/sandbox/runtime/addressing.ts), as macOS gets it: every pod's process on
// 127.0.0.1 with ports of its own, and the API's Services, EndpointSlices and pods saying so. Probes through the
// Ingress (orders, catalog), the Gateway (orders-gold, also by port-forward) and haproxy (catalog-haproxy) with
// the built CLI give complete traces, as in the usual mode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import type { KubeObject } from '../../src/sandbox/store';
import type { Trace } from '../../src/core/trace/model';
import { ROOT, descendants, probeJson } from './helpers';

// In single-address mode the subnet binds nothing; it only names the pods (and the data-only ones' addresses).
const SUBNET = '127.10.181';
let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({
    podSubnet: SUBNET,
    singleAddress: true,
    kubeconfigPath: join(ROOT, '.cache', 'test-sandbox-single', 'sandbox.kubeconfig'),
  });
});
after(async () => {
  await sb?.stop();
});

/** Listening TCP sockets: `address:port` → the pids holding them (from `ss -ltnp`). */
function listeners(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 6) continue;
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    out.set(cols[3], pids);
  }
  return out;
}
const podPorts = (p: KubeObject) =>
  ((p.spec as { containers: { ports?: { containerPort: number }[] }[] }).containers[0].ports ?? []).map(
    (x) => x.containerPort,
  );

test('every pod runs on 127.0.0.1 with ports of its own, and its process listens there', () => {
  assert.equal(sb.singleAddress, true);
  assert.equal(sb.ingress.ip, '127.0.0.1');
  const held = listeners();
  const seen = new Set<number>();
  for (const r of sb.runtime.pods) {
    const pod = sb.store.get('Pod', r.info.namespace, r.info.name)!;
    assert.equal((pod.status as { podIP: string }).podIP, '127.0.0.1', r.info.name);
    const tree = new Set([r.process.pid!, ...descendants(r.process.pid!)]);
    // Ports the pod declares but nothing serves (ingress-nginx's metrics port) are not asked about.
    const served = r.info.app === 'ingress-nginx' ? [sb.ingress.httpPort, sb.ingress.httpsPort] : podPorts(pod);
    for (const port of served) {
      assert.ok(!seen.has(port), `port ${port} is given twice`);
      seen.add(port);
      const pids = held.get(`127.0.0.1:${port}`) ?? [];
      assert.ok(
        pids.some((p) => tree.has(p)),
        `${r.info.app} (${r.info.name}) does not listen on 127.0.0.1:${port}: ${pids}`,
      );
    }
  }
  assert.equal(sb.runtime.pods.length, 8);
  assert.ok(![...held.keys()].some((a) => a.startsWith(`${SUBNET}.`)), `something listens on ${SUBNET}.x`);
});

test('EndpointSlices and the load balancers name 127.0.0.1 and the ports the processes listen on', () => {
  const held = listeners();
  for (const sl of sb.store.list('EndpointSlice')) {
    const ports = ((sl.ports as { port?: number }[] | null) ?? []).map((p) => p.port);
    for (const ep of (sl.endpoints as { addresses: string[] }[]) ?? []) {
      assert.deepEqual(ep.addresses, ['127.0.0.1'], sl.metadata.name);
      // ingress-nginx's Service names only http and https, both served.
      for (const port of ports) assert.ok(held.has(`127.0.0.1:${port}`), `${sl.metadata.name}: nothing on ${port}`);
    }
  }
  for (const svc of sb.store.list('Service').filter((s) => (s.spec as { type?: string }).type === 'LoadBalancer')) {
    const lb = (svc.status as { loadBalancer: { ingress?: { ip: string; ports: { port: number }[] }[] } }).loadBalancer
      .ingress?.[0];
    assert.ok(lb, `${svc.metadata.name} has no load-balancer address`);
    assert.equal(lb.ip, '127.0.0.1');
    for (const { port } of lb.ports) assert.ok(held.has(`127.0.0.1:${port}`), `${svc.metadata.name}: ${port}`);
  }
});

/** Signs of an incomplete trace: a layer or its log line not found, the request not answered. */
const INCOMPLETE = new Set([
  'no-ingress-spans',
  'no-access-log-line',
  'no-app-spans',
  'app-spans-missing',
  'probe-failed',
  'port-forward-error',
  'no-ready-endpoints',
  'backend-unreachable',
]);

async function probe(ref: string, ...extra: string[]): Promise<Trace> {
  const t = await probeJson(sb.kubeconfigPath, [ref, ...extra], 90_000);
  const root = t.spans.find((s) => s.name === 'probe')!;
  assert.equal(root.attributes['http.response.status_code'], 200, `${ref}: ${JSON.stringify(root.attributes)}`);
  const bad = t.diagnostics.filter((d) => INCOMPLETE.has(d.code));
  assert.deepEqual(bad, [], `${ref}: ${bad.map((d) => d.message).join('; ')}`);
  return t;
}

/** The layers present, and the pod each ingress/app/downstream span names. */
function assertLayers(t: Trace, want: Record<string, RegExp>, ingress: string): void {
  const layers = new Set(t.spans.map((s) => s.layer));
  for (const l of ['client', ...Object.keys(want)])
    assert.ok(layers.has(l as never), `layer ${l} missing: ${[...layers]}`);
  const proxy = t.spans.find((s) => s.layer === 'ingress' && s.name === ingress);
  assert.ok(proxy, `no ${ingress} span: ${t.spans.map((s) => s.name)}`);
  for (const [layer, pod] of Object.entries(want)) {
    const s = layer === 'ingress' ? proxy : t.spans.find((x) => x.layer === layer && x.attributes['kubetrace.pod']);
    assert.match(String(s?.attributes['kubetrace.pod']), pod, `${layer}: ${JSON.stringify(s?.attributes)}`);
  }
}

test('a probe through the Ingress: client → nginx → orders → inventory', async () => {
  const t = await probe('shop/orders');
  assertLayers(t, { ingress: /^ingress-nginx-controller-/, app: /^orders-/, downstream: /^inventory-/ }, 'nginx');
  assert.ok(t.spans.some((s) => s.name === 'upstream.attempt'));
});

test('a probe through the Ingress: client → nginx → catalog (from its log line)', async () => {
  const t = await probe('catalog/catalog');
  assertLayers(t, { ingress: /^ingress-nginx-controller-/, app: /^catalog-/ }, 'nginx');
});

test("a probe through the Gateway, at its load balancer's port and by port-forward to the listener port", async () => {
  for (const via of ['lb', 'port-forward']) {
    const t = await probe('httproute/shop/orders-gold', '--via', via);
    assertLayers(t, { ingress: /^shop-gateway-nginx-/, app: /^orders-/, downstream: /^inventory-/ }, 'nginx');
    const nginx = t.spans.find((s) => s.layer === 'ingress' && s.name === 'nginx')!;
    assert.equal(nginx.attributes['kubetrace.gateway'], 'nginx-gateway/shop-gateway', via);
  }
});

test('a probe through haproxy: client → haproxy → catalog', async () => {
  const t = await probe('catalog/catalog-haproxy');
  assertLayers(t, { ingress: /^haproxy-kubernetes-ingress-/, app: /^catalog-/ }, 'haproxy');
  assert.ok(t.spans.some((s) => s.layer === 'ingress' && s.name === 'upstream.attempt'));
});

test("kubectl port-forward, which the sandbox refuses, names where the pod's declared port really listens", async () => {
  const pod = sb.store.list('Pod', 'nginx-gateway')[0];
  const real = sb.runtime.gateways[0].listenPorts!.get(8080)!;
  const r = await new Promise<string>((resolve) =>
    execFile(
      'kubectl',
      ['--kubeconfig', sb.kubeconfigPath, 'port-forward', '-n', 'nginx-gateway', pod.metadata.name, '0:8080'],
      { timeout: 30_000 },
      (_e, _out, err) => resolve(String(err)),
    ),
  );
  assert.match(
    r,
    new RegExp(`connect to the pod at 127\\.0\\.0\\.1 \\(port 8080 is ${real}, port 8443 is \\d+\\) directly`),
  );
});
