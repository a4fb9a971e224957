import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otlpToSpans, otlpToTracedSpans, spansToOtlp, tracesToOtlp } from '../../src/core/ingest/otlp/to-model';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import type { OtlpResourceSpans } from '../../src/core/ingest/otlp/types';
import type { Span } from '../../src/core/trace/model';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const otlp: OtlpResourceSpans[] = [
  {
    resource: {
      attributes: [
        { key: 'service.name', value: { stringValue: 'orders' } },
        { key: 'k8s.pod.name', value: { stringValue: 'orders-5d8f7c9b4d-x7k2p' } },
        { key: 'k8s.node.name', value: { stringValue: 'sandbox-node-1' } },
      ],
    },
    scopeSpans: [
      {
        scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
        spans: [
          {
            traceId: TRACE,
            spanId: '00f067aa0ba902b7',
            parentSpanId: 'aaaaaaaaaaaaaaaa',
            name: 'GET /orders',
            kind: 2,
            startTimeUnixNano: '1700000000000000000',
            endTimeUnixNano: '1700000000250000000',
            attributes: [
              { key: 'http.response.status_code', value: { intValue: '500' } },
              { key: 'huge', value: { intValue: '9223372036854775807' } },
              { key: 'ratio', value: { doubleValue: 0.5 } },
              { key: 'nan', value: { doubleValue: NaN } },
              { key: 'ok', value: { boolValue: false } },
              {
                key: 'list',
                value: {
                  arrayValue: {
                    values: [
                      { stringValue: 'a' },
                      { intValue: '2' },
                      { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } },
                    ],
                  },
                },
              },
              {
                key: 'map',
                value: {
                  kvlistValue: {
                    values: [
                      { key: 'x', value: { intValue: '1' } },
                      { key: 'y', value: { arrayValue: { values: [{ boolValue: true }] } } },
                    ],
                  },
                },
              },
              { key: 'raw', value: { bytesValue: 'AQI=' } },
              { key: 'code.file.path', value: { stringValue: '/app/server.js' } },
            ],
            events: [
              {
                timeUnixNano: '1700000000100000000',
                name: 'exception',
                attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
              },
            ],
            links: [
              {
                traceId: 'ffffffffffffffffffffffffffffffff',
                spanId: '1111111111111111',
                attributes: [{ key: 'why', value: { stringValue: 'batch' } }],
              },
            ],
            status: { code: 2, message: 'handler threw' },
          },
        ],
      },
    ],
  },
  {
    scopeSpans: [
      {
        spans: [
          {
            traceId: 'legacy-trace',
            spanId: 'not-hex!',
            name: 'imported',
            kind: 0,
            startTimeUnixNano: '1',
            endTimeUnixNano: '2',
            attributes: [],
            status: { code: 1 },
          },
        ],
      },
    ],
  },
];

test('OTLP spans map onto the model: service, kind, status, flattened attributes, events, links, pod and node', () => {
  const { spans, diagnostics } = otlpToSpans(otlp, 'otlp');
  assert.deepEqual(diagnostics, []);
  const s = spans[0];
  assert.equal(s.spanId, '00f067aa0ba902b7');
  assert.equal(s.parentSpanId, 'aaaaaaaaaaaaaaaa');
  assert.equal(s.service, 'orders');
  assert.equal(s.layer, 'app');
  assert.equal(s.kind, 'server');
  assert.equal(s.status, 'error');
  assert.equal(s.origin, 'otlp');
  assert.equal(s.startTimeUnixNano, '1700000000000000000');
  assert.deepEqual(s.attributes, {
    'kubetrace.pod': 'orders-5d8f7c9b4d-x7k2p',
    'kubetrace.node': 'sandbox-node-1',
    'otel.scope.name': '@opentelemetry/instrumentation-http',
    'otel.scope.version': '0.223.0',
    'http.response.status_code': 500,
    huge: '9223372036854775807', // beyond 2^53: kept exact as a string
    ratio: 0.5,
    nan: 'NaN',
    ok: false,
    list: ['a', '2', '{"k":"v"}'],
    map: '{"x":1,"y":[true]}',
    raw: 'AQI=',
    'code.file.path': '/app/server.js',
    'otel.status_description': 'handler threw',
  });
  assert.deepEqual(s.events, [
    { timeUnixNano: '1700000000100000000', name: 'exception', attributes: { 'exception.message': 'boom' } },
  ]);
  assert.deepEqual(s.links, [
    { traceId: 'ffffffffffffffffffffffffffffffff', spanId: '1111111111111111', attributes: { why: 'batch' } },
  ]);
});

test('spans without a resource get unknown_service; non-hex ids are kept as given', () => {
  const { items } = otlpToTracedSpans(otlp, 'import');
  const imported = items[1];
  assert.equal(imported.traceId, 'legacy-trace');
  assert.equal(imported.span.spanId, 'not-hex!');
  assert.equal(imported.span.service, 'unknown_service');
  assert.equal(imported.span.kind, 'internal');
  assert.equal(imported.span.status, 'ok');
  assert.equal(imported.span.origin, 'import');
  assert.equal(items[0].traceId, TRACE);
});

test('model -> OTLP -> model gives the same spans, layers included', () => {
  const spans: Span[] = [
    {
      spanId: 'a1a1a1a1a1a1a1a1',
      name: 'probe',
      service: 'client',
      layer: 'client',
      kind: 'client',
      startTimeUnixNano: '100',
      endTimeUnixNano: '900',
      status: 'unset',
      attributes: { 'kubetrace.probe.target': 'load-balancer', 'url.full': 'https://shop.kubetrace.test/orders' },
      events: [],
      links: [],
      origin: 'import',
    },
    {
      spanId: 'b2b2b2b2b2b2b2b2',
      parentSpanId: 'a1a1a1a1a1a1a1a1',
      name: 'nginx',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'server',
      startTimeUnixNano: '150',
      endTimeUnixNano: '850',
      status: 'error',
      attributes: {
        'nginx.upstream_addr': ['127.10.0.3:8080', '127.10.0.4:8080'],
        'nginx.request_time': 0.7,
        'otel.status_description': '502 from upstream',
      },
      events: [{ timeUnixNano: '200', name: 'retry', attributes: { attempt: 2, detail: { a: [1, 'x'] } } }],
      links: [{ traceId: TRACE, spanId: 'c3c3c3c3c3c3c3c3' }],
      origin: 'import',
    },
    {
      spanId: 'c3c3c3c3c3c3c3c3',
      parentSpanId: 'b2b2b2b2b2b2b2b2',
      name: 'GET /orders',
      service: 'orders',
      layer: 'app',
      kind: 'server',
      startTimeUnixNano: '200',
      endTimeUnixNano: '800',
      status: 'ok',
      attributes: { 'kubetrace.pod': 'orders-1', 'otel.scope.name': 'http', 'http.route': '/orders' },
      events: [],
      links: [],
      origin: 'import',
    },
  ];
  const exported = spansToOtlp(spans, TRACE);
  assert.deepEqual(
    exported.map((rs) => rs.resource?.attributes?.[0].value?.stringValue),
    ['client', 'ingress-nginx', 'orders'],
  );
  assert.ok(
    exported[2].resource?.attributes?.some((kv) => kv.key === 'k8s.pod.name' && kv.value?.stringValue === 'orders-1'),
  );
  assert.equal(exported[2].scopeSpans[0].scope?.name, 'http');
  assert.equal(exported[1].scopeSpans[0].spans[0].status?.message, '502 from upstream');
  // Through JSON text, as `kubetrace export` writes it and `kubetrace import` reads it.
  const reread = normalizeOtlpJson(JSON.parse(JSON.stringify({ resourceSpans: exported })));
  assert.deepEqual(reread.problems, []);
  const back = otlpToSpans(reread.resourceSpans, 'import').spans;
  assert.deepEqual(back, spans);
});

test('tracesToOtlp gives every span its trace id', () => {
  const span: Span = {
    spanId: '0102030405060708',
    name: 'x',
    service: 's',
    layer: 'app',
    kind: 'internal',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
  };
  const out = tracesToOtlp([
    { traceId: TRACE, spans: [span], criticalPath: [], diagnostics: [] },
    { traceId: 'ab'.repeat(16), spans: [span], criticalPath: [], diagnostics: [] },
  ]);
  assert.deepEqual(
    out.map((rs) => rs.scopeSpans[0].spans[0].traceId),
    [TRACE, 'ab'.repeat(16)],
  );
});

test('an attribute named __proto__ is an attribute, not a prototype', () => {
  const { spans } = otlpToSpans(
    [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE,
                spanId: '0102030405060708',
                name: 'x',
                kind: 1,
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes: [{ key: '__proto__', value: { arrayValue: { values: [{ stringValue: 'a' }] } } }],
                events: [
                  { timeUnixNano: '1', name: 'e', attributes: [{ key: '__proto__', value: { stringValue: 'b' } }] },
                ],
              },
            ],
          },
        ],
      },
    ],
    'import',
  );
  assert.equal(Object.getPrototypeOf(spans[0].attributes), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(spans[0].attributes, '__proto__')?.value, ['a']);
  assert.equal(JSON.stringify(spans[0].events[0].attributes), '{"__proto__":"b"}');
});
