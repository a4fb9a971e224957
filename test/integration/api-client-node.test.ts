// The API stand-in through the real @kubernetes/client-node over HTTPS: lists with paging, watches, errors
// as Status objects, RBAC for the restricted token, logs, exec, and selectors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { setPodState } from '../../src/sandbox/controllers';
import { startTestCluster, type TestCluster } from './api-harness';

let c: TestCluster;
before(async () => {
  c = await startTestCluster({ podSubnet: '127.10.50' });
});
after(async () => {
  await c?.stop();
});

const collect = () => {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk, _e, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { w, text: () => Buffer.concat(chunks).toString('utf8') };
};

/** Lists page by page with `limit`, returning all names and the number of pages. */
async function pages<T extends { metadata?: { name?: string } }>(
  list: (cont?: string) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
): Promise<{ names: string[]; count: number }> {
  const names: string[] = [];
  let cont: string | undefined,
    count = 0;
  do {
    const r = await list(cont);
    count++;
    names.push(...r.items.map((i) => i.metadata!.name!));
    cont = r.metadata?._continue || undefined;
  } while (cont && count < 100);
  return { names, count };
}

describe('client-node lists every kind with paging', () => {
  it('pods across namespaces, 2 per page, equal the store', async () => {
    const core = c.kc.makeApiClient(k8s.CoreV1Api);
    const { names, count } = await pages((cont) => core.listPodForAllNamespaces({ limit: 2, _continue: cont }));
    const want = c.store.list('Pod').map((p) => p.metadata.name);
    // Six app pods, the Gateway's nginx (src/sandbox/manifests/25-gateway.yaml) and haproxy (15-haproxy.yaml).
    assert.equal(want.length, 8);
    assert.deepEqual(names, want);
    assert.equal(count, 4);
  });

  it('every served kind, one item per page', async () => {
    const core = c.kc.makeApiClient(k8s.CoreV1Api);
    const net = c.kc.makeApiClient(k8s.NetworkingV1Api);
    const disc = c.kc.makeApiClient(k8s.DiscoveryV1Api);
    const apps = c.kc.makeApiClient(k8s.AppsV1Api);
    const custom = c.kc.makeApiClient(k8s.CustomObjectsApi);
    const cases: [
      string,
      (cont?: string) => Promise<{ items: { metadata?: { name?: string } }[]; metadata?: { _continue?: string } }>,
    ][] = [
      ['Namespace', (cont) => core.listNamespace({ limit: 1, _continue: cont })],
      ['Service', (cont) => core.listServiceForAllNamespaces({ limit: 1, _continue: cont })],
      ['IngressClass', (cont) => net.listIngressClass({ limit: 1, _continue: cont })],
      ['Ingress', (cont) => net.listIngressForAllNamespaces({ limit: 1, _continue: cont })],
      ['EndpointSlice', (cont) => disc.listEndpointSliceForAllNamespaces({ limit: 1, _continue: cont })],
      ['Deployment', (cont) => apps.listDeploymentForAllNamespaces({ limit: 1, _continue: cont })],
      [
        'HTTPRoute',
        async (cont) => {
          const r = await custom.listClusterCustomObject({
            group: 'gateway.networking.k8s.io',
            version: 'v1',
            plural: 'httproutes',
            limit: 1,
            _continue: cont,
          });
          return { items: r.items, metadata: { _continue: r.metadata?.continue } };
        },
      ],
    ];
    for (const [kind, list] of cases) {
      const { names, count } = await pages(list);
      const want = c.store.list(kind).map((o) => o.metadata.name);
      assert.ok(want.length > 0, kind);
      assert.deepEqual(names, want, kind);
      assert.equal(count, want.length, `${kind} pages`);
    }
  });

  it('namespaced lists, label and field selectors', async () => {
    const core = c.kc.makeApiClient(k8s.CoreV1Api);
    const shop = await core.listNamespacedPod({ namespace: 'shop' });
    assert.deepEqual(shop.items.map((p) => p.metadata!.name!.split('-')[0]).sort(), ['inventory', 'orders', 'orders']);
    assert.ok(shop.items.every((p) => p.status!.podIP!.startsWith('127.10.50.')));
    const orders = await core.listNamespacedPod({
      namespace: 'shop',
      labelSelector: 'app.kubernetes.io/name in (orders, catalog),!missing',
    });
    assert.equal(orders.items.length, 2);
    const notOrders = await core.listPodForAllNamespaces({ labelSelector: 'app.kubernetes.io/name!=orders' });
    assert.equal(notOrders.items.length, 6);
    const node1 = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=sandbox-node-1' });
    assert.ok(node1.items.length > 0 && node1.items.every((p) => p.spec!.nodeName === 'sandbox-node-1'));
    const one = orders.items[0].metadata!.name!;
    const byName = await core.listPodForAllNamespaces({
      fieldSelector: `metadata.name=${one},metadata.namespace=shop`,
    });
    assert.deepEqual(
      byName.items.map((p) => p.metadata!.name),
      [one],
    );
    const disc = c.kc.makeApiClient(k8s.DiscoveryV1Api);
    const slices = await disc.listNamespacedEndpointSlice({
      namespace: 'shop',
      labelSelector: 'kubernetes.io/service-name=orders',
    });
    assert.equal(slices.items.length, 1);
    assert.deepEqual(
      slices.items[0].endpoints.map((e) => e.addresses[0]).sort(),
      orders.items.map((p) => p.status!.podIP).sort(),
    );
    assert.deepEqual(
      slices.items[0].ports?.map((p) => [p.name, p.port]),
      [['http', 8080]],
    );
  });

  it('a bad selector is a 400 BadRequest Status', async () => {
    const core = c.kc.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(
      core.listPodForAllNamespaces({ fieldSelector: 'spec.bogus=1' }),
      (e: k8s.ApiException<string>) => {
        assert.equal(e.code, 400);
        const s = JSON.parse(e.body);
        assert.equal(s.kind, 'Status');
        assert.equal(s.reason, 'BadRequest');
        assert.match(s.message, /field label not supported: spec.bogus/);
        return true;
      },
    );
  });
});

describe('errors are Status objects', () => {
  it('a wrong or missing token gets 401 Unauthorized', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfigFile);
    kc.users[0] = { ...kc.users[0], token: 'not-the-token' };
    // client-node gives 401 without a body (its OpenAPI spec declares none); the raw answers carry the Status.
    await assert.rejects(
      kc.makeApiClient(k8s.CoreV1Api).listNamespace(),
      (e: k8s.ApiException<string>) => e.code === 401,
    );
    const want = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      details: {},
      code: 401,
    };
    for (const auth of ['Bearer not-the-token', undefined]) {
      const r = await raw(c, '/api/v1/namespaces', auth);
      assert.equal(r.status, 401);
      assert.deepEqual(JSON.parse(r.body), want);
    }
  });

  it('a missing object gets 404 NotFound', async () => {
    await assert.rejects(
      c.kc.makeApiClient(k8s.NetworkingV1Api).readNamespacedIngress({ namespace: 'shop', name: 'nope' }),
      (e: k8s.ApiException<string>) => {
        assert.equal(e.code, 404);
        const s = JSON.parse(e.body);
        assert.equal(s.reason, 'NotFound');
        assert.equal(s.message, 'ingresses.networking.k8s.io "nope" not found');
        assert.deepEqual(s.details, { name: 'nope', group: 'networking.k8s.io', kind: 'ingresses' });
        return true;
      },
    );
  });

  it('writes get 405 MethodNotAllowed', async () => {
    await assert.rejects(
      c.kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: 'x' } } }),
      (e: k8s.ApiException<string>) => {
        assert.equal(e.code, 405);
        assert.equal(JSON.parse(e.body).reason, 'MethodNotAllowed');
        return true;
      },
    );
    assert.equal(c.store.get('Namespace', undefined, 'x'), undefined);
  });
});

describe('the restricted token sees one namespace', () => {
  it('reads shop, and gets RBAC 403s elsewhere', async () => {
    const core = c.kcRestricted.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'shop' });
    assert.equal(pods.items.length, 3);
    const ings = await c.kcRestricted.makeApiClient(k8s.NetworkingV1Api).listNamespacedIngress({ namespace: 'shop' });
    assert.deepEqual(
      ings.items.map((i) => i.metadata!.name),
      ['fallback', 'orders', 'shop-api'],
    );
    await assert.rejects(core.listPodForAllNamespaces(), (e: k8s.ApiException<string>) => {
      assert.equal(e.code, 403);
      const s = JSON.parse(e.body);
      assert.equal(s.reason, 'Forbidden');
      assert.equal(
        s.message,
        'pods is forbidden: User "system:serviceaccount:shop:kubetrace" cannot list resource "pods" in API group "" at the cluster scope',
      );
      return true;
    });
    await assert.rejects(
      core.readNamespacedService({ namespace: 'catalog', name: 'catalog' }),
      (e: k8s.ApiException<string>) => {
        assert.equal(e.code, 403);
        assert.equal(
          JSON.parse(e.body).message,
          'services "catalog" is forbidden: User "system:serviceaccount:shop:kubetrace" cannot get resource "services" in API group "" in the namespace "catalog"',
        );
        return true;
      },
    );
    await assert.rejects(
      c.kcRestricted.makeApiClient(k8s.NetworkingV1Api).listIngressClass(),
      (e: k8s.ApiException<string>) => e.code === 403,
    );
  });

  it('SelfSubjectAccessReview answers per that RBAC', async () => {
    const review = async (kc: k8s.KubeConfig, a: k8s.V1ResourceAttributes) =>
      (
        await kc
          .makeApiClient(k8s.AuthorizationV1Api)
          .createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: a } } })
      ).status!.allowed;
    assert.equal(await review(c.kcRestricted, { namespace: 'shop', verb: 'list', resource: 'pods' }), true);
    assert.equal(
      await review(c.kcRestricted, { namespace: 'shop', verb: 'create', resource: 'pods', subresource: 'portforward' }),
      true,
    );
    assert.equal(
      await review(c.kcRestricted, { namespace: 'shop', verb: 'get', resource: 'services', subresource: 'proxy' }),
      true,
    );
    assert.equal(
      await review(c.kcRestricted, { namespace: 'shop', verb: 'create', resource: 'pods', subresource: 'exec' }),
      false,
    );
    assert.equal(await review(c.kcRestricted, { namespace: 'catalog', verb: 'list', resource: 'pods' }), false);
    assert.equal(
      await review(c.kcRestricted, { verb: 'list', resource: 'ingressclasses', group: 'networking.k8s.io' }),
      false,
    );
    assert.equal(await review(c.kc, { verb: 'list', resource: 'ingressclasses', group: 'networking.k8s.io' }), true);
  });
});

describe('watch', () => {
  it('streams initial ADDED events, then changes; readiness changes reach the EndpointSlice', async () => {
    const events: { type: string; name: string; ready?: boolean[] }[] = [];
    let done: (e?: unknown) => void = () => {};
    const finished = new Promise((r) => {
      done = r;
    });
    const abort = await new k8s.Watch(c.kc).watch(
      '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices',
      {},
      (type, obj) => {
        events.push({
          type,
          name: obj.metadata.name,
          ready: obj.endpoints?.map((e: k8s.V1Endpoint) => e.conditions?.ready),
        });
      },
      (e) => done(e),
    );
    try {
      await waitFor(() => events.length >= 2);
      assert.deepEqual(
        events.map((e) => e.type),
        ['ADDED', 'ADDED'],
      );
      const inv = c.store.list('Pod', 'shop').find((p) => p.metadata.name.startsWith('inventory'))!;
      setPodState(c.store, 'shop', inv.metadata.name, { ready: true });
      await waitFor(() => events.length >= 3);
      assert.equal(events[2].type, 'MODIFIED');
      assert.match(events[2].name, /^inventory-/);
      assert.deepEqual(events[2].ready, [true]);
    } finally {
      abort.abort();
    }
    await finished;
  });

  it('replays history after a resourceVersion, and filters by label selector', async () => {
    const core = c.kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app.kubernetes.io/name=orders' });
    const rv = list.metadata!.resourceVersion!;
    for (const p of list.items) setPodState(c.store, 'shop', p.metadata!.name!, { ready: true });
    const inv = c.store.list('Pod', 'shop').find((p) => p.metadata.name.startsWith('inventory'))!;
    setPodState(c.store, 'shop', inv.metadata.name, { ready: false, running: true });
    const seen: string[] = [];
    const abort = await new k8s.Watch(c.kc).watch(
      '/api/v1/namespaces/shop/pods',
      { resourceVersion: rv, labelSelector: 'app.kubernetes.io/name=orders', timeoutSeconds: 2 },
      (type, obj) => seen.push(`${type} ${obj.metadata.name} ${obj.status.phase}`),
      () => {},
    );
    await waitFor(() => seen.length >= 2);
    abort.abort();
    assert.deepEqual(seen.sort(), list.items.map((p) => `MODIFIED ${p.metadata!.name} Running`).sort());
  });

  it('answers a resourceVersion older than the kept history with an ERROR event, 410 Expired', async () => {
    const before = c.store.resourceVersion;
    for (let i = 0; i < 12_500; i++)
      c.store.put({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'churn', namespace: 'default' },
        data: { i: String(i) },
      });
    const events: { type: string; object: { code?: number; reason?: string } }[] = [];
    await new Promise<void>((resolve) => {
      void new k8s.Watch(c.kc).watch(
        '/api/v1/namespaces/shop/pods',
        { resourceVersion: String(before) },
        (type, object) => events.push({ type, object }),
        () => resolve(),
      );
    });
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].object.code, 410);
    assert.equal(events[0].object.reason, 'Expired');
  });

  it('ends a watch after timeoutSeconds', async () => {
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      void new k8s.Watch(c.kc).watch(
        '/api/v1/namespaces',
        { timeoutSeconds: 1 },
        () => {},
        () => resolve(),
      );
    });
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 5000, `took ${took} ms`);
  });
});

describe('pods/log and pods/exec', () => {
  it('client-node Log reads lines with tailLines and timestamps, and follows', async () => {
    const pod = c.store.list('Pod', 'catalog')[0].metadata.name;
    const t0 = BigInt(Date.parse('2026-11-17T08:00:00Z')) * 1_000_000n;
    for (let i = 0; i < 5; i++)
      c.logs.append(
        { namespace: 'catalog', pod, container: 'catalog' },
        { timeUnixNano: t0 + BigInt(i) * 1_500_000n, stream: 'stdout', line: `line ${i}` },
      );
    const out = collect();
    await new Promise<void>((resolve, reject) => {
      new k8s.Log(c.kc).log('catalog', pod, 'catalog', out.w, { tailLines: 2, timestamps: true }).then((ac) => {
        out.w.on('finish', () => resolve());
        void ac;
      }, reject);
    });
    assert.equal(out.text(), '2026-11-17T08:00:00.0045Z line 3\n2026-11-17T08:00:00.006Z line 4\n');

    const follow = new PassThrough();
    let got = '';
    follow.on('data', (d) => {
      got += d;
    });
    const ac = await new k8s.Log(c.kc).log('catalog', pod, 'catalog', follow, { follow: true, tailLines: 1 });
    await waitFor(() => got === 'line 4\n');
    c.logs.append(
      { namespace: 'catalog', pod, container: 'catalog' },
      { timeUnixNano: t0 + 10_000_000n, stream: 'stderr', line: 'later' },
    );
    await waitFor(() => got === 'line 4\nlater\n');
    ac.abort();
  });

  it('sinceTime and limitBytes cut a long log at the same places whatever the chunking', async () => {
    const pod = c.store.list('Pod', 'catalog')[0].metadata.name;
    const key = { namespace: 'catalog', pod, container: 'catalog' };
    const t0 = BigInt(Date.parse('2026-11-18T09:00:00Z')) * 1_000_000n;
    // 3,000 lines of 100 bytes over 3 s: several of the endpoint's chunks.
    for (let i = 0; i < 3000; i++)
      c.logs.append(key, {
        timeUnixNano: t0 + BigInt(i) * 1_000_000n,
        stream: 'stdout',
        line: `n${i}`.padEnd(99, '.'),
      });
    const read = async (opts: { sinceTime?: string; limitBytes?: number }) => {
      const out = collect();
      await new Promise<void>((resolve, reject) => {
        new k8s.Log(c.kc).log('catalog', pod, 'catalog', out.w, opts).then(() => {
          out.w.on('finish', () => resolve());
        }, reject);
      });
      return out.text();
    };
    const lines = (await read({ sinceTime: '2026-11-18T09:00:01Z' })).split('\n');
    assert.equal(lines.length, 2001); // 1,000 to 2,999, and the empty string after the last newline
    assert.equal(lines[0], 'n1000'.padEnd(99, '.'));
    assert.equal(lines[1999], 'n2999'.padEnd(99, '.'));
    // 700 whole lines (n2000 to n2699) and the first 50 bytes of the next.
    const cut = await read({ sinceTime: '2026-11-18T09:00:02Z', limitBytes: 70_050 });
    assert.equal(cut.length, 70_050);
    assert.ok(cut.startsWith('n2000.'));
    assert.ok(cut.endsWith(`\n${'n2700'.padEnd(99, '.').slice(0, 50)}`));
  });

  it('a wrong container name is a 400', async () => {
    const pod = c.store.list('Pod', 'catalog')[0].metadata.name;
    await assert.rejects(
      c.kc.makeApiClient(k8s.CoreV1Api).readNamespacedPodLog({ namespace: 'catalog', name: pod, container: 'nope' }),
      (e: k8s.ApiException<string>) => {
        assert.equal(e.code, 400);
        assert.equal(JSON.parse(e.body).message, `container nope is not valid for pod ${pod}`);
        return true;
      },
    );
  });

  it('client-node Exec runs a real process and reports its exit status', async () => {
    const pod = c.store.list('Pod', 'ingress-nginx')[0].metadata.name;
    const run = async (command: string[]) => {
      const out = collect(),
        err = collect();
      const status = await new Promise<k8s.V1Status>((resolve, reject) => {
        new k8s.Exec(c.kc)
          .exec('ingress-nginx', pod, 'controller', command, out.w, err.w, null, false, (s) => resolve(s))
          .catch(reject);
      });
      return { status, out: out.text(), err: err.text() };
    };
    const ok = await run(['/usr/sbin/nginx', '-v']);
    assert.equal(ok.status.status, 'Success');
    assert.match(ok.err, /^nginx version: nginx\/1\.\d+\.\d+/);
    const bad = await run(['sh', '-c', 'echo out; exit 3']);
    assert.equal(bad.out, 'out\n');
    assert.equal(bad.status.reason, 'NonZeroExitCode');
    assert.equal(bad.status.details?.causes?.[0]?.message, '3');
  });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function raw(
  cl: TestCluster,
  path: string,
  authorization?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cl.api.url}${path}`,
      { ca: cl.api.caPem, headers: { ...(authorization ? { authorization } : {}), ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
