// The sandbox controllers: Pods from Deployments, EndpointSlices from Services and Pods, reconcile on change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type LoadBalancerAddress, setPodState, startControllers } from '../../src/sandbox/controllers';
import { safeHash } from '../../src/sandbox/object-defaults';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { scaleObjects } from '../../src/sandbox/scale';
import { type KubeObject, ObjectStore } from '../../src/sandbox/store';

const tick = () => new Promise((r) => setImmediate(r));

async function demo(podSubnet = '127.10.60') {
  const store = new ObjectStore();
  const c = startControllers(store, { podSubnet });
  applyObjects(store, (await loadManifests([demoManifestsDir()])).objects);
  await tick();
  return { store, c };
}

type Slice = KubeObject & {
  endpoints: {
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    nodeName: string;
    targetRef: { kind: string; name: string; namespace: string; uid: string };
  }[];
  ports: { name: string; port: number; protocol: string }[];
};
const slicesOf = (store: ObjectStore, ns: string, svc: string) =>
  store.list('EndpointSlice', ns).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc) as Slice[];
const ip = (p: KubeObject) => (p.status as { podIP: string }).podIP;

describe('controllers', () => {
  it('derives pods with deterministic names, loopback IPs in object order, alternating nodes', async () => {
    const { store, c } = await demo();
    const pods = store.list('Pod');
    // Six app pods, the Gateway's nginx (src/sandbox/manifests/25-gateway.yaml) and haproxy (15-haproxy.yaml).
    assert.equal(pods.length, 8);
    for (const p of pods) {
      assert.match(p.metadata.name, /^[a-z-]+-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(
        p.metadata.labels!['pod-template-hash'],
        safeHash(`${p.metadata.namespace}/${p.metadata.name.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, '')}`, 10),
      );
    }
    // Object order: namespace, deployment name, replica index → .2, .3, ...
    const order = [...store.list('Deployment')].flatMap((d) =>
      pods.filter(
        (p) => p.metadata.namespace === d.metadata.namespace && p.metadata.name.startsWith(`${d.metadata.name}-`),
      ),
    );
    assert.deepEqual(order.map(ip).sort(), order.map((_, i) => `127.10.60.${i + 2}`).sort());
    assert.equal(ip(order[0]), '127.10.60.2');
    assert.deepEqual(
      new Set(pods.map((p) => (p.spec as { nodeName: string }).nodeName)),
      new Set(['sandbox-node-1', 'sandbox-node-2']),
    );
    const orders = pods.filter((p) => p.metadata.name.startsWith('orders-'));
    assert.deepEqual(orders[0].metadata.labels!['app.kubernetes.io/name'], 'orders');
    assert.equal(orders[0].metadata.annotations!['sandbox.kubetrace.dev/app'], 'orders');
    // Same names and IPs from a second, independent sandbox.
    const again = await demo();
    assert.deepEqual(
      again.store.list('Pod').map((p) => [p.metadata.name, ip(p)]),
      pods.map((p) => [p.metadata.name, ip(p)]),
    );
    c.stop();
    again.c.stop();
  });

  it('app pods wait for their process; EndpointSlices follow readiness and rewritten container ports', async () => {
    const { store, c } = await demo('127.10.61');
    const ctl = store.list('Pod', 'ingress-nginx')[0];
    assert.equal((ctl.status as { phase: string }).phase, 'Pending');
    let [slice] = slicesOf(store, 'ingress-nginx', 'ingress-nginx-controller');
    assert.match(slice.metadata.name, /^ingress-nginx-controller-[a-z0-9]{5}$/);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(
      slice.endpoints.map((e) => [e.addresses[0], e.conditions.ready, e.targetRef.kind, e.targetRef.name]),
      [[ip(ctl), false, 'Pod', ctl.metadata.name]],
    );
    assert.deepEqual(
      slice.ports.map((p) => [p.name, p.port, p.protocol]),
      [
        ['http', 80, 'TCP'],
        ['https', 443, 'TCP'],
      ],
    );

    setPodState(store, 'ingress-nginx', ctl.metadata.name, {
      ready: true,
      containerPorts: { http: 38080, https: 38443 },
    });
    await tick();
    [slice] = slicesOf(store, 'ingress-nginx', 'ingress-nginx-controller');
    assert.equal(slice.endpoints[0].conditions.ready, true);
    assert.equal(slice.endpoints[0].conditions.serving, true);
    assert.deepEqual(
      slice.ports.map((p) => p.port),
      [38080, 38443],
    );
    const pod = store.get('Pod', 'ingress-nginx', ctl.metadata.name)!;
    assert.deepEqual(
      (pod.spec as { containers: { ports: { containerPort: number }[] }[] }).containers[0].ports.map(
        (p) => p.containerPort,
      ),
      [38080, 38443],
    );
    assert.equal((pod.status as { phase: string }).phase, 'Running');
    const dep = store.get('Deployment', 'ingress-nginx', 'ingress-nginx-controller')!;
    assert.equal((dep.status as { readyReplicas: number }).readyReplicas, 1);

    // A pass with nothing new writes nothing.
    const rv = store.resourceVersion;
    c.reconcile();
    await tick();
    assert.equal(store.resourceVersion, rv);
    c.stop();
  });

  it('sets load-balancer status on nginx-class Ingresses and the controller Service', async () => {
    const { store, c } = await demo('127.10.62');
    const lb: LoadBalancerAddress = { ip: '127.10.62.3', ports: [30080, 30443] };
    c.setLoadBalancer(lb);
    // catalog-haproxy is the haproxy class's: its address comes from its own controller (sandbox-haproxy-config.test.ts).
    assert.deepEqual(store.get('Ingress', 'catalog', 'catalog-haproxy')!.status, { loadBalancer: {} });
    for (const ing of store.list('Ingress').filter((i) => i.metadata.name !== 'catalog-haproxy')) {
      assert.deepEqual(
        ing.status,
        {
          loadBalancer: {
            ingress: [
              {
                ip: lb.ip,
                ports: [
                  { port: 30080, protocol: 'TCP' },
                  { port: 30443, protocol: 'TCP' },
                ],
              },
            ],
          },
        },
        ing.metadata.name,
      );
    }
    const svc = store.get('Service', 'ingress-nginx', 'ingress-nginx-controller')!;
    assert.equal((svc.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0].ip, lb.ip);
    // An Ingress of another class gets no address.
    store.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'traefik' },
      spec: { controller: 'traefik.io/ingress-controller' },
    });
    store.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 't', namespace: 'shop' },
      spec: { ingressClassName: 'traefik', defaultBackend: { service: { name: 'orders', port: { number: 80 } } } },
    });
    await tick();
    assert.deepEqual(store.get('Ingress', 'shop', 't')!.status, { loadBalancer: {} });
    c.stop();
  });

  it('follows Service, Deployment and Pod changes', async () => {
    const { store, c } = await demo('127.10.63');
    const dep = store.get('Deployment', 'shop', 'orders')!;
    store.put({ ...dep, spec: { ...(dep.spec as object), replicas: 3 } });
    await tick();
    assert.equal(store.list('Pod', 'shop').filter((p) => p.metadata.name.startsWith('orders-')).length, 3);
    assert.equal(slicesOf(store, 'shop', 'orders')[0].endpoints.length, 3);
    store.put({ ...dep, spec: { ...(dep.spec as object), replicas: 1 } });
    await tick();
    assert.equal(slicesOf(store, 'shop', 'orders')[0].endpoints.length, 1);
    // A Service without pods still gets an (empty) slice; deleting it removes the slice and Endpoints.
    store.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lonely', namespace: 'shop' },
      spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
    });
    await tick();
    assert.deepEqual(
      slicesOf(store, 'shop', 'lonely').map((s) => s.endpoints.length),
      [0],
    );
    assert.match(
      (store.get('Service', 'shop', 'lonely')!.spec as { clusterIP: string }).clusterIP,
      /^10\.96\.\d+\.\d+$/,
    );
    // Re-applying the manifest keeps the allocated cluster IP, as `kubectl apply` does.
    const ipBefore = (store.get('Service', 'shop', 'lonely')!.spec as { clusterIP: string }).clusterIP;
    store.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lonely', namespace: 'shop' },
      spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
    });
    await tick();
    assert.equal((store.get('Service', 'shop', 'lonely')!.spec as { clusterIP: string }).clusterIP, ipBefore);
    store.delete('Service', 'shop', 'lonely');
    await tick();
    assert.deepEqual(slicesOf(store, 'shop', 'lonely'), []);
    assert.equal(store.get('Endpoints', 'shop', 'lonely'), undefined);
    store.delete('Deployment', 'shop', 'inventory');
    await tick();
    assert.equal(store.list('Pod', 'shop').filter((p) => p.metadata.name.startsWith('inventory-')).length, 0);
    c.stop();
  });

  it('scale objects: N Ingresses with a Service, an EndpointSlice and 2 process-less ready Pods each', async () => {
    const store = new ObjectStore();
    const c = startControllers(store, { podSubnet: '127.10.64' });
    applyObjects(store, scaleObjects(250));
    await tick();
    assert.deepEqual(
      store
        .list('Namespace')
        .map((n) => n.metadata.name)
        .filter((n) => n.startsWith('scale-')),
      ['scale-000', 'scale-001', 'scale-002'],
    );
    assert.equal(store.list('Ingress').length, 250);
    assert.equal(store.list('Pod').length, 500);
    const slices = store.list('EndpointSlice') as Slice[];
    assert.equal(slices.length, 250);
    assert.ok(
      slices.every(
        (s) => s.endpoints.length === 2 && s.endpoints.every((e) => e.conditions.ready) && s.ports[0].port === 8080,
      ),
    );
    assert.equal(new Set(store.list('Pod').map(ip)).size, 500);
    // Process-less pods take the mirror range (second octet + 128), never the pod subnet's neighbours.
    assert.ok(store.list('Pod').every((p) => /^127\.138\.(64|65|66)\.\d+$/.test(ip(p))));
    c.stop();
  });

  it('with --scale beside the demo apps, pods that run a process keep the pod subnet and nothing spills past it', async () => {
    const { store, c } = await demo();
    applyObjects(store, scaleObjects(400));
    await tick();
    const pods = store.list('Pod');
    const app = pods.filter((p) => p.metadata.annotations?.['sandbox.kubetrace.dev/app']);
    assert.ok(app.length >= 5);
    assert.ok(
      app.every((p) => /^127\.10\.60\.\d+$/.test(ip(p))),
      JSON.stringify(app.map(ip)),
    );
    const data = pods.filter((p) => !app.includes(p));
    assert.equal(data.length, 800);
    assert.ok(
      data.every((p) => /^127\.138\.(60|61|62|63)\.\d+$/.test(ip(p))),
      'scale pods stay in the mirror range',
    );
    assert.equal(new Set(pods.map(ip)).size, pods.length);
    c.stop();
  });
});
