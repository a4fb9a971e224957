// Single-address mode (src/sandbox/runtime/addressing.ts, src/sandbox/port-map.ts): when the sandbox falls back to
// 127.0.0.1, and how a pod's port map keeps Services, EndpointSlices and the probe's Gateway port consistent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideAddressing, bindError } from '../../src/sandbox/runtime/addressing';
import { setPodState, startControllers } from '../../src/sandbox/controllers';
import { ownsPort, realPort } from '../../src/sandbox/port-map';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { type KubeObject, ObjectStore } from '../../src/sandbox/store';
import { gatewayPort } from '../../src/core/probe/target';
import type { Service } from '../../src/core/kube/objects';

const tick = () => new Promise((r) => setImmediate(r));

describe('decideAddressing', () => {
  it('falls back to 127.0.0.1 on EADDRNOTAVAIL, with one line that says which address and why', async () => {
    const asked: string[] = [];
    const a = await decideAddressing({
      subnet: '127.10.181',
      bindError: async (ip) => {
        asked.push(ip);
        return 'EADDRNOTAVAIL';
      },
    });
    assert.deepEqual(asked, ['127.10.181.2']);
    assert.equal(a.single, true);
    assert.equal(
      a.notice,
      '127.10.181.2 cannot be bound on this machine (EADDRNOTAVAIL); pods share 127.0.0.1 with a port each',
    );
  });

  it('keeps pod addresses when the bind works or fails for another reason', async () => {
    for (const code of [undefined, 'EACCES', 'EADDRINUSE']) {
      const a = await decideAddressing({ subnet: '127.10.181', bindError: async () => code });
      assert.deepEqual(a, { single: false }, String(code));
    }
  });

  it('is single without asking when forced (--single-address), and says nothing', async () => {
    const a = await decideAddressing({
      subnet: '127.10.181',
      force: true,
      bindError: () => assert.fail('no bind check when forced'),
    });
    assert.deepEqual(a, { single: true });
  });

  it('the real bind check: loopback binds on Linux; an address no interface has does not', async () => {
    assert.equal(await bindError('127.0.0.1'), undefined);
    // TEST-NET-3 (RFC 5737), for documentation, so on no interface (some machines do give eth0 a TEST-NET-1 address).
    assert.equal(await bindError('203.0.113.1'), 'EADDRNOTAVAIL');
  });
});

describe('port map', () => {
  async function demo() {
    const store = new ObjectStore();
    const c = startControllers(store, { podSubnet: '127.10.181', singleAddress: true });
    applyObjects(store, (await loadManifests([demoManifestsDir()])).objects);
    await tick();
    return { store, c };
  }
  const pod = (store: ObjectStore, ns: string, prefix: string) =>
    store.list('Pod', ns).find((p) => p.metadata.name.startsWith(prefix))!;
  const ports = (p: KubeObject) =>
    (p.spec as { containers: { ports: { name: string; containerPort: number }[] }[] }).containers[0].ports;

  it('every app pod gets 127.0.0.1', async () => {
    const { store, c } = await demo();
    for (const p of store.list('Pod')) assert.equal((p.status as { podIP: string }).podIP, '127.0.0.1');
    c.stop();
  });

  it('a numeric targetPort follows the map to the real port; the spec shows the real ports', async () => {
    const { store, c } = await demo();
    const gw = pod(store, 'nginx-gateway', 'shop-gateway-nginx-');
    setPodState(store, 'nginx-gateway', gw.metadata.name, { ready: true, portMap: { 8080: 41001, 8443: 41002 } });
    await tick();
    const p = store.get('Pod', 'nginx-gateway', gw.metadata.name)!;
    assert.deepEqual(
      ports(p).map((x) => x.containerPort),
      [41001, 41002],
    );
    assert.equal(realPort(p, 8080), 41001);
    assert.ok(ownsPort(p, 8080) && ownsPort(p, 41002));
    assert.ok(!ownsPort(p, 41003), "another pod's port is not this pod's");
    // shop-gateway-nginx: port 8080, targetPort 8080 (src/sandbox/manifests/25-gateway.yaml).
    const slice = store
      .list('EndpointSlice', 'nginx-gateway')
      .find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'shop-gateway-nginx')!;
    assert.deepEqual(
      (slice.ports as { port: number }[]).map((x) => x.port),
      [41001, 41002],
    );
    // A second map goes from the declared ports again, not from the first map's real ones.
    setPodState(store, 'nginx-gateway', gw.metadata.name, { ready: true, portMap: { 8080: 41005, 8443: 41002 } });
    const again = store.get('Pod', 'nginx-gateway', gw.metadata.name)!;
    assert.deepEqual(
      ports(again).map((x) => x.containerPort),
      [41005, 41002],
    );
    c.stop();
  });

  it('two replicas with different real ports land in two slices (EndpointSlice ports are per slice)', async () => {
    const { store, c } = await demo();
    const orders = store.list('Pod', 'shop').filter((p) => p.metadata.name.startsWith('orders-'));
    assert.equal(orders.length, 2);
    orders.forEach((o, i) =>
      setPodState(store, 'shop', o.metadata.name, { ready: true, portMap: { 8080: 42000 + i } }),
    );
    await tick();
    const slices = store
      .list('EndpointSlice', 'shop')
      .filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'orders');
    assert.deepEqual(
      slices
        .map(
          (s) =>
            `${(s.endpoints as { addresses: string[] }[])[0].addresses[0]}:${(s.ports as { port: number }[])[0].port}`,
        )
        .sort(),
      ['127.0.0.1:42000', '127.0.0.1:42001'],
    );
    c.stop();
  });
});

describe('gatewayPort', () => {
  const svc = (status?: number[]): Service => ({
    metadata: { name: 'gw', namespace: 'ns' },
    spec: { type: 'LoadBalancer', ports: [{ port: 8080 }, { port: 8443 }] },
    status: {
      loadBalancer: { ingress: [{ ip: '127.0.0.1', ...(status ? { ports: status.map((port) => ({ port })) } : {}) }] },
    },
  });
  it("reads the listener's real port from the LoadBalancer status, in the Service's port order", () => {
    assert.equal(gatewayPort(svc([38851, 44577]), '127.0.0.1', 8443), 44577);
  });
  it('is the listener port without status ports, for another address, or with no Service', () => {
    assert.equal(gatewayPort(svc(), '127.0.0.1', 8080), 8080);
    assert.equal(gatewayPort(svc([38851, 44577]), '10.0.0.9', 8080), 8080);
    assert.equal(gatewayPort(undefined, '127.0.0.1', 8080), 8080);
    // The Service's own ports in another order, as a cloud load balancer may list them.
    assert.equal(gatewayPort(svc([8443, 8080]), '127.0.0.1', 8080), 8080);
  });
});
