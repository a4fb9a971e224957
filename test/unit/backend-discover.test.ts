// Finding query backends among Services, and reading the traceBackend setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBackend, discoverBackends, parseBackendSetting } from '../../src/core/ingest/backend';

test('well-known query ports are found; receivers on 9411 are not mistaken for Zipkin', () => {
  const found = discoverBackends([
    {
      namespace: 'observability',
      name: 'trace-store',
      labels: { 'app.kubernetes.io/name': 'trace-store' },
      ports: [
        { name: 'query', port: 16686 },
        { name: 'otlp-http', port: 4318 },
      ],
    },
    {
      namespace: 'monitoring',
      name: 'jaeger-collector',
      labels: { 'app.kubernetes.io/name': 'jaeger' },
      ports: [{ name: 'zipkin', port: 9411 }, { port: 14268 }],
    },
    {
      namespace: 'monitoring',
      name: 'tempo-distributor',
      labels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/component': 'distributor' },
      ports: [{ name: 'http-metrics', port: 3200 }],
    },
    {
      namespace: 'monitoring',
      name: 'tempo-query-frontend',
      labels: { 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/component': 'query-frontend' },
      ports: [{ name: 'http-metrics', port: 3200 }],
    },
    { namespace: 'zipkin', name: 'zipkin', labels: { app: 'zipkin' }, ports: [{ name: 'http', port: 9411 }] },
    {
      namespace: 'otel',
      name: 'otel-collector',
      labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
      ports: [{ name: 'zipkin', port: 9411 }],
    },
    { namespace: 'shop', name: 'orders', labels: {}, ports: [{ name: 'http', port: 80 }] },
  ]);
  assert.deepEqual(
    found.map((c) => [c.kind, `${c.namespace}/${c.service}:${c.port}`]),
    [
      ['tempo', 'monitoring/tempo-query-frontend:3200'],
      ['zipkin', 'zipkin/zipkin:9411'],
      ['jaeger-v3', 'observability/trace-store:16686'],
    ],
  );
  assert.ok(found.every((c) => c.reason.length > 0));
});

test('a named port on a labelled Service is found without the well-known number', () => {
  const found = discoverBackends([
    {
      namespace: 'o',
      name: 'jaeger-query',
      labels: { 'app.kubernetes.io/name': 'jaeger' },
      ports: [{ name: 'http-query', port: 8080 }],
    },
  ]);
  assert.deepEqual(
    found.map((c) => [c.kind, c.port]),
    [['jaeger-v3', 8080]],
  );
});

test('parseBackendSetting reads URLs and Service references, with or without a kind prefix', () => {
  assert.deepEqual(parseBackendSetting('http://jaeger.example:16686'), {
    kind: 'jaeger-v3',
    url: 'http://jaeger.example:16686',
    reason: 'the setting names http://jaeger.example:16686',
  });
  const t = parseBackendSetting('tempo+https://tempo.example/prefix');
  assert.ok(!('error' in t) && t.kind === 'tempo' && t.url === 'https://tempo.example/prefix');
  const s = parseBackendSetting('observability/trace-store:16686');
  assert.ok(
    !('error' in s) &&
      s.kind === 'jaeger-v3' &&
      s.namespace === 'observability' &&
      s.service === 'trace-store' &&
      s.port === 16686,
  );
  const z = parseBackendSetting('zipkin+tracing/zipkin:http');
  assert.ok(!('error' in z) && z.kind === 'zipkin' && z.port === 'http');
  const v1 = parseBackendSetting('jaeger-v1+o/jaeger:16686');
  assert.ok(!('error' in v1) && v1.kind === 'jaeger');
  for (const bad of [
    '',
    'auto',
    'o/svc:8080',
    'foo+o/svc:16686',
    'not a thing',
    'o/svc:99999',
    'http://x:8080',
    'ftp://x:16686',
  ]) {
    const r = parseBackendSetting(bad);
    assert.ok('error' in r, bad);
  }
  const hint = parseBackendSetting('o/svc:8080');
  assert.match('error' in hint ? hint.error : '', /prefix the kind, e\.g\. jaeger\+o\/svc:8080/);
});

test('one backend is chosen: the route namespace and observability namespaces first, then the score', () => {
  const found = discoverBackends([
    { namespace: 'tenant-b', name: 'jaeger-query', labels: {}, ports: [{ name: 'query', port: 16686 }] },
    { namespace: 'observability', name: 'trace-store', labels: {}, ports: [{ name: 'query', port: 16686 }] },
  ]);
  assert.equal(found[0].namespace, 'tenant-b', 'the hostile one scores higher on its own');
  const c = chooseBackend(found, 'shop');
  assert.equal(c.chosen?.namespace, 'observability');
  assert.deepEqual(
    c.diagnostics.map((d) => d.code),
    ['backend-chosen'],
  );
  assert.match(
    c.diagnostics[0].message,
    /observability\/trace-store:16686 only, the best of 2 .*tenant-b\/jaeger-query/,
  );
  // Only an unusual one: used, and named in a warning with the way to pin another.
  const alone = chooseBackend(
    found.filter((x) => x.namespace === 'tenant-b'),
    'shop',
  );
  assert.equal(alone.chosen?.service, 'jaeger-query');
  assert.equal(alone.diagnostics[0].code, 'backend-unusual-namespace');
  assert.match(alone.diagnostics[0].message, /tenant-b\/jaeger-query:16686 is outside the route's namespace \(shop\)/);
  assert.match(alone.diagnostics[0].hint!, /kubetrace\.traceBackend/);
  // The route's own namespace is as good as an observability one.
  assert.equal(chooseBackend(found, 'tenant-b').chosen?.namespace, 'tenant-b');
  assert.deepEqual(chooseBackend([], 'shop'), { diagnostics: [] });
});
