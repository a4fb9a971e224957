// Edge cases of the route tree, controller discovery, probe needs, timestamped log lines and the host/path choice,
// on real-shaped objects (a snapshot captured from the sandbox API, varied per case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEntries, type ClusterSnapshot } from '../../src/core/kube/route-tree';
import { findController, INGRESS_NGINX } from '../../src/core/kube/controller';
import { probeNeeds } from '../../src/core/kube/permissions';
import { splitTimestamped } from '../../src/core/kube/logs';
import type { HTTPRoute } from '../../src/core/kube/objects';
import type { RouteEntry } from '../../src/core/kube/routes';
import { choose, hostMatches, pathMatches } from '../../src/core/probe/choose';
import { UsageError } from '../../src/core/errors';

const base = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'kube', 'sandbox-snapshot.json'), 'utf8'),
) as ClusterSnapshot;
const snap = (f: (s: ClusterSnapshot) => void = () => {}): ClusterSnapshot => {
  const s = structuredClone(base);
  f(s);
  return s;
};
const entry = (s: ClusterSnapshot, ns: string, name: string, kind = 'Ingress') =>
  buildEntries(s).find((e) => e.namespace === ns && e.name === name && e.kind === kind)!;
const ing = (s: ClusterSnapshot, ns: string, name: string) =>
  s.ingresses.find((i) => i.metadata.namespace === ns && i.metadata.name === name)!;
const pod = (s: ClusterSnapshot, prefix: string) => s.pods.find((p) => p.metadata.name.startsWith(prefix))!;

test('the sandbox snapshot gives the topology: TLS, class, controller, LB address, ready endpoints with pods and nodes', () => {
  const s = snap();
  const orders = entry(s, 'shop', 'orders');
  const ctl = pod(s, 'ingress-nginx-controller-');
  assert.deepEqual([orders.className, orders.controller], ['nginx', INGRESS_NGINX]);
  assert.deepEqual(orders.tls, [{ hosts: ['shop.kubetrace.test'], secretName: 'shop-tls' }]);
  assert.deepEqual(orders.addresses, [ctl.status!.podIP]);
  const [path] = orders.rules[0].paths;
  assert.deepEqual([orders.rules[0].host, path.path, path.pathType], ['shop.kubetrace.test', '/orders', 'Prefix']);
  const eps = path.backends[0].endpoints;
  assert.equal(eps.length, 2);
  for (const e of eps) {
    const p = s.pods.find((x) => x.metadata.name === e.pod)!;
    assert.deepEqual(e, { ip: p.status!.podIP, port: 8080, ready: true, pod: p.metadata.name, node: p.spec!.nodeName });
  }
  // A named service port ("http") resolves through the Service to the slice's port.
  const api = entry(s, 'shop', 'shop-api');
  assert.deepEqual(
    api.rules[0].paths.map((p) => [p.path, p.pathType, p.backends[0].service, p.backends[0].endpoints.length]),
    [
      ['/orders', 'Prefix', { name: 'orders', port: 'http' }, 2],
      ['/inventory/stock', 'Exact', { name: 'inventory', port: 80 }, 1],
    ],
  );
  const fallback = entry(s, 'shop', 'fallback');
  assert.deepEqual(fallback.rules, []);
  assert.equal(fallback.defaultBackend?.service?.name, 'inventory');
  assert.equal(fallback.defaultBackend?.endpoints.length, 1);
  const route = entry(s, 'shop', 'orders-route', 'HTTPRoute');
  assert.deepEqual(
    route.rules.map((r) => [r.host, r.paths.map((p) => `${p.pathType} ${p.path}`)]),
    [['gw.kubetrace.test', ['PathPrefix /orders']]],
  );
  assert.deepEqual([route.addresses, route.tls, route.className], [[], [], undefined]);
});

test('endpoints: not-ready by slice condition or by pod condition; a missing pod object still lists the address', () => {
  const s = snap((x) => {
    const sl = x.slices.find((l) => l.metadata.labels?.['kubernetes.io/service-name'] === 'orders')!;
    sl.endpoints![0].conditions = { ready: false, serving: true };
    const other = x.pods.find((p) => p.metadata.name === sl.endpoints![1].targetRef!.name)!;
    other.status!.conditions = other.status!.conditions!.map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False' } : c,
    );
    const inv = x.slices.find((l) => l.metadata.labels?.['kubernetes.io/service-name'] === 'inventory')!;
    x.pods = x.pods.filter((p) => p.metadata.name !== inv.endpoints![0].targetRef!.name);
  });
  assert.deepEqual(
    entry(s, 'shop', 'orders').rules[0].paths[0].backends[0].endpoints.map((e) => e.ready),
    [false, false],
  );
  const inv = entry(s, 'shop', 'fallback').defaultBackend!.endpoints[0];
  assert.equal(inv.ready, true, 'without the pod object the slice condition decides');
  assert.ok(inv.pod?.startsWith('inventory-') && inv.node === 'sandbox-node-2');
});

test('backends: a missing Service, an unknown port, a resource backend', () => {
  const s = snap((x) => {
    const i = ing(x, 'shop', 'shop-api');
    i.spec!.rules![0].http!.paths![0].backend = { service: { name: 'ghost', port: { number: 80 } } };
    i.spec!.rules![0].http!.paths![1].backend = { service: { name: 'inventory', port: { number: 9999 } } };
    ing(x, 'shop', 'fallback').spec!.defaultBackend = {
      resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' },
    };
  });
  const [ghost, badPort] = entry(s, 'shop', 'shop-api').rules[0].paths.map((p) => p.backends[0]);
  assert.deepEqual(ghost, { service: { name: 'ghost', port: 80 }, missing: true, endpoints: [] });
  assert.deepEqual(
    badPort,
    { service: { name: 'inventory', port: 9999 }, endpoints: [] },
    'the Service exists: not missing, but no endpoints',
  );
  assert.deepEqual(entry(s, 'shop', 'fallback').defaultBackend, {
    resource: { kind: 'StorageBucket', name: 'static' },
    endpoints: [],
  });
});

test('class: explicit, legacy annotation, the default IngressClass, none; LB hostname instead of ip', () => {
  const s = snap((x) => {
    delete ing(x, 'shop', 'orders').spec!.ingressClassName; // → default class
    const api = ing(x, 'shop', 'shop-api');
    delete api.spec!.ingressClassName;
    api.metadata.annotations = { 'kubernetes.io/ingress.class': 'traefik' };
    api.status = { loadBalancer: { ingress: [{ hostname: 'lb-123.elb.example.com' }] } };
  });
  assert.deepEqual(
    [entry(s, 'shop', 'orders').className, entry(s, 'shop', 'orders').controller],
    ['nginx', INGRESS_NGINX],
  );
  const api = entry(s, 'shop', 'shop-api');
  assert.deepEqual([api.className, api.controller, api.addresses], ['traefik', undefined, ['lb-123.elb.example.com']]);
  const none = snap((x) => {
    x.classes[0].metadata.annotations = {};
    delete ing(x, 'shop', 'orders').spec!.ingressClassName;
  });
  assert.equal(entry(none, 'shop', 'orders').className, undefined);
});

test('paths without pathType or path, rules without host', () => {
  const s = snap((x) => {
    const r = ing(x, 'catalog', 'catalog').spec!.rules![0];
    delete r.host;
    delete r.http!.paths![0].pathType;
    delete r.http!.paths![0].path;
  });
  assert.deepEqual(
    entry(s, 'catalog', 'catalog').rules.map((r) => [r.host, r.paths[0].path, r.paths[0].pathType]),
    [[null, '/', 'ImplementationSpecific']],
  );
});

test('HTTPRoute: no hostnames, no matches, weights, cross-namespace and non-Service backendRefs', () => {
  const s = snap((x) => {
    const r = x.httpRoutes[0] as HTTPRoute;
    delete r.spec!.hostnames;
    r.spec!.rules = [
      {
        backendRefs: [
          { name: 'orders', port: 80, weight: 90 },
          { name: 'catalog', namespace: 'catalog', port: 80, weight: 10 },
        ],
      },
      {
        matches: [
          { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } },
          { path: { type: 'Exact', value: '/exact' } },
        ],
        backendRefs: [{ name: 'bucket', kind: 'Backend', group: 'gateway.envoyproxy.io' }],
      },
    ];
  });
  const r = entry(s, 'shop', 'orders-route', 'HTTPRoute');
  assert.equal(r.rules.length, 1);
  assert.equal(r.rules[0].host, null);
  const [all, regex, exact] = r.rules[0].paths;
  assert.deepEqual([all.path, all.pathType], ['/', 'PathPrefix']);
  assert.deepEqual(
    all.backends.map((b) => [b.service?.name, b.weight, b.endpoints.length]),
    [
      ['orders', 90, 2],
      ['catalog', 10, 1],
    ],
  );
  assert.deepEqual([regex.path, regex.pathType, exact.pathType], ['/v[0-9]+/.*', 'RegularExpression', 'Exact']);
  assert.deepEqual(regex.backends, [{ resource: { kind: 'Backend', name: 'bucket' }, endpoints: [] }]);
});

test('entries are sorted by namespace, name, kind', () => {
  const s = snap((x) => {
    const r = structuredClone(x.httpRoutes[0]);
    r.metadata.name = 'orders';
    x.httpRoutes.push(r);
  });
  assert.deepEqual(
    buildEntries(s).map((e) => `${e.namespace}/${e.name} ${e.kind}`),
    [
      'catalog/catalog Ingress',
      'shop/fallback Ingress',
      'shop/orders HTTPRoute',
      'shop/orders Ingress',
      'shop/orders-route HTTPRoute',
      'shop/shop-api Ingress',
    ],
  );
});

test('findController: ingress-nginx pods (ready first, not the admission webhook, not finished) and the LoadBalancer Service', () => {
  const s = snap((x) => {
    const ctl = pod(x, 'ingress-nginx-controller-');
    const notReady = structuredClone(ctl);
    notReady.metadata.name = 'ingress-nginx-controller-aaaaaaaaaa-zzzzz';
    notReady.status!.conditions = [{ type: 'Ready', status: 'False' }];
    const webhook = structuredClone(ctl);
    webhook.metadata.name = 'ingress-nginx-admission-create-x';
    webhook.metadata.labels = { ...webhook.metadata.labels, 'app.kubernetes.io/component': 'admission-webhook' };
    const done = structuredClone(ctl);
    done.metadata.name = 'ingress-nginx-controller-old';
    done.status!.phase = 'Succeeded';
    x.pods.unshift(notReady, webhook, done);
    const svc = x.services.find((v) => v.metadata.name === 'ingress-nginx-controller')!;
    const clusterIp = structuredClone(svc);
    clusterIp.metadata.name = 'ingress-nginx-controller-metrics';
    clusterIp.spec!.type = 'ClusterIP';
    x.services.unshift(clusterIp);
  });
  const c = findController(s, ing(s, 'shop', 'orders'));
  assert.equal(c.isIngressNginx, true);
  const ready = base.pods.find((p) => p.metadata.name.startsWith('ingress-nginx-controller-'))!.metadata.name;
  assert.deepEqual(
    c.pods.map((p) => p.metadata.name),
    [ready, 'ingress-nginx-controller-aaaaaaaaaa-zzzzz'],
    'ready first; no webhook, no finished pod',
  );
  assert.equal(
    c.service?.metadata.name,
    'ingress-nginx-controller',
    'the LoadBalancer Service wins over the metrics one',
  );
});

test('findController: another controller has no pods; an unreadable IngressClass still means ingress-nginx for class "nginx"', () => {
  const traefik = snap((x) => {
    x.classes.push({ metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller' } });
    ing(x, 'shop', 'orders').spec!.ingressClassName = 'traefik';
  });
  const t = findController(traefik, ing(traefik, 'shop', 'orders'));
  assert.deepEqual(
    [t.controller, t.module?.id, t.isIngressNginx, t.pods],
    ['traefik.io/ingress-controller', 'traefik', false, []],
  );
  const restricted = snap((x) => {
    x.classes = [];
    x.pods = x.pods.filter((p) => p.metadata.namespace === 'shop');
    x.services = x.services.filter((v) => v.metadata.namespace === 'shop');
  });
  const c = findController(restricted, ing(restricted, 'shop', 'orders'));
  assert.deepEqual([c.controller, c.isIngressNginx, c.pods.length, c.service], [INGRESS_NGINX, true, 0, undefined]);
  const noClass = snap((x) => {
    x.classes = [];
    delete ing(x, 'shop', 'orders').spec!.ingressClassName;
  });
  assert.equal(
    findController(noClass, ing(noClass, 'shop', 'orders')).isIngressNginx,
    false,
    'no class at all: unknown controller',
  );
});

test('probeNeeds: logs and port-forward in the controller namespace, logs in the backend namespace, proxy when asked', () => {
  assert.deepEqual(
    probeNeeds('ingress-nginx', 'shop', 'observability').map((n) => `${n.verb} ${n.label}`),
    [
      'get pods/log in ingress-nginx',
      'create pods/portforward in ingress-nginx',
      'get pods/log in shop',
      'get services/proxy in observability',
    ],
  );
  assert.deepEqual(
    probeNeeds(undefined, 'shop').map((n) => [n.verb, n.resource, n.subresource, n.namespace]),
    [['get', 'pods', 'log', 'shop']],
  );
});

test('splitTimestamped: RFC 3339 with nanoseconds, fewer digits, offsets; other lines kept as text', () => {
  const lines = splitTimestamped(
    [
      '2026-11-27T10:00:00.123456789Z 127.0.0.1 - - [27/Nov/2026:10:00:00 +0000] "GET /orders HTTP/1.1" 200',
      '2026-11-27T10:00:01Z no fraction',
      '2026-11-27T12:00:02.5+02:00 with an offset and  two  spaces',
      'not timestamped at all',
      '',
      '2026-13-45T99:00:00Z impossible date',
      '2026-11-27T10:00:03.000000001Z ',
    ].join('\n'),
  );
  assert.equal(lines.length, 6, 'the empty line is dropped');
  assert.equal(lines[0].timeUnixNano, 1795773600123456789n);
  assert.equal(lines[0].time?.toISOString(), '2026-11-27T10:00:00.123Z');
  assert.match(lines[0].text, /^127\.0\.0\.1 - - /);
  assert.equal(lines[1].timeUnixNano, 1795773601000000000n);
  assert.equal(lines[2].timeUnixNano, 1795773602500000000n);
  assert.equal(lines[2].text, 'with an offset and  two  spaces');
  assert.deepEqual(lines[3], { text: 'not timestamped at all' });
  assert.deepEqual(lines[4], { text: '2026-13-45T99:00:00Z impossible date' });
  assert.deepEqual([lines[5].timeUnixNano, lines[5].text], [1795773603000000001n, '']);
});

/** The one-regex-per-line reading splitTimestamped had before it parsed each second once: the reference. */
function referenceSplit(text: string): { time?: string; timeUnixNano?: bigint; text: string }[] {
  const out: { time?: string; timeUnixNano?: bigint; text: string }[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}) ([^\r]*)$/.exec(raw);
    const base = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
    if (!m || Number.isNaN(base)) {
      out.push({ text: raw });
      continue;
    }
    const frac = (m[2] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9);
    out.push({
      time: new Date(base + Number(frac.slice(0, 3))).toISOString(),
      timeUnixNano: BigInt(base) * 1_000_000n + BigInt(frac),
      text: m[4],
    });
  }
  return out;
}

test('splitTimestamped reads every line as the one-regex-per-line reference does (property)', () => {
  const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n });
  const stamp = fc
    .tuple(
      fc.constantFrom('2026-11-27T10:00:0', '2026-11-27T10:00:1', '2026-02-30T10:00:0', '2026-11-27T1x:00:0'),
      fc.constantFrom(...'0123456789'),
      fc.oneof(
        fc.constant(''),
        fc.integer({ min: 0, max: 12 }).chain((n) => digits(n).map((d) => `.${d.join('')}`)),
      ),
      fc.constantFrom('Z', 'Z', '+02:00', '-00:30', ''),
    )
    .map((p) => p.join(''));
  const line = fc.tuple(stamp, fc.constantFrom(' ', '', '  '), fc.string({ maxLength: 12 })).map((p) => p.join(''));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const text = lines.join('\n').replace(/\r/g, '');
      const got = splitTimestamped(text).map((l) => ({
        ...(l.time && { time: l.time.toISOString() }),
        ...(l.timeUnixNano !== undefined && { timeUnixNano: l.timeUnixNano }),
        text: l.text,
      }));
      assert.deepEqual(got, referenceSplit(text));
    }),
    { numRuns: 500 },
  );
});

const be = (name: string) => [{ service: { name, port: 80 }, endpoints: [] }];
const route = (rules: RouteEntry['rules'], extra: Partial<RouteEntry> = {}): RouteEntry => ({
  kind: 'Ingress',
  namespace: 'shop',
  name: 'x',
  addresses: [],
  tls: [],
  rules,
  ...extra,
});

test('choose: Exact beats Prefix, the longest prefix wins, no match goes to the default backend', () => {
  const e = route(
    [
      {
        host: 'a.test',
        paths: [
          { path: '/', pathType: 'Prefix', backends: be('root') },
          { path: '/api', pathType: 'Prefix', backends: be('api') },
          { path: '/api/v2', pathType: 'Prefix', backends: be('v2') },
          { path: '/api/v2/health', pathType: 'Exact', backends: be('health') },
        ],
      },
    ],
    { defaultBackend: { service: { name: 'dflt', port: 80 }, endpoints: [] } },
  );
  const svc = (path: string) => choose(e, { host: 'a.test', path }).backend?.service?.name;
  assert.equal(svc('/api/v2/health'), 'health');
  assert.equal(svc('/api/v2/health/x'), 'v2');
  assert.equal(svc('/api/v2x'), 'api', '/api/v2 does not match /api/v2x (element-wise prefix)');
  assert.equal(svc('/other?q=1'), 'root');
  const other = choose(
    route([{ host: 'a.test', paths: [{ path: '/api', pathType: 'Exact', backends: be('api') }] }], {
      defaultBackend: { service: { name: 'dflt', port: 80 }, endpoints: [] },
    }),
    { host: 'a.test', path: '/nope' },
  );
  assert.deepEqual([other.backend?.service?.name, other.viaDefaultBackend], ['dflt', true]);
});

test('choose: usage errors for a default-backend-only Ingress, a relative --path, a host with several paths', () => {
  assert.throws(
    () => choose(route([], { defaultBackend: { service: { name: 'd', port: 80 }, endpoints: [] } }), {}),
    (e: unknown) => e instanceof UsageError && /only a default backend/.test(e.message),
  );
  assert.throws(
    () =>
      choose(route([{ host: 'a.test', paths: [{ path: '/x', pathType: 'Prefix', backends: be('x') }] }]), {
        path: 'x',
      }),
    (e: unknown) => e instanceof UsageError && /must start with "\/"/.test(e.message),
  );
  const two = route([
    {
      host: 'a.test',
      paths: [
        { path: '/x', pathType: 'Prefix', backends: be('x') },
        { path: '/y', pathType: 'Prefix', backends: be('y') },
      ],
    },
  ]);
  assert.throws(
    () => choose(two, { host: 'a.test' }),
    (e: unknown) =>
      e instanceof UsageError &&
      /give --path: host a\.test has 2 literal paths/.test(e.message) &&
      e.candidates!.length === 2,
  );
  assert.equal(choose(two, { path: '/y' }).host, 'a.test', 'the one literal host is taken');
});

test('hostMatches and pathMatches: wildcards cover one label, case-insensitive hosts, regex and trailing slashes', () => {
  assert.equal(hostMatches('*.apps.test', 'web.apps.test'), true);
  assert.equal(hostMatches('*.apps.test', 'a.b.apps.test'), false);
  assert.equal(hostMatches('*.apps.test', 'apps.test'), false);
  assert.equal(hostMatches('Shop.Test', 'shop.test'), true);
  assert.equal(hostMatches(null, 'anything'), true);
  assert.equal(pathMatches({ path: '/orders/', pathType: 'Prefix' }, '/orders'), true);
  assert.equal(pathMatches({ path: '/orders', pathType: 'Prefix' }, '/orders/1'), true);
  assert.equal(pathMatches({ path: '/orders', pathType: 'Prefix' }, '/ordersx'), false);
  assert.equal(pathMatches({ path: '/orders', pathType: 'Exact' }, '/orders/'), false);
  assert.equal(pathMatches({ path: '/v[0-9]+/', pathType: 'RegularExpression' }, '/v2/x'), true);
  assert.equal(
    pathMatches({ path: '/v[', pathType: 'RegularExpression' }, '/v['),
    false,
    'a bad regex matches nothing, it does not throw',
  );
});
