// nginx's own OTel spans, in the shapes its modules send them, merge with the access log's span of the same request:
// one `nginx` span with the traced times and id, the log's attempts under it, the app under the attempt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/core/trace/assemble';
import type { Attributes, Span } from '../../src/core/trace/model';

const T0 = 1_764_000_000_000_000_000n;
const ns = (ms: number) => String(T0 + BigInt(Math.round(ms * 1e6)));

function span(p: Partial<Span> & { spanId: string; s: number; e: number }): Span {
  const { s, e, ...rest } = p;
  return {
    name: rest.spanId,
    service: 'orders',
    layer: 'app',
    kind: 'internal',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
    startTimeUnixNano: ns(s),
    endTimeUnixNano: ns(e),
    ...rest,
  };
}

/** A probe through a traced nginx: its own span `own` (id n0) is the app's parent. */
function probe(own: { service: string; name: string; attributes: Attributes }): Span[] {
  const log = { service: 'ingress-nginx', layer: 'ingress' as const, origin: 'nginx-log' as const };
  return [
    span({
      spanId: 'p',
      name: 'probe',
      s: 0.3,
      e: 20.4,
      service: 'kubetrace',
      layer: 'client',
      kind: 'client',
      origin: 'probe',
    }),
    span({
      spanId: 'rq',
      name: 'request',
      parentSpanId: 'p',
      s: 1.2,
      e: 1.4,
      service: 'kubetrace',
      layer: 'client',
      origin: 'probe',
    }),
    span({
      spanId: 'L',
      name: 'nginx',
      parentSpanId: 'p',
      s: 2,
      e: 20,
      kind: 'server',
      ...log,
      attributes: { 'nginx.upstream_addr': '10.0.0.7:8080' },
    }),
    span({ spanId: 'A', name: 'upstream.attempt', parentSpanId: 'L', s: 3, e: 19, kind: 'client', ...log }),
    span({ spanId: 'H', name: 'upstream.header', parentSpanId: 'A', s: 3, e: 18, ...log }),
    span({
      spanId: 'n0',
      parentSpanId: 'p',
      s: 1.61,
      e: 19.87,
      kind: 'server',
      layer: 'app',
      origin: 'jaeger',
      ...own,
    }),
    span({ spanId: 'app', name: 'GET /orders', parentSpanId: 'n0', s: 3.5, e: 18.2, kind: 'server' }),
    span({ spanId: 'q', name: 'SELECT', parentSpanId: 'app', s: 4, e: 17 }),
  ];
}

function check(spans: Span[], otelService: string): void {
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'p' });
  const ingress = t.spans.filter((s) => s.layer === 'ingress' && s.kind === 'server');
  assert.equal(ingress.length, 1, `one ingress server span, not ${ingress.map((s) => `${s.service}/${s.name}`)}`);
  const nginx = ingress[0];
  assert.deepEqual([nginx.name, nginx.spanId, nginx.parentSpanId], ['nginx', 'n0', 'p']);
  assert.deepEqual([nginx.startTimeUnixNano, nginx.endTimeUnixNano], [ns(1.61), ns(19.87)], 'the traced times');
  assert.equal(nginx.attributes['nginx.upstream_addr'], '10.0.0.7:8080', 'the log facts stay');
  assert.equal(nginx.attributes['kubetrace.otel.service'], otelService);
  assert.equal(nginx.attributes['kubetrace.otel.name'], '/orders');
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  assert.equal(by.get('A')!.parentSpanId, 'n0', 'the attempt hangs under the merged span');
  assert.equal(by.get('app')!.parentSpanId, 'A', 'the app hangs under the attempt that forwarded to it');
  assert.equal(by.get('app')!.layer, 'app');
  const onPath = new Set(t.criticalPath.map((c) => c.spanId));
  for (const id of ['n0', 'A', 'app']) assert.ok(onPath.has(id), `${id} on the critical path`);
}

test("ingress-nginx's OpenTelemetry module (service nginx, scope nginx, older semconv names) merges with its log span", () => {
  check(
    probe({
      service: 'nginx',
      name: '/orders',
      attributes: {
        'otel.scope.name': 'nginx',
        'http.method': 'GET',
        'http.target': '/orders',
        'http.status_code': 200,
        'net.host.name': 'shop.kubetrace.test',
      },
    }),
    'nginx',
  );
});

test("NGINX Gateway Fabric's ngx_otel_module span (service ngf:<ns>:<gateway>) merges too", () => {
  check(
    probe({
      service: 'ngf:nginx-gateway:shop-gateway',
      name: '/orders',
      attributes: { 'otel.scope.name': 'nginx', 'http.route': '/orders', 'http.status_code': 200 },
    }),
    'ngf:nginx-gateway:shop-gateway',
  );
});

test('without an access-log span the traced nginx span is the ingress layer, not an app', () => {
  const spans = probe({
    service: 'nginx-ingress-controller:nginx',
    name: '/orders',
    attributes: { 'otel.scope.name': 'nginx', 'http.target': '/orders' },
  }).filter((s) => s.origin !== 'nginx-log');
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'p' });
  const own = t.spans.find((s) => s.spanId === 'n0')!;
  assert.equal(own.layer, 'ingress');
  assert.equal(t.spans.find((s) => s.spanId === 'app')!.layer, 'app');
});

test('an app whose service merely contains "nginx" is not taken for the proxy', () => {
  const spans = probe({ service: 'nginx-config-api', name: '/orders', attributes: { 'otel.scope.name': 'express' } });
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'p' });
  assert.equal(t.spans.filter((s) => s.layer === 'ingress' && s.kind === 'server').length, 1);
  assert.equal(t.spans.find((s) => s.spanId === 'n0')!.layer, 'app');
  assert.equal(t.spans.find((s) => s.spanId === 'L')!.name, 'nginx');
});
