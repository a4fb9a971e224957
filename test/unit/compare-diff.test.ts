// The migration compare's verdict (src/core/compare/diff.ts): what two routes' answers differ in, which of those
// breaks a migration, and which values are per request and so say nothing about the route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareFacts, medianLayers, type Difference } from '../../src/core/compare/diff';
import type { ProbeFacts } from '../../src/core/compare/facts';

let n = 0;
function facts(over: Partial<ProbeFacts> = {}): ProbeFacts {
  n++;
  return {
    traceId: n.toString(16).padStart(32, '0'),
    host: 'shop.example',
    status: 200,
    headers: {
      'content-type': 'application/json',
      date: `Sat, 05 Dec 2026 20:00:${n % 60} GMT`,
      'x-request-id': `r${n}`,
    },
    bodyBytes: 42,
    bodySha256: 'a'.repeat(64),
    services: ['orders'],
    pods: ['orders-1'],
    received: {},
    propagated: true,
    tls: { protocol: 'TLSv1.3', subject: 'shop.example' },
    layers: { client: 10, ingress: 6, app: 4, total: 10 },
    ...over,
  };
}
const whats = (d: Difference[]) => d.map((x) => x.what);

test('the same answers through both routes differ in nothing, per-request headers included', () => {
  assert.deepEqual(compareFacts([facts(), facts(), facts()], [facts(), facts(), facts()]), []);
});

test('status, body, redirect and backends are errors; a changed header is a warning; Server is info', () => {
  const d = compareFacts(
    [facts({ headers: { server: 'nginx/1.22.1', 'cache-control': 'no-store' } })],
    [
      facts({
        status: 301,
        headers: { server: 'nginx', location: 'https://shop.example/orders', 'x-frame-options': 'DENY' },
        redirect: 'https://shop.example/orders',
        bodySha256: 'b'.repeat(64),
        bodyBytes: 7,
        services: ['inventory'],
      }),
    ],
  );
  const by = new Map(d.map((x) => [x.what, x]));
  assert.equal(by.get('status')?.severity, 'error');
  assert.deepEqual([by.get('status')?.a, by.get('status')?.b], ['200', '301']);
  assert.equal(by.get('redirect')?.severity, 'error');
  assert.equal(by.get('body')?.severity, 'error');
  assert.match(String(by.get('body')?.b), /^7 bytes, sha256 bbbbbbbbbbbb$/);
  assert.equal(by.get('backend services')?.severity, 'error');
  assert.equal(by.get('response header server')?.severity, 'info');
  assert.deepEqual(by.get('response header cache-control'), {
    what: 'response header cache-control',
    a: 'no-store',
    b: '(absent)',
    severity: 'warning',
  });
  assert.equal(by.get('response header x-frame-options')?.a, '(absent)');
  // Pods are only compared when the services agree: different services already say it.
  assert.ok(!by.has('pods'));
});

test('a value that changes per request on one side is compared by presence, and secrets are never shown', () => {
  const a = [facts({ headers: { etag: '"1"' } }), facts({ headers: { etag: '"2"' } })];
  const b = [facts({ headers: { etag: '"9"', 'set-cookie': 'session=s3cr3t' } }), facts({ headers: { etag: '"9"' } })];
  const d = compareFacts(a, b);
  assert.deepEqual(whats(d), ['response header set-cookie']);
  assert.equal(d[0].b, '(present)');
  assert.ok(!JSON.stringify(d).includes('s3cr3t'));
});

test('a body that varies per request is compared by size, with a margin', () => {
  const varying = (size: number, k: number) => facts({ bodySha256: String(k).repeat(64), bodyBytes: size });
  assert.deepEqual(compareFacts([varying(100, 1), varying(104, 2)], [varying(101, 3), varying(99, 4)]), []);
  const d = compareFacts([varying(100, 1), varying(104, 2)], [varying(300, 3), varying(310, 4)]);
  assert.deepEqual(whats(d), ['body size (the body varies per request)']);
  assert.equal(d[0].severity, 'warning');
});

test('what the app received, propagation and TLS are warnings; pods of the same service are info', () => {
  const d = compareFacts(
    [facts({ received: { 'x-forwarded-proto': 'https', 'x-request-id': 'r1' } })],
    [
      facts({
        received: { 'x-forwarded-proto': 'http', 'x-request-id': 'r2' },
        propagated: false,
        tls: undefined,
        pods: ['orders-2'],
      }),
    ],
  );
  const by = new Map(d.map((x) => [x.what, x]));
  assert.deepEqual(
    [...by.keys()].sort(),
    [
      'TLS certificate subject',
      'TLS protocol',
      'pods',
      'request header the app received x-forwarded-proto',
      'trace propagation',
    ].sort(),
  );
  assert.equal(by.get('pods')?.severity, 'info');
  assert.equal(by.get('TLS protocol')?.b, 'none');
  assert.equal(by.get('trace propagation')?.severity, 'warning');
});

test('a resumed TLS session (no peer certificate) is not a different certificate', () => {
  const resumed = facts({ tls: { protocol: 'TLSv1.3' } });
  assert.deepEqual(compareFacts([facts(), resumed], [facts(), facts()]), []);
  const d = compareFacts([facts(), resumed], [facts({ tls: { protocol: 'TLSv1.3', subject: '*.example' } })]);
  assert.deepEqual(
    d.map((x) => [x.what, x.a, x.b]),
    [['TLS certificate subject', 'shop.example', '*.example']],
  );
});

test('time is info, and only when a layer moved by half and 5 ms; untimed layers are left out', () => {
  const slow = facts({ layers: { client: 40, ingress: 6, app: 34, total: 40 } });
  const d = compareFacts([facts()], [slow]);
  assert.ok(d.every((x) => x.severity === 'info'));
  assert.deepEqual(whats(d).sort(), ['app time (median ms)', 'client time (median ms)', 'total time (median ms)']);
  assert.deepEqual(compareFacts([facts()], [facts({ layers: { client: 13, ingress: 6, app: 7, total: 13 } })]), []);
  assert.deepEqual(medianLayers([facts({ layers: { app: 1 } }), facts({ layers: { app: 3, ingress: 2 } })]), {
    app: 2,
    ingress: 2,
  });
});

const arbFacts = fc.record({
  host: fc.constantFrom('a.example', 'b.example'),
  status: fc.oneof(fc.constantFrom(200, 301, 404, 502), fc.constantFrom('ECONNRESET', 'no answer')),
  headers: fc.dictionary(fc.constantFrom('server', 'date', 'etag', 'x-a', 'set-cookie', 'Vary'), fc.string()),
  bodyBytes: fc.nat(5000),
  bodySha256: fc.constantFrom('a', 'b', 'c'),
  services: fc.uniqueArray(fc.constantFrom('orders', 'inventory'), { maxLength: 2 }),
  pods: fc.uniqueArray(fc.constantFrom('p1', 'p2', '10.0.0.1:80'), { maxLength: 3 }),
  received: fc.dictionary(fc.constantFrom('x-forwarded-for', 'x-forwarded-proto', 'authorization'), fc.string()),
  propagated: fc.boolean(),
  layers: fc.dictionary(fc.constantFrom('client', 'ingress', 'app', 'total'), fc.double({ min: 0.01, max: 1e4 })),
});
const side = fc
  .array(arbFacts, { minLength: 1, maxLength: 4 })
  .map((xs) => xs.map((x) => facts(x as Partial<ProbeFacts>)));

test('property: a route compared with itself differs in nothing, and swapping the routes swaps each side', () => {
  fc.assert(
    fc.property(side, side, (a, b) => {
      assert.deepEqual(compareFacts(a, a), []);
      const ab = compareFacts(a, b);
      const ba = compareFacts(b, a);
      const key = (d: Difference[]) => d.map((x) => `${x.what}|${x.severity}`).sort();
      assert.deepEqual(key(ab), key(ba));
      for (const x of ab) {
        const y = ba.find((z) => z.what === x.what)!;
        assert.deepEqual([y.a, y.b], [x.b, x.a], x.what);
      }
      // Secret request and response header values never reach the report, only whether they were there.
      for (const x of ab)
        if (/ (set-cookie|authorization)$/.test(x.what))
          for (const v of [x.a, x.b]) assert.match(String(v), /^\((absent|present)\)$/, x.what);
    }),
    { numRuns: 500 },
  );
});
