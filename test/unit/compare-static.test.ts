// The static migration compare (src/core/compare/static.ts) for paths, the default backend and annotations; the sandbox
// pair; properties over garbage objects and exact mirrors (fast-check prints the seed of a failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { notCarriedOver } from '../../src/core/compare/static';
import type { HTTPRoute, HTTPRouteMatch, Ingress } from '../../src/core/kube/objects';
import { demoManifestsDir } from '../../src/sandbox/manifest-loader';
import { edits, junk, mutate } from '../fixtures/kube/mutate';

const NG = 'nginx.ingress.kubernetes.io/';
const svc = { service: { name: 'app', port: { number: 80 } } };
// "path type", split at the last space (a regex path may hold spaces).
const ingressPath = (p: string) => {
  const i = p.lastIndexOf(' ');
  return { path: p.slice(0, i), pathType: p.slice(i + 1), backend: svc };
};
const ingress = (
  rules: { host?: string; paths: string[] }[],
  annotations?: Record<string, string>,
  extra: Partial<NonNullable<Ingress['spec']>> = {},
): Ingress => ({
  metadata: { name: 'a', namespace: 'ns', ...(annotations ? { annotations } : {}) },
  spec: {
    ...extra,
    rules: rules.map((r) => ({
      ...(r.host ? { host: r.host } : {}),
      http: { paths: r.paths.map(ingressPath) },
    })),
  },
});
type Rule = NonNullable<NonNullable<HTTPRoute['spec']>['rules']>[number];
const route = (hostnames: string[] | undefined, rules: Rule[]): HTTPRoute => ({
  metadata: { name: 'b', namespace: 'ns' },
  spec: { ...(hostnames ? { hostnames } : {}), rules },
});
const match = (type: string, value: string, more: Omit<HTTPRouteMatch, 'path'> = {}): HTTPRouteMatch => ({
  path: { type, value },
  ...more,
});
const rule = (...matches: HTTPRouteMatch[]): Rule => ({ matches, backendRefs: [{ name: 'app', port: 80 }] });
const whats = (i: Ingress, r: HTTPRoute[]) => notCarriedOver(i, r).map((x) => x.what);

test('the sandbox pair: orders-route serves /orders on another host than the orders Ingress', () => {
  const docs = parseAllDocuments(readFileSync(join(demoManifestsDir(), '20-shop.yaml'), 'utf8')).map(
    (d) => d.toJS() as { kind?: string; metadata?: { name?: string } },
  );
  const ing = docs.find((d) => d.kind === 'Ingress' && d.metadata?.name === 'orders') as Ingress;
  const rt = docs.find((d) => d.kind === 'HTTPRoute' && d.metadata?.name === 'orders-route') as HTTPRoute;
  assert.deepEqual(notCarriedOver(ing, [rt]), [
    {
      what: 'path shop.kubetrace.test /orders',
      detail:
        'No HTTPRoute rule for host shop.kubetrace.test matches Prefix /orders (the route has it for ' +
        'gw.kubetrace.test only), so the Gateway answers those requests with 404.',
    },
  ]);
  // The same route on the Ingress's host carries everything over.
  assert.deepEqual(notCarriedOver(ing, [{ ...rt, spec: { ...rt.spec, hostnames: ['shop.kubetrace.test'] } }]), []);
});

test('paths: prefixes cover on whole segments, exact paths by Exact or a covering prefix', () => {
  const ing = ingress([{ host: 'h.test', paths: ['/a Prefix', '/a/b Exact', '/c Exact'] }]);
  assert.deepEqual(whats(ing, [route(['h.test'], [rule(match('PathPrefix', '/'))])]), []);
  assert.deepEqual(whats(ing, [route(['h.test'], [rule(match('PathPrefix', '/a/'), match('Exact', '/c'))])]), []);
  assert.deepEqual(whats(ing, [route(['h.test'], [rule(match('PathPrefix', '/a/b'), match('PathPrefix', '/cc'))])]), [
    'path h.test /a',
    'path h.test /c',
  ]);
  // An Exact route match carries over only the exact path of a Prefix.
  const [onlyExact] = notCarriedOver(ingress([{ host: 'h.test', paths: ['/a Prefix'] }]), [
    route(['h.test'], [rule(match('Exact', '/a'))]),
  ]);
  assert.equal(onlyExact.what, 'path h.test /a (only partly)');
  assert.match(onlyExact.detail, /on host h\.test only for the exact path \/a; other requests/);
});

test('paths: ImplementationSpecific is nginx string prefix; a rule without matches catches every path', () => {
  const is = ingress([{ host: 'h.test', paths: ['/a ImplementationSpecific', '/b/ ImplementationSpecific'] }]);
  const out = notCarriedOver(is, [route(['h.test'], [rule(match('PathPrefix', '/a'), match('PathPrefix', '/b'))])]);
  assert.deepEqual(out.length, 1);
  assert.equal(out[0].what, 'path h.test /a (only partly)');
  assert.match(out[0].detail, /only on whole path segments \(ingress-nginx also matched \/a-x/);
  assert.deepEqual(whats(is, [route(['h.test'], [{ backendRefs: [{ name: 'app' }] }])]), []);
});

test('paths: hosts follow Gateway API (wildcards of one or more labels, no hostnames = any host)', () => {
  const ing = ingress([
    { host: 'a.example.com', paths: ['/ Prefix'] },
    { host: 'x.a.example.com', paths: ['/ Prefix'] },
    { host: '*.example.com', paths: ['/ Prefix'] },
    { host: 'example.com', paths: ['/ Prefix'] },
  ]);
  assert.deepEqual(whats(ing, [route(['*.example.com'], [rule(match('PathPrefix', '/'))])]), ['path example.com /']);
  assert.deepEqual(whats(ing, [route(undefined, [rule(match('PathPrefix', '/'))])]), []);
  assert.deepEqual(whats(ing, [route(['A.Example.com', 'example.com'], [rule(match('PathPrefix', '/'))])]), [
    'path x.a.example.com /',
    'path *.example.com / (only partly)',
  ]);
  // An Ingress rule without a host serves every host: a route with hostnames carries it over only for those.
  const [any] = notCarriedOver(ingress([{ paths: ['/ Prefix'] }]), [
    route(['a.test'], [rule(match('PathPrefix', '/'))]),
  ]);
  assert.equal(any.what, 'path * / (only partly)');
  assert.match(any.detail, /on every host \(the Ingress rule names none\) only for host a\.test;/);
});

test('paths: header, query and method matches are notes; credential values are not printed', () => {
  const ing = ingress([{ host: 'h.test', paths: ['/a Prefix'] }]);
  const [n] = notCarriedOver(ing, [
    route(undefined, [
      rule(
        match('PathPrefix', '/a', { headers: [{ name: 'X-Tier', value: 'gold' }], method: 'GET' }),
        match('PathPrefix', '/', {
          headers: [{ name: 'Authorization', value: 'Bearer s3cr3t' }],
          queryParams: [{ name: 'v', value: '2' }],
        }),
      ),
    ]),
  ]);
  assert.equal(n.what, 'path h.test /a (only partly)');
  assert.equal(
    n.detail,
    'The route carries over Prefix /a on host h.test only with header X-Tier: gold and with method GET, or with ' +
      'header Authorization and with query parameter v=2; other requests to it match no route rule.',
  );
  assert.doesNotMatch(n.detail, /s3cr3t/);
});

test('paths: regular expressions are "cannot tell", never a guess', () => {
  const ing = ingress([{ host: 'h.test', paths: ['/a Prefix'] }]);
  const [r] = notCarriedOver(ing, [route(['h.test'], [rule(match('RegularExpression', '/a.*'))])]);
  assert.equal(r.what, 'path h.test /a (regex match on route)');
  assert.match(r.detail, /cannot tell/);
  const re = ingress([{ host: 'h.test', paths: ['/api(/|$)(.*) ImplementationSpecific'] }], {
    [`${NG}use-regex`]: 'true',
  });
  assert.deepEqual(whats(re, [route(['h.test'], [rule(match('PathPrefix', '/api'))])]), [
    'path h.test /api(/|$)(.*) (regex path on Ingress)',
    `${NG}use-regex`,
  ]);
  assert.deepEqual(
    whats(re, [route(['h.test'], [rule(match('PathPrefix', '/'), match('RegularExpression', '/x'))])]),
    [],
  );
});

test('the default backend is reported unless a route without hostnames catches every path', () => {
  const ing = ingress([{ host: 'h.test', paths: ['/a Prefix'] }], undefined, { defaultBackend: svc });
  const out = notCarriedOver(ing, [route(['h.test'], [rule(match('PathPrefix', '/'))])]);
  assert.deepEqual(out, [
    {
      what: 'defaultBackend',
      detail:
        'The Ingress sends requests that match none of its rules to service app:80, but no route rule matches ' +
        'every host and path, so the Gateway answers those with 404.',
    },
  ]);
  assert.deepEqual(whats(ing, [route(undefined, [rule(match('PathPrefix', '/'))])]), []);
});

test('annotations: each known one is listed only while the route lacks its counterpart', () => {
  const ing = (a: Record<string, string>) => ingress([{ host: 'h.test', paths: ['/ Prefix'] }], a);
  const base = rule(match('PathPrefix', '/'));
  const cases: [string, string, Rule | undefined][] = [
    ['rewrite-target', '/$2', { ...base, filters: [{ type: 'URLRewrite' }] }],
    ['ssl-redirect', 'true', { ...base, filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }],
    [
      'force-ssl-redirect',
      'true',
      { ...base, filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] },
    ],
    ['proxy-read-timeout', '120', { ...base, timeouts: { request: '120s' } }],
    ['proxy-connect-timeout', '5', { ...base, timeouts: { backendRequest: '5s' } }],
    ['enable-cors', 'true', { ...base, filters: [{ type: 'CORS' }] }],
    ['canary-weight', '20', { ...base, backendRefs: [80, 20].map((weight, i) => ({ name: `b${i}`, weight })) }],
    ['use-regex', 'true', rule(match('PathPrefix', '/'), match('RegularExpression', '/.*'))],
    ['app-root', '/app', { ...base, filters: [{ type: 'RequestRedirect' }] }],
    ['proxy-body-size', '8m', undefined],
    ['limit-rps', '10', undefined],
    ['backend-protocol', 'GRPC', undefined],
    ['x-unheard-of', 'on', undefined],
  ];
  for (const [short, value, counterpart] of cases) {
    const without = notCarriedOver(ing({ [NG + short]: value }), [route(['h.test'], [base])]);
    assert.equal(without.length, 1, short);
    assert.equal(without[0].what, NG + short);
    assert.ok(without[0].detail.startsWith(`${short} "${value}" `), without[0].detail);
    if (counterpart)
      assert.deepEqual(notCarriedOver(ing({ [NG + short]: value }), [route(['h.test'], [counterpart])]), []);
  }
  assert.match(notCarriedOver(ing({ [`${NG}x-unheard-of`]: 'on' }), [])[1].detail, /no known Gateway API counterpart/);
  // Values that ask ingress-nginx for nothing leave nothing to carry over.
  for (const inert of ['ssl-redirect=false', 'use-regex=false', 'backend-protocol=HTTP']) {
    const [short, value] = inert.split('=');
    assert.deepEqual(notCarriedOver(ing({ [NG + short]: value }), [route(['h.test'], [base])]), [], short);
  }
});

test('annotations: credentials and raw configuration are named, never printed; sorted; others ignored', () => {
  const a = {
    [`${NG}server-snippet`]: 'set $token abc123;',
    [`${NG}auth-url`]: 'https://user:hunter2@auth.test/check',
    [`${NG}auth-secret`]: 'ns/basic-hunter2',
    [`${NG}auth-response-headers`]: 'X-User-hunter2',
    [`${NG}cors-allow-origin`]: 'https://a.test',
    'kubernetes.io/ingress.class': 'nginx',
  };
  const out = notCarriedOver(ingress([{ host: 'h.test', paths: ['/ Prefix'] }], a), [
    route(['h.test'], [rule(match('PathPrefix', '/'))]),
  ]);
  assert.deepEqual(
    out.map((x) => x.what),
    ['auth-response-headers', 'auth-secret', 'auth-url', 'cors-allow-origin', 'server-snippet'].map((s) => NG + s),
  );
  for (const x of out) assert.doesNotMatch(x.detail, /hunter2|abc123/, x.what);
  assert.match(out[2].detail, /^auth-url \(value not shown\) asks an external service.*SecurityPolicy/);
  assert.match(out[3].detail, /^cors-allow-origin "https:\/\/a\.test" /);
});

// A rich Ingress and route to mutate: every field the compare reads, with every kind of annotation.
const richIngress = ingress(
  [
    { host: 'a.test', paths: ['/a Prefix', '/b Exact', '/c(.*) ImplementationSpecific'] },
    { host: '*.w.test', paths: ['/ Prefix'] },
    { paths: ['/x ImplementationSpecific'] },
  ],
  Object.fromEntries(
    ['rewrite-target', 'auth-secret', 'canary-by-header', 'server-snippet', 'limit-rps', 'x'].map((s) => [NG + s, 'v']),
  ),
  { defaultBackend: svc },
);
const richRoutes: HTTPRoute[] = [
  route(
    ['a.test', '*.test'],
    [
      { ...rule(match('PathPrefix', '/a', { headers: [{ name: 'h', value: 'v', type: 'Exact' }] })), timeouts: {} },
      { matches: [match('RegularExpression', '/c.*')], filters: [{ type: 'URLRewrite' }] },
    ],
  ),
];

const wellFormed = (out: unknown) => {
  assert.ok(Array.isArray(out));
  for (const x of out as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(x).sort(), ['detail', 'what']);
    for (const v of [x.what, x.detail]) assert.ok(typeof v === 'string' && v.length > 0, String(v));
  }
};

test('property: garbage and mutated objects never throw and give well-formed, deterministic entries', () => {
  const call = (i: unknown, r: unknown) => notCarriedOver(i as Ingress, r as HTTPRoute[]);
  fc.assert(
    fc.property(edits(6), edits(6), fc.boolean(), (ei, er, wrap) => {
      const i = mutate(richIngress, ei);
      const r = mutate(wrap ? richRoutes : richRoutes[0], er);
      const out = call(i, r);
      wellFormed(out);
      assert.deepEqual(call(i, r), out);
    }),
    { numRuns: Number(process.env.KUBETRACE_FUZZ_RUNS ?? 1000) },
  );
  fc.assert(
    fc.property(junk(), junk(), (i, r) => wellFormed(call(i, r))),
    { numRuns: 500 },
  );
});

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
const hostArb = fc.oneof(
  fc.constant(undefined),
  fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => `${l.join('.')}.test`),
  fc.array(label, { minLength: 1, maxLength: 2 }).map((l) => `*.${l.join('.')}.test`),
);
const pathArb = fc.array(fc.stringMatching(/^[a-z0-9._-]{1,6}$/), { maxLength: 3 }).map((s) => `/${s.join('/')}`);
const rulesArb = fc.array(
  fc.record({
    host: hostArb,
    paths: fc.array(fc.tuple(pathArb, fc.constantFrom('Prefix', 'Exact')), { minLength: 1, maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 4 },
);

test('property: a route that mirrors the Ingress paths exactly leaves no path entry', () => {
  fc.assert(
    fc.property(rulesArb, (rules) => {
      const ing = ingress(rules.map((r) => ({ ...r, paths: r.paths.map(([p, t]) => `${p} ${t}`) })));
      const routes = rules.map((r) =>
        route(r.host ? [r.host] : undefined, [
          rule(...r.paths.map(([p, t]) => match(t === 'Prefix' ? 'PathPrefix' : 'Exact', p))),
        ]),
      );
      assert.deepEqual(notCarriedOver(ing, routes), []);
    }),
  );
});
