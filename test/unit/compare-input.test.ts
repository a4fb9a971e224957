// "Compare With Route..." without VS Code: which routes are offered for the other side and in which order, which one
// is pre-selected, the probe count's rule and when a comparison needs consent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteEntry } from '../../src/core/kube/routes';
import { checkProbeCount, compareNeedsConsent, routeChoices } from '../../src/vscode/compare-input';

const route = (kind: RouteEntry['kind'], namespace: string, name: string): RouteEntry => ({
  kind,
  namespace,
  name,
  addresses: [],
  tls: [],
  rules: [],
});
/** A route whose one path goes to `service`, needing a header when `header` is given. */
const to = (e: RouteEntry, service: string, header?: string): RouteEntry => ({
  ...e,
  rules: [
    {
      host: null,
      paths: [
        {
          path: '/orders',
          pathType: 'PathPrefix',
          ...(header ? { matches: { headers: [{ name: header, value: 'gold', type: 'Exact' }] } } : {}),
          backends: [{ service: { name: service, port: 80 }, endpoints: [] }],
        },
      ],
    },
  ],
});
const ENTRIES = [
  to(route('Ingress', 'shop', 'orders'), 'orders'),
  route('Ingress', 'catalog', 'catalog'),
  route('HTTPRoute', 'shop', 'health-split'),
  to(route('HTTPRoute', 'shop', 'orders-route'), 'orders'),
  to(route('HTTPRoute', 'shop', 'orders-gold'), 'orders', 'X-Customer-Tier'),
  // Same stem and backend, first in order, but no Gateway accepted it: offered, never pre-selected.
  {
    ...to(route('HTTPRoute', 'shop', 'orders-grpc'), 'orders'),
    parents: [{ gateway: { namespace: 'nginx-gateway', name: 'shop-gateway' }, accepted: false, addresses: [] }],
  },
  route('HTTPRoute', 'catalog', 'catalog-route'),
];
const labels = (x: ReturnType<typeof routeChoices>) => x.choices.map((c) => `${c.description} ${c.label}`);

test('an Ingress is offered the HTTPRoutes first, its twin pre-selected, never itself', () => {
  const r = routeChoices(ENTRIES, ENTRIES[0]);
  assert.deepEqual(labels(r), [
    'HTTPRoute catalog/catalog-route',
    'HTTPRoute shop/health-split',
    'HTTPRoute shop/orders-gold',
    'HTTPRoute · not accepted by its Gateway shop/orders-grpc',
    'HTTPRoute shop/orders-route',
    'Ingress catalog/catalog',
  ]);
  // Same stem, same backend, same namespace; orders-gold also needs a header the Ingress never asked for.
  assert.equal(r.choices[r.preselect].label, 'shop/orders-route');
});

test('an HTTPRoute is offered the Ingresses first; no twin means nothing pre-selected', () => {
  const r = routeChoices(
    ENTRIES,
    ENTRIES.find((e) => e.name === 'catalog-route')!,
  );
  assert.deepEqual(labels(r).slice(0, 2), ['Ingress catalog/catalog', 'Ingress shop/orders']);
  assert.equal(r.choices[r.preselect].label, 'catalog/catalog');
  assert.equal(routeChoices(ENTRIES, ENTRIES[2]).preselect, -1);
  assert.deepEqual(routeChoices([ENTRIES[0]], ENTRIES[0]).choices, []);
});

test('1 to 50 probes per route; consent outside the sandbox above 20 requests', () => {
  for (const ok of ['1', ' 3 ', '50']) assert.equal(checkProbeCount(ok), undefined, ok);
  for (const bad of ['0', '51', '2.5', 'x', '', '-1']) assert.match(checkProbeCount(bad) ?? '', /1 to 50/, bad);
  assert.equal(compareNeedsConsent(false, 10), false, '20 requests');
  assert.equal(compareNeedsConsent(false, 11), true, '22 requests');
  assert.equal(compareNeedsConsent(true, 50), false, 'the sandbox');
});
