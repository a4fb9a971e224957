// The Gateways part of the cluster tree, built from recorded Gateway, GatewayClass and HTTPRoute objects shaped as
// the sandbox's (src/sandbox/manifests/25-gateway.yaml): which route shows under which listener, refused routes
// with their reason and no probe menu, and no part at all without the Gateway API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEntries, readRouteTree, type ClusterSnapshot } from '../../src/core/kube/route-tree';
import { buildGatewayParts, type GatewayPart } from '../../src/core/kube/gateway-nodes';
import { KubeApiError } from '../../src/core/kube/errors';
import type { KubeRequester } from '../../src/core/kube/request';
import type { Gateway, GatewayClass, HTTPRoute } from '../../src/core/kube/objects';
import { gatewayText, listenerRouteText, listenerText, matchText, routeContext } from '../../src/core/kube/tree-text';

const NGF = 'gateway.nginx.org/nginx-gateway-controller';
const gatewayClass: GatewayClass = { metadata: { name: 'nginx' }, spec: { controllerName: NGF } };
const gateway: Gateway = {
  metadata: { namespace: 'nginx-gateway', name: 'shop-gateway' },
  spec: {
    gatewayClassName: 'nginx',
    listeners: [
      { name: 'http', hostname: '*.kubetrace.test', port: 8080, protocol: 'HTTP' },
      { name: 'https', hostname: '*.kubetrace.test', port: 8443, protocol: 'HTTPS' },
    ],
  },
  status: {
    addresses: [{ type: 'IPAddress', value: '127.10.170.3' }],
    listeners: [
      { name: 'http', attachedRoutes: 2 },
      { name: 'https', attachedRoutes: 1 },
    ],
  },
};
const ref = { name: 'shop-gateway', namespace: 'nginx-gateway' };
const cond = (type: string, status: string, reason: string) => ({ type, status, reason, message: `${reason} here` });
const OK = [cond('Accepted', 'True', 'Accepted'), cond('ResolvedRefs', 'True', 'ResolvedRefs')];
function route(name: string, hostnames: string[], conditions: object[], sectionName?: string, ns = 'shop'): HTTPRoute {
  const parentRef = { ...ref, ...(sectionName ? { sectionName } : {}) };
  return {
    metadata: { namespace: ns, name },
    spec: {
      parentRefs: [parentRef],
      hostnames,
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/orders' }, headers: [{ name: 'X-Tier', value: 'gold' }] }],
          backendRefs: [
            { name: 'orders', port: 80, weight: 90 },
            { name: 'orders-canary', port: 80, weight: 10 },
          ],
        },
      ],
    },
    status: { parents: [{ parentRef, controllerName: NGF, conditions }] },
  } as HTTPRoute;
}
const orders = route('orders-route', ['gw.kubetrace.test'], OK);
const catalog = route('catalog-route', ['catalog-gw.kubetrace.test'], OK, 'http', 'catalog');
const grpc = route('orders-grpc', ['grpc.kubetrace.test'], [cond('Accepted', 'False', 'NoMatchingParent')], 'grpc');
const fenced = route('fenced', ['fenced.kubetrace.test'], [cond('Accepted', 'False', 'NotAllowedByListeners')], 'http');
const broken = route('broken', ['broken.kubetrace.test'], [OK[0], cond('ResolvedRefs', 'False', 'BackendNotFound')]);
const elsewhere = route('elsewhere', ['shop.example.com'], [cond('Accepted', 'False', 'NoMatchingListenerHostname')]);

function snapshot(routes: HTTPRoute[], gateways: Gateway[] = [gateway]): ClusterSnapshot {
  return {
    ingresses: [],
    httpRoutes: routes,
    httpRoutesMissing: false,
    classes: [],
    services: [],
    slices: [],
    pods: [],
    gateways,
    gatewayClasses: [gatewayClass],
  };
}
function parts(routes: HTTPRoute[], gateways?: Gateway[]): GatewayPart[] {
  const s = snapshot(routes, gateways);
  return buildGatewayParts(s, buildEntries(s));
}
const names = (rs: { entry: { name: string } }[]) => rs.map((r) => r.entry.name);
const listener = (p: GatewayPart, name: string) => p.listeners.find((l) => l.name === name)!;

test('the Gateway with its class, controller, address and listeners (name, hostname, port, protocol)', () => {
  const [p] = parts([orders]);
  assert.deepEqual(
    [p.namespace, p.name, p.className, p.controller, p.addresses],
    ['nginx-gateway', 'shop-gateway', 'nginx', NGF, ['127.10.170.3']],
  );
  assert.deepEqual(
    p.listeners.map((l) => [l.name, l.hostname, l.port, l.protocol, l.attachedRoutes]),
    [
      ['http', '*.kubetrace.test', 8080, 'HTTP', 2],
      ['https', '*.kubetrace.test', 8443, 'HTTPS', 1],
    ],
  );
  const t = gatewayText(p);
  assert.equal(t.label, 'shop-gateway');
  assert.equal(t.description, `nginx-gateway · nginx · ${NGF} · 127.10.170.3`);
  assert.equal(listenerText(p.listeners[0]).description, '*.kubetrace.test · 8080/HTTP');
});

test('an accepted route with no sectionName shows under every listener whose wildcard hostname it meets', () => {
  const [p] = parts([orders]);
  assert.deepEqual(names(listener(p, 'http').routes), ['orders-route']);
  assert.deepEqual(names(listener(p, 'https').routes), ['orders-route']);
  const r = listener(p, 'http').routes[0];
  assert.equal(r.problem, undefined);
  assert.equal(r.scope, 'Gateway/nginx-gateway/shop-gateway/http/');
  // The very entry of the top-level listing, so its rules, matches, weights and the probe commands are the same.
  const s = snapshot([orders]);
  assert.deepEqual(r.entry, buildEntries(s)[0]);
  assert.equal(routeContext(r.entry.kind, 'entry', !!r.problem), 'kubetrace.httproute');
  assert.deepEqual(
    r.entry.rules[0].paths[0].backends.map((b) => [b.service?.name, b.weight]),
    [
      ['orders', 90],
      ['orders-canary', 10],
    ],
  );
  assert.equal(matchText(r.entry.rules[0].paths[0]), 'PathPrefix · header X-Tier=gold');
});

test('sectionName puts a route under that listener only', () => {
  const [p] = parts([catalog, orders]);
  assert.deepEqual(names(listener(p, 'http').routes), ['catalog-route', 'orders-route']);
  assert.deepEqual(names(listener(p, 'https').routes), ['orders-route']);
  assert.match(listenerRouteText(listener(p, 'http').routes[0]).tooltip, /listener http/);
});

test('hostnames: a listener with none takes every route, a named one only routes whose hostnames meet it', () => {
  const open: Gateway = {
    metadata: { namespace: 'edge', name: 'open' },
    spec: {
      gatewayClassName: 'nginx',
      listeners: [
        { name: 'any', port: 80, protocol: 'HTTP' },
        { name: 'api', hostname: 'api.kubetrace.test', port: 81, protocol: 'HTTP' },
        { name: 'tls', port: 443, protocol: 'TLS' },
      ],
    },
  };
  const toOpen = (r: HTTPRoute): HTTPRoute => {
    const parentRef = { name: 'open', namespace: 'edge' };
    return {
      ...r,
      spec: { ...r.spec, parentRefs: [parentRef] },
      status: { parents: [{ parentRef, controllerName: NGF, conditions: OK }] },
    } as HTTPRoute;
  };
  const wild = toOpen(route('wild', ['*.kubetrace.test'], OK));
  const plain = toOpen(route('plain', ['gw.kubetrace.test'], OK));
  const nohost = toOpen(route('nohost', [], OK));
  const [p] = parts([wild, plain, nohost], [open]);
  assert.deepEqual(names(listener(p, 'any').routes), ['nohost', 'plain', 'wild']);
  assert.deepEqual(names(listener(p, 'api').routes), ['nohost', 'wild']);
  assert.deepEqual(names(listener(p, 'tls').routes), [], 'HTTPRoutes do not attach to a TLS listener');
  assert.equal(p.controller, NGF);
  assert.deepEqual(p.addresses, []);
});

test('a route its Gateway refused shows where it asked to be, with the reason, and is not offered for probing', () => {
  const [p] = parts([fenced, broken, grpc, elsewhere, orders]);
  const f = listener(p, 'http').routes.find((r) => r.entry.name === 'fenced')!;
  assert.equal(f.problem, 'not accepted: NotAllowedByListeners');
  assert.deepEqual(names(listener(p, 'https').routes), ['broken', 'orders-route']);
  const b = listener(p, 'https').routes[0];
  assert.equal(b.problem, 'references not resolved: BackendNotFound');
  // A listener the Gateway lacks, or no hostname in common: under the Gateway itself, not under a listener.
  assert.deepEqual(names(p.unattached), ['elsewhere', 'orders-grpc']);
  assert.equal(p.unattached[1].problem, 'not accepted: NoMatchingParent');
  assert.equal(p.unattached[1].scope, 'Gateway/nginx-gateway/shop-gateway/-/');
  assert.equal(p.unattached[0].problem, 'not accepted: NoMatchingListenerHostname');

  const t = listenerRouteText(f);
  assert.equal(t.description, 'not accepted: NotAllowedByListeners');
  assert.match(t.tooltip, /Not probed.*shop-gateway, listener http.*NotAllowedByListeners/s);
  assert.match(t.tooltip, /Accepted False: NotAllowedByListeners \(NotAllowedByListeners here\)/);
  assert.match(gatewayText(p).tooltip, /2 route\(s\) name this Gateway but attach to none/);
});

test('a refused route gets no probe menu; an accepted one keeps the menus it has today', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const probeMenus = (pkg.contributes.menus['view/item/context'] as { command: string; when: string }[])
    .filter((m) => /probe/i.test(m.command) && m.when.includes('view == kubetrace.cluster'))
    .map((m) => {
      const re = /viewItem =~ \/(.+)\/$/.exec(m.when)![1];
      return new RegExp(re.replace(/\\\\/g, '\\'));
    });
  assert.ok(probeMenus.length >= 3);
  const offered = (cv: string) => probeMenus.some((re) => re.test(cv));
  for (const level of ['entry', 'rule', 'path'] as const) {
    assert.equal(offered(routeContext('HTTPRoute', level, true)), false, level);
    assert.equal(offered(routeContext('Ingress', level, true)), false, level);
    assert.equal(offered(routeContext('Ingress', level)), true, `an Ingress ${level} is probed as before`);
  }
  // Even a menu that learned today's HTTPRoute value would not offer a refused route.
  assert.equal(/^kubetrace\.(ingress|rule|path|httproute)\b/.test(routeContext('HTTPRoute', 'entry', true)), false);
  assert.deepEqual(
    (['entry', 'rule', 'path'] as const).map((l) => routeContext('HTTPRoute', l)),
    ['kubetrace.httproute', 'kubetrace.routeRule', 'kubetrace.routePath'],
  );
});

test('a namespace-filtered listing leaves out the routes it filtered out, not the Gateway', () => {
  const s = snapshot([orders, catalog]);
  const [p] = buildGatewayParts(
    s,
    buildEntries(s).filter((e) => e.namespace === 'shop'),
  );
  assert.deepEqual(names(listener(p, 'http').routes), ['orders-route']);
});

test('without the Gateway API CRDs (404 on every list) there is no Gateways part, and no error', async () => {
  const lists = (path: string) => {
    if (path.includes('/apis/gateway.networking.k8s.io/'))
      throw new KubeApiError(`the server could not find ${path}`, undefined, 404, 'NotFound');
    return { items: [], metadata: {} };
  };
  const api = { json: async ({ path }: { path: string }) => lists(path) } as unknown as KubeRequester;
  const tree = await readRouteTree(api, { fallbackNamespace: 'default' });
  assert.deepEqual(tree.snapshot.gateways, []);
  assert.deepEqual(buildGatewayParts(tree.snapshot, tree.entries), []);
  // Recorded snapshots from before the Gateway API have no gateway fields at all.
  const old = JSON.parse(
    readFileSync(join(__dirname, '..', 'fixtures', 'kube', 'sandbox-snapshot.json'), 'utf8'),
  ) as ClusterSnapshot;
  assert.deepEqual(buildGatewayParts(old, buildEntries(old)), []);
  // Garbage from a loose CRD schema is skipped, not thrown at the tree.
  const junk = [null, { metadata: {} }, gateway] as unknown as Gateway[];
  assert.deepEqual(
    parts([orders], junk).map((p) => p.name),
    ['shop-gateway'],
  );
});
