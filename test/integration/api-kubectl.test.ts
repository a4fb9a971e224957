// The machine's kubectl (a dispatcher that picks kubectl 1.27–1.33 from /version) against the stand-in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setPodState } from '../../src/sandbox/controllers';
import { RESTRICTED_CONTEXT } from '../../src/sandbox/kubeconfig';
import { startTestCluster, type TestCluster } from './api-harness';

let c: TestCluster;
let controllerIP = '';
before(async () => {
  c = await startTestCluster({ podSubnet: '127.10.52' });
  const ctl = c.store.list('Pod', 'ingress-nginx')[0];
  controllerIP = (ctl.status as { podIP: string }).podIP;
  setPodState(c.store, 'ingress-nginx', ctl.metadata.name, {
    ready: true,
    containerPorts: { http: 30123, https: 30443 },
  });
  c.controllers.setLoadBalancer({ ip: controllerIP, ports: [30123, 30443] });
});
after(async () => {
  await c?.stop();
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Async on purpose: the server runs in this process, so a sync exec would block it.
    execFile(
      'kubectl',
      ['--kubeconfig', c.kubeconfigFile, '--cache-dir', join(c.dir, 'kube-cache'), ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

describe('kubectl', () => {
  it('get ingress -A shows class, hosts, the controller address and ports', async () => {
    const r = await kubectl('get', 'ingress', '-A');
    assert.equal(r.code, 0, r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t[0], ['NAMESPACE', 'NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    const byName = Object.fromEntries(t.slice(1).map((x) => [`${x[0]}/${x[1]}`, x]));
    assert.deepEqual(Object.keys(byName).sort(), [
      'catalog/catalog',
      'catalog/catalog-haproxy',
      'shop/fallback',
      'shop/orders',
      'shop/shop-api',
    ]);
    assert.deepEqual(byName['shop/orders'].slice(2, 6), ['nginx', 'shop.kubetrace.test', controllerIP, '80, 443']);
    assert.deepEqual(byName['shop/fallback'].slice(2, 6), ['nginx', '*', controllerIP, '80']);
    assert.deepEqual(byName['catalog/catalog'].slice(2, 4), ['nginx', 'catalog.kubetrace.test']);
    // The third controller's Ingress (src/sandbox/manifests/15-haproxy.yaml): its class, not nginx's address.
    assert.deepEqual(byName['catalog/catalog-haproxy'].slice(2, 4), ['haproxy', 'catalog-haproxy.kubetrace.test']);
    assert.notEqual(byName['catalog/catalog-haproxy'][4], controllerIP);
  });

  it('get pods -o wide -n shop shows IPs and nodes', async () => {
    const r = await kubectl('get', 'pods', '-o', 'wide', '-n', 'shop');
    assert.equal(r.code, 0, r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t[0], [
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    const pods = c.store.list('Pod', 'shop');
    assert.equal(t.length - 1, pods.length);
    for (const p of pods) {
      const row = t.find((x) => x[0] === p.metadata.name);
      assert.ok(row, p.metadata.name);
      assert.equal(row[5], (p.status as { podIP: string }).podIP);
      assert.match(row[5], /^127\.10\.52\.\d+$/);
      assert.equal(row[6], (p.spec as { nodeName: string }).nodeName);
      assert.deepEqual(row.slice(1, 3), ['0/1', 'ContainerCreating']);
    }
  });

  it('get endpointslices -A and get ingressclass', async () => {
    const r = await kubectl('get', 'endpointslices', '-A');
    assert.equal(r.code, 0, r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t[0], ['NAMESPACE', 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    const ctl = t.find((x) => x[0] === 'ingress-nginx')!;
    assert.match(ctl[1], /^ingress-nginx-controller-[a-z0-9]{5}$/);
    assert.deepEqual(ctl.slice(2, 5), ['IPv4', '30123,30443', controllerIP]);
    const orders = t.find((x) => x[0] === 'shop' && x[1].startsWith('orders-'))!;
    assert.equal(orders[3], '8080');
    assert.deepEqual(
      orders[4].split(',').sort(),
      c.store
        .list('Pod', 'shop')
        .filter((p) => p.metadata.name.startsWith('orders'))
        .map((p) => (p.status as { podIP: string }).podIP)
        .sort(),
    );

    const ic = await kubectl('get', 'ingressclass');
    assert.equal(ic.code, 0, ic.stderr);
    assert.deepEqual(
      rows(ic.stdout).map((x) => x.slice(0, 3)),
      [
        ['NAME', 'CONTROLLER', 'PARAMETERS'],
        ['haproxy', 'haproxy.org/ingress-controller', '<none>'],
        ['nginx', 'k8s.io/ingress-nginx', '<none>'],
      ],
    );
  });

  it('logs POD -n NS prints the LogStore lines, with --tail and --timestamps', async () => {
    const pod = c.store.list('Pod', 'shop').find((p) => p.metadata.name.startsWith('inventory'))!.metadata.name;
    const t0 = BigInt(Date.parse('2026-11-27T10:00:00Z')) * 1_000_000n;
    const lines = ['time=2026-11-27T10:00:00.000001Z msg="request done" request_id=r1', 'second line', 'third line'];
    lines.forEach((line, i) =>
      c.logs.append(
        { namespace: 'shop', pod, container: 'inventory' },
        { timeUnixNano: t0 + BigInt(i) * 123_456_789n, stream: 'stdout', line },
      ),
    );
    const all = await kubectl('logs', pod, '-n', 'shop');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, `${lines.join('\n')}\n`);
    const tail = await kubectl('logs', pod, '-n', 'shop', '--tail=1', '--timestamps');
    assert.equal(tail.stdout, '2026-11-27T10:00:00.246913578Z third line\n');
    const limited = await kubectl('logs', pod, '-n', 'shop', '--limit-bytes=10');
    assert.equal(limited.stdout, lines[0].slice(0, 10));
    c.logs.append(
      { namespace: 'shop', pod, container: 'inventory' },
      { timeUnixNano: t0 + 2_000_000_000n, stream: 'stderr', line: 'fourth line' },
    );
    const since = await kubectl('logs', pod, '-n', 'shop', '--since-time=2026-11-27T10:00:01Z');
    assert.equal(since.stdout, 'fourth line\n');
  });

  it('get httproute, services and namespaces', async () => {
    const hr = await kubectl('get', 'httproute', '-n', 'shop');
    assert.equal(hr.code, 0, hr.stderr);
    assert.deepEqual(
      rows(hr.stdout).map((x) => x.slice(0, 2)),
      [
        ['NAME', 'HOSTNAMES'],
        ['health-split', '["split.kubetrace.test"]'],
        ['orders-gold', '["gold.kubetrace.test"]'],
        ['orders-grpc', '["grpc.kubetrace.test"]'],
        ['orders-route', '["gw.kubetrace.test"]'],
      ],
    );
    const svc = await kubectl('get', 'svc', '-n', 'ingress-nginx');
    const row = rows(svc.stdout)[1];
    assert.deepEqual(
      [row[0], row[1], row[3], row[4]],
      ['ingress-nginx-controller', 'LoadBalancer', controllerIP, '80:30080/TCP,443:30081/TCP'],
    );
    const ns = await kubectl('get', 'ns', 'shop', '-o', 'jsonpath={.status.phase}');
    assert.equal(ns.stdout, 'Active');
  });

  it('-v=8 shows each request and the server-side Table negotiation', async () => {
    const r = await kubectl('get', 'pods', '-n', 'catalog', '-v=8');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`GET ${c.api.url.replace(/\./g, '\\.')}/api/v1/namespaces/catalog/pods\\?limit=500`),
    );
    assert.match(r.stderr, /Accept: application\/json;as=Table;v=v1;g=meta\.k8s\.io/);
    assert.match(r.stderr, /Response Status: 200 OK/);
    assert.match(r.stderr, /"kind":"Table"/);
    assert.doesNotMatch(r.stderr, new RegExp(c.api.adminToken));
    assert.match(r.stdout, /^catalog-[a-z0-9]{10}-[a-z0-9]{5}\s/m);
  });

  it('the restricted context gets RBAC Forbidden outside shop', async () => {
    const ok = await kubectl('--context', RESTRICTED_CONTEXT, 'get', 'pods');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^orders-/m);
    const denied = await kubectl('--context', RESTRICTED_CONTEXT, 'get', 'pods', '-n', 'catalog');
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:shop:kubetrace" cannot list resource "pods" in API group "" in the namespace "catalog"/,
    );
  });

  it('exec runs a command through the WebSocket exec protocol', async () => {
    const pod = c.store.list('Pod', 'ingress-nginx')[0].metadata.name;
    const r = await kubectl('exec', '-n', 'ingress-nginx', pod, '--', '/usr/sbin/nginx', '-v');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /nginx version: nginx\/1\.\d+/);
    const failed = await kubectl('exec', '-n', 'ingress-nginx', pod, '--', 'sh', '-c', 'exit 7');
    assert.equal(failed.code, 7);
  });

  it('port-forward (kubectl tunnels SPDY) is refused with a reason and a way round it', async () => {
    const pod = c.store.list('Pod', 'ingress-nginx')[0].metadata.name;
    const r = await kubectl('port-forward', '-n', 'ingress-nginx', pod, '0:80', '--pod-running-timeout', '5s');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the sandbox does not speak SPDY, which kubectl port-forward tunnels/);
    assert.match(r.stderr, new RegExp(`connect to the pod at ${controllerIP.replace(/\./g, '\\.')} directly`));
  });
});
