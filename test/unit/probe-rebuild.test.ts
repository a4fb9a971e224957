// Rebuilding a probe from the summary a revived panel kept (target, URL, method), on the current listing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rebuildRequest } from '../../src/core/probe/rebuild';
import type { RouteEntry } from '../../src/core/kube/routes';

const entry = (namespace: string, name: string, kind: RouteEntry['kind'] = 'Ingress'): RouteEntry => ({
  kind,
  namespace,
  name,
  addresses: [],
  tls: [],
  rules: [],
});
const entries = [
  entry('shop', 'orders'),
  entry('shop', 'orders', 'HTTPRoute'),
  entry('catalog', 'catalog'),
  entry('shop', 'orders-route', 'HTTPRoute'),
];

test('the summary of a probe gives back its Ingress, host, path with query, and method', () => {
  const r = rebuildRequest('shop/orders', 'https://shop.kubetrace.test:36549/orders?page=2', 'GET', entries);
  assert.deepEqual(r && { ...r, entry: `${r.entry.kind} ${r.entry.namespace}/${r.entry.name}` }, {
    entry: 'Ingress shop/orders',
    host: 'shop.kubetrace.test',
    path: '/orders?page=2',
    method: 'GET',
  });
  assert.equal(
    rebuildRequest('shop/orders-route', 'http://api.kubetrace.test/x', 'POST', entries)?.entry.kind,
    'HTTPRoute',
  );
  assert.equal(rebuildRequest('catalog/catalog', 'http://[fd00::1]:8080/catalog', 'GET', entries)?.host, 'fd00::1');
});

test('a target no longer listed, or a summary that is not one, gives nothing', () => {
  assert.equal(rebuildRequest('shop/gone', 'https://shop.kubetrace.test/orders', 'GET', entries), undefined);
  for (const target of ['shop', 'shop/orders/x', '/orders', 'shop/'])
    assert.equal(rebuildRequest(target, 'https://h/p', 'GET', entries), undefined, target);
  for (const url of ['not a url', 'file:///etc/passwd', 'javascript:alert(1)', ''])
    assert.equal(rebuildRequest('shop/orders', url, 'GET', entries), undefined, url);
  for (const method of ['', 'GET /x', 'G\r\nX-Evil: 1', 'x'.repeat(33)])
    assert.equal(rebuildRequest('shop/orders', 'https://h/p', method, entries), undefined, JSON.stringify(method));
});

test('any saved state: an answer or undefined, never a throw, and what comes back is listed and well formed', () => {
  const target = fc.oneof(
    fc.constantFrom('shop/orders', 'catalog/catalog', 'shop/orders-route'),
    fc.string(),
    fc.anything(),
  );
  const url = fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string(), fc.anything());
  const method = fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE'), fc.string(), fc.anything());
  fc.assert(
    fc.property(target, url, method, (t, u, m) => {
      const r = rebuildRequest(t as string, u as string, m as string, entries);
      if (!r) return;
      assert.ok(entries.includes(r.entry));
      assert.ok(r.path.startsWith('/'));
      assert.ok(r.host.length > 0 && !/[\s/]/.test(r.host));
      assert.match(r.method, /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
    }),
    { numRuns: Number(process.env.KUBETRACE_FUZZ_RUNS ?? 3000) },
  );
});
