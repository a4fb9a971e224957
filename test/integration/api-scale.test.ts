// `--scale 2000`: 2,000 Ingresses, each with 1 Service, 1 EndpointSlice and 2 Pods, over 20 namespaces.
// They load, and list quickly through client-node and kubectl.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { scaleNamespaces } from '../../src/sandbox/scale';
import { startTestCluster, type TestCluster } from './api-harness';

let c: TestCluster;
let loadMs = 0;
before(async () => {
  const t0 = Date.now();
  // Scale pods bind nothing, so they may run past this /24 into the next ones without harm.
  c = await startTestCluster({ podSubnet: '127.10.200', scale: 2000 });
  loadMs = Date.now() - t0;
});
after(async () => {
  await c?.stop();
});

describe('scale 2000', () => {
  it('derives the objects docs/ARCHITECTURE.md names', () => {
    assert.deepEqual(scaleNamespaces(2000).length, 20);
    const ns = c.store.list('Namespace').filter((n) => n.metadata.name.startsWith('scale-'));
    assert.equal(ns.length, 20);
    const ings = c.store.list('Ingress').filter((i) => i.metadata.namespace!.startsWith('scale-'));
    const svcs = c.store.list('Service').filter((i) => i.metadata.namespace!.startsWith('scale-'));
    const slices = c.store.list('EndpointSlice').filter((i) => i.metadata.namespace!.startsWith('scale-'));
    const pods = c.store.list('Pod').filter((i) => i.metadata.namespace!.startsWith('scale-'));
    assert.deepEqual([ings.length, svcs.length, slices.length, pods.length], [2000, 2000, 2000, 4000]);
    for (const s of slices)
      assert.equal((s.endpoints as { conditions: { ready: boolean } }[]).filter((e) => e.conditions.ready).length, 2);
    assert.equal(new Set(pods.map((p) => (p.status as { podIP: string }).podIP)).size, 4000);
    assert.ok(loadMs < 30_000, `loading took ${loadMs} ms`);
  });

  it('client-node lists all Ingresses, Services and EndpointSlices in pages of 500, fast', async () => {
    const net = c.kc.makeApiClient(k8s.NetworkingV1Api);
    const disc = c.kc.makeApiClient(k8s.DiscoveryV1Api);
    const core = c.kc.makeApiClient(k8s.CoreV1Api);
    const t0 = Date.now();
    const count = async (list: (cont?: string) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>) => {
      let n = 0,
        cont: string | undefined;
      do {
        const r = await list(cont);
        n += r.items.length;
        cont = r.metadata?._continue || undefined;
      } while (cont);
      return n;
    };
    const [ing, svc, sl] = await Promise.all([
      count((cont) => net.listIngressForAllNamespaces({ limit: 500, _continue: cont })),
      count((cont) => core.listServiceForAllNamespaces({ limit: 500, _continue: cont })),
      count((cont) => disc.listEndpointSliceForAllNamespaces({ limit: 500, _continue: cont })),
    ]);
    const ms = Date.now() - t0;
    assert.deepEqual(
      [ing, svc, sl],
      [c.store.list('Ingress').length, c.store.list('Service').length, c.store.list('EndpointSlice').length],
    );
    assert.ok(ing >= 2000);
    assert.ok(ms < 10_000, `listing took ${ms} ms`);
  });

  it('kubectl get ingress -A prints every Ingress', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'kubectl',
        [
          '--kubeconfig',
          c.kubeconfigFile,
          '--cache-dir',
          join(c.dir, 'kube-cache'),
          'get',
          'ingress',
          '-A',
          '--no-headers',
        ],
        { maxBuffer: 64 << 20, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
      );
    });
    const lines = out.trim().split('\n');
    assert.equal(lines.length, c.store.list('Ingress').length);
    assert.match(
      lines.find((l) => l.includes('app-01999'))!,
      /^scale-019\s+app-01999\s+nginx\s+app-01999\.scale-019\.scale\.kubetrace\.test\s/,
    );
  });
});
