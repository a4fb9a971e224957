import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choose, pathMatches } from '../../src/core/probe/choose';
import { UsageError } from '../../src/core/errors';
import type { RouteEntry } from '../../src/core/kube/routes';

const be = (name: string) => [{ service: { name, port: 80 }, endpoints: [] }];
const entry = (rules: RouteEntry['rules'], extra: Partial<RouteEntry> = {}): RouteEntry => ({
  kind: 'Ingress',
  namespace: 'shop',
  name: 'x',
  addresses: [],
  tls: [],
  rules,
  ...extra,
});

test('one host and path is probed there', () => {
  const c = choose(
    entry([{ host: 'shop.test', paths: [{ path: '/orders', pathType: 'Prefix', backends: be('orders') }] }]),
    {},
  );
  assert.equal(c.host, 'shop.test');
  assert.equal(c.path, '/orders');
  assert.equal(c.backend?.service?.name, 'orders');
});

test('several candidates need a choice, listed in the error', () => {
  const e = entry([
    {
      host: 'api.test',
      paths: [
        { path: '/orders', pathType: 'Prefix', backends: be('orders') },
        { path: '/inventory/stock', pathType: 'Exact', backends: be('inventory') },
      ],
    },
  ]);
  assert.throws(
    () => choose(e, {}),
    (err: unknown) =>
      err instanceof UsageError && err.candidates!.length === 2 && /--path \/inventory\/stock/.test(err.candidates![1]),
  );
  const c = choose(e, { path: '/inventory/stock' });
  assert.equal(c.host, 'api.test');
  assert.equal(c.backend?.service?.name, 'inventory');
});

test('wildcard hosts and ImplementationSpecific paths need --host/--path', () => {
  assert.throws(
    () => choose(entry([{ host: null, paths: [{ path: '/', pathType: 'Prefix', backends: be('a') }] }]), {}),
    UsageError,
  );
  assert.throws(
    () =>
      choose(
        entry([{ host: 'a.test', paths: [{ path: '/x(.*)', pathType: 'ImplementationSpecific', backends: be('a') }] }]),
        {},
      ),
    UsageError,
  );
  const c = choose(entry([{ host: '*.apps.test', paths: [{ path: '/', pathType: 'Prefix', backends: be('a') }] }]), {
    host: 'web.apps.test',
  });
  assert.equal(c.backend?.service?.name, 'a');
});

test('exact beats prefix, the longest prefix wins, and no match falls to the default backend', () => {
  const e = entry(
    [
      {
        host: 'h',
        paths: [
          { path: '/', pathType: 'Prefix', backends: be('root') },
          { path: '/orders', pathType: 'Prefix', backends: be('orders') },
          { path: '/orders/fail', pathType: 'Exact', backends: be('fail') },
        ],
      },
    ],
    { defaultBackend: { service: { name: 'def', port: 80 }, endpoints: [] } },
  );
  assert.equal(choose(e, { host: 'h', path: '/orders/fail' }).backend?.service?.name, 'fail');
  assert.equal(choose(e, { host: 'h', path: '/orders/7' }).backend?.service?.name, 'orders');
  assert.equal(choose(e, { host: 'h', path: '/other' }).backend?.service?.name, 'root');
  const d = choose(entry([], { defaultBackend: { service: { name: 'def', port: 80 }, endpoints: [] } }), {
    host: 'any',
    path: '/z',
  });
  assert.equal(d.viaDefaultBackend, true);
  assert.equal(d.backend?.service?.name, 'def');
});

test('Prefix matching follows path elements, not characters', () => {
  assert.equal(pathMatches({ path: '/orders', pathType: 'Prefix' }, '/orders'), true);
  assert.equal(pathMatches({ path: '/orders', pathType: 'Prefix' }, '/orders/1?x=1'), true);
  assert.equal(pathMatches({ path: '/orders', pathType: 'Prefix' }, '/ordersx'), false);
  assert.equal(pathMatches({ path: '/orders/', pathType: 'Prefix' }, '/orders'), true);
});
