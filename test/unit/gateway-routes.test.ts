// The Gateway API in the listing and in a probe's choice: parents with their verdict, the gateways view,
// the request built for an HTTPRoute match, and route references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildEntries, type ClusterSnapshot } from '../../src/core/kube/route-tree';
import { buildGateways, GatewayIndex, hostnamesIntersect } from '../../src/core/kube/gateway-tree';
import type { Gateway, GatewayClass, HTTPRoute } from '../../src/core/kube/objects';
import { chooseRouteMatch } from '../../src/core/probe/choose-route';
import { matchAccepts, requestForMatch } from '../../src/core/probe/route-match';
import { parseRouteRef } from '../../src/core/probe/route-ref';
import { UsageError } from '../../src/core/errors';

const NGF = 'gateway.nginx.org/nginx-gateway-controller';
const cond = (type: string, status: string, reason: string) => ({ type, status, reason });
const gatewayClass: GatewayClass = { metadata: { name: 'nginx' }, spec: { controllerName: NGF } };
const gateway: Gateway = {
  metadata: { namespace: 'nginx-gateway', name: 'shop-gateway' },
  spec: {
    gatewayClassName: 'nginx',
    listeners: [
      { name: 'http', hostname: '*.kubetrace.test', port: 80, protocol: 'HTTP' },
      { name: 'https', hostname: '*.kubetrace.test', port: 443, protocol: 'HTTPS' },
    ],
  },
  status: {
    addresses: [{ type: 'IPAddress', value: '127.10.170.3' }],
    listeners: [
      { name: 'http', attachedRoutes: 2 },
      { name: 'https', attachedRoutes: 2 },
    ],
  },
};
const parentRef = { name: 'shop-gateway', namespace: 'nginx-gateway' };
const accepted = (section?: string) => ({
  parentRef: { ...parentRef, ...(section ? { sectionName: section } : {}) },
  controllerName: NGF,
  conditions: [cond('Accepted', 'True', 'Accepted'), cond('ResolvedRefs', 'True', 'ResolvedRefs')],
});
const orders: HTTPRoute = {
  metadata: { namespace: 'shop', name: 'orders-route' },
  spec: {
    parentRefs: [parentRef],
    hostnames: ['shop.kubetrace.test'],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/orders' }, headers: [{ name: 'X-Canary', value: 'true' }] }],
        backendRefs: [{ name: 'orders-canary', port: 80 }],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/orders' } }],
        backendRefs: [
          { name: 'orders', port: 80, weight: 90 },
          { name: 'orders-canary', port: 80, weight: 10 },
        ],
      },
    ],
  },
  status: { parents: [accepted()] },
};
const stray: HTTPRoute = {
  metadata: { namespace: 'shop', name: 'stray-route' },
  spec: { parentRefs: [{ ...parentRef, sectionName: 'http' }], hostnames: ['other.example.com'], rules: [{}] },
  status: {
    parents: [
      {
        parentRef: { ...parentRef, sectionName: 'http' },
        controllerName: NGF,
        conditions: [cond('Accepted', 'False', 'NoMatchingListenerHostname')],
      },
    ],
  },
};
const snapshot: ClusterSnapshot = {
  ingresses: [],
  httpRoutes: [orders, stray],
  httpRoutesMissing: false,
  classes: [],
  services: [],
  slices: [],
  pods: [],
  gateways: [gateway],
  gatewayClasses: [gatewayClass],
};

test('an HTTPRoute entry names its controller, parents (listener, verdict, addresses) and match extras', () => {
  const entries = buildEntries(snapshot);
  const e = entries.find((x) => x.name === 'orders-route')!;
  assert.equal(e.controller, NGF);
  assert.deepEqual(e.addresses, ['127.10.170.3']);
  assert.deepEqual(e.parents, [
    { gateway: { namespace: 'nginx-gateway', name: 'shop-gateway' }, accepted: true, addresses: ['127.10.170.3'] },
  ]);
  assert.deepEqual(e.rules[0].paths[0].matches, { headers: [{ name: 'X-Canary', value: 'true', type: 'Exact' }] });
  assert.equal(e.rules[0].paths[1].matches, undefined);
  assert.deepEqual(
    e.rules[0].paths[1].backends.map((b) => b.weight),
    [90, 10],
  );
});

test('a route its Gateway did not accept says why, plainly, and has no address', () => {
  const e = buildEntries(snapshot).find((x) => x.name === 'stray-route')!;
  assert.equal(e.parents?.[0].accepted, false);
  assert.equal(e.parents?.[0].sectionName, 'http');
  assert.deepEqual(e.parents?.[0].listener, { name: 'http', hostname: '*.kubetrace.test', port: 80, protocol: 'HTTP' });
  assert.match(e.parents![0].reason!, /Accepted False: NoMatchingListenerHostname/);
  assert.deepEqual(e.addresses, []);
});

test('no status yet, or a missing Gateway, is not accepted, with the reason', () => {
  const pending = { ...orders, metadata: { namespace: 'shop', name: 'p' }, status: undefined };
  const lost = {
    ...orders,
    metadata: { namespace: 'shop', name: 'l' },
    spec: { ...orders.spec, parentRefs: [{ name: 'gone' }] },
  };
  const idx = new GatewayIndex([gateway], [gatewayClass]);
  assert.match(idx.parents(pending)[0].reason!, /has not set Accepted/);
  assert.equal(idx.parents(lost)[0].accepted, false);
  assert.match(idx.parents(lost)[0].reason!, /Gateway shop\/gone not found/);
});

test('kubetrace gateways: listeners, addresses, attached routes with their verdicts', () => {
  const [v] = buildGateways(new GatewayIndex([gateway], [gatewayClass]), [orders, stray]);
  assert.equal(v.controller, NGF);
  assert.equal(v.className, 'nginx');
  assert.deepEqual(v.addresses, ['127.10.170.3']);
  assert.deepEqual(
    v.listeners.map((l) => [l.name, l.hostname, l.port, l.protocol, l.attachedRoutes]),
    [
      ['http', '*.kubetrace.test', 80, 'HTTP', 2],
      ['https', '*.kubetrace.test', 443, 'HTTPS', 2],
    ],
  );
  assert.deepEqual(
    v.routes.map((r) => [r.name, r.accepted]),
    [
      ['orders-route', true],
      ['stray-route', false],
    ],
  );
});

test('hostnames intersect by wildcard suffix', () => {
  assert.ok(hostnamesIntersect('*.kubetrace.test', 'shop.kubetrace.test'));
  assert.ok(hostnamesIntersect('shop.kubetrace.test', undefined));
  assert.ok(!hostnamesIntersect('*.kubetrace.test', 'kubetrace.test'));
  assert.ok(!hostnamesIntersect('a.example.com', 'b.example.com'));
});

const entry = () => buildEntries(snapshot).find((x) => x.name === 'orders-route')!;
const parent = () => ({
  ...entry().parents![0],
  listener: { name: 'http', hostname: '*.kubetrace.test', port: 80, protocol: 'HTTP' },
});

test('choice: without the header, the plain rule (weighted); with it, the header rule', () => {
  const plain = chooseRouteMatch(entry(), parent(), {});
  assert.equal(plain.host, 'shop.kubetrace.test');
  assert.equal(plain.path, '/orders');
  assert.deepEqual(plain.headers, {});
  assert.equal(plain.backend?.service?.name, 'orders');
  const canary = chooseRouteMatch(entry(), parent(), { headers: { 'x-canary': 'true' } });
  assert.equal(canary.backend?.service?.name, 'orders-canary');
});

test('choice: a match whose header the user did not give is still chosen when it is the only one', () => {
  const only = { ...entry() };
  only.rules = only.rules.map((r) => ({ ...r, paths: [r.paths[0]] }));
  const c = chooseRouteMatch(only, parent(), {});
  assert.deepEqual(c.headers, { 'X-Canary': 'true' });
});

test('choice: a route with no hostname and a wildcard listener needs --host', () => {
  const e = { ...entry(), rules: entry().rules.map((r) => ({ ...r, host: null })) };
  assert.throws(
    () => chooseRouteMatch(e, parent(), {}),
    (err: unknown) => err instanceof UsageError && /give --host/.test(err.message),
  );
  assert.equal(chooseRouteMatch(e, parent(), { host: 'x.kubetrace.test' }).host, 'x.kubetrace.test');
});

test('route references', () => {
  assert.deepEqual(parseRouteRef('shop/orders'), { namespace: 'shop', name: 'orders' });
  assert.deepEqual(parseRouteRef('ingress/shop/orders'), { kind: 'Ingress', namespace: 'shop', name: 'orders' });
  assert.deepEqual(parseRouteRef('httproute/shop/orders-route'), {
    kind: 'HTTPRoute',
    namespace: 'shop',
    name: 'orders-route',
  });
  for (const bad of ['orders', 'svc/shop/orders', 'a/b/c/d', 'shop/', '/x'])
    assert.throws(() => parseRouteRef(bad), UsageError, bad);
});

// Property: the request built for a match is accepted by that match (the probe reaches the rule it chose).
const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/);
const value = fc.stringMatching(/^[A-Za-z0-9 ._~:/?#@!$&'()*+,;=%-]{0,12}$/);
const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/);
const matchArb = fc.record({
  pathType: fc.constantFrom('PathPrefix', 'Exact'),
  path: fc.array(segment, { maxLength: 3 }).map((s) => `/${s.join('/')}`),
  headers: fc.uniqueArray(fc.record({ name: token, value: value.map((v) => v.trim()) }), {
    maxLength: 3,
    selector: (h) => h.name.toLowerCase(),
  }),
  queryParams: fc.uniqueArray(fc.record({ name: token, value }), { maxLength: 3, selector: (q) => q.name }),
  method: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), { nil: undefined }),
});

test('property: a request built for an HTTPRoute match is matched by it', () => {
  fc.assert(
    fc.property(matchArb, (m) => {
      const spec = {
        path: m.path,
        pathType: m.pathType,
        matches: {
          ...(m.headers.length ? { headers: m.headers.map((h) => ({ ...h, type: 'Exact' })) } : {}),
          ...(m.queryParams.length ? { queryParams: m.queryParams.map((q) => ({ ...q, type: 'Exact' })) } : {}),
          ...(m.method ? { method: m.method } : {}),
        },
      };
      const req = requestForMatch(spec);
      assert.ok(req.path.split('?')[0] === m.path, 'the path itself is never changed');
      assert.ok(
        matchAccepts(spec, { method: req.method ?? 'GET', path: req.path, headers: req.headers }),
        JSON.stringify(req),
      );
    }),
  );
});

test('a request without a required header, or with another method, is not matched', () => {
  const spec = {
    path: '/orders',
    pathType: 'PathPrefix',
    matches: { headers: [{ name: 'X-A', value: '1', type: 'Exact' }], method: 'POST' },
  };
  assert.ok(!matchAccepts(spec, { method: 'POST', path: '/orders', headers: {} }));
  assert.ok(!matchAccepts(spec, { method: 'GET', path: '/orders', headers: { 'x-a': '1' } }));
  assert.ok(matchAccepts(spec, { method: 'POST', path: '/orders/1', headers: { 'x-a': '1' } }));
  assert.ok(!matchAccepts(spec, { method: 'POST', path: '/ordersx', headers: { 'x-a': '1' } }));
});

test('fuzz counterexample (seed -806739750): an HTTPRoute whose parentRefs is a string lists without parents', () => {
  const odd = { ...orders, spec: { ...orders.spec, parentRefs: '' as unknown as [] } };
  const [e] = buildEntries({ ...snapshot, httpRoutes: [odd] });
  assert.deepEqual(e.parents, []);
  assert.equal(e.controller, undefined);
});

test('the text listing shows each parent with its verdict and each match with what it requires', async () => {
  const { renderEntry } = await import('../../src/cli/commands/ingresses');
  const { renderGateway } = await import('../../src/cli/commands/gateways');
  const text = buildEntries(snapshot).map(renderEntry).join('\n');
  assert.match(text, /● parent Gateway nginx-gateway\/shop-gateway/);
  assert.match(
    text,
    /○ parent Gateway nginx-gateway\/shop-gateway {2}listener http HTTP \*\.kubetrace\.test:80 {2}\(Accepted False: NoMatchingListenerHostname\)/,
  );
  assert.match(text, /\/orders {2}\(PathPrefix\) {2}header X-Canary=true/);
  const gw = renderGateway(buildGateways(new GatewayIndex([gateway], [gatewayClass]), [orders, stray])[0]);
  assert.match(gw, /listener https {2}HTTPS \*\.kubetrace\.test:443 {2}attached routes: 2/);
  assert.match(gw, /○ HTTPRoute shop\/stray-route {2}\(Accepted False: NoMatchingListenerHostname\)/);
});
