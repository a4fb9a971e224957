import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const PARENT = '00f067aa0ba902b7';
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

// The same request in OTLP/JSON's lowerCamelCase, as the spec writes it.
const camel = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
      scopeSpans: [
        {
          scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
          spans: [
            {
              traceId: TRACE,
              spanId: SPAN,
              parentSpanId: PARENT,
              traceState: 'k=v',
              name: 'GET /orders',
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000250000000',
              flags: 257,
              attributes: [
                { key: 'http.response.status_code', value: { intValue: '200' } },
                { key: 'ratio', value: { doubleValue: 0.5 } },
                { key: 'ok', value: { boolValue: true } },
                { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
                { key: 'map', value: { kvlistValue: { values: [{ key: 'x', value: { stringValue: 'y' } }] } } },
                { key: 'raw', value: { bytesValue: 'AQI=' } },
              ],
              events: [
                {
                  timeUnixNano: '1700000000100000000',
                  name: 'exception',
                  attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
                },
              ],
              links: [
                { traceId: TRACE, spanId: PARENT, attributes: [{ key: 'why', value: { stringValue: 'retry' } }] },
              ],
              status: { code: 2, message: 'failed' },
            },
          ],
        },
      ],
    },
  ],
};

// ...and with the original proto field names, which exporters in the wild also write.
const snake = {
  resource_spans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { string_value: 'orders' } }] },
      schema_url: 'https://opentelemetry.io/schemas/1.30.0',
      scope_spans: [
        {
          scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' },
          spans: [
            {
              trace_id: TRACE,
              span_id: SPAN,
              parent_span_id: PARENT,
              trace_state: 'k=v',
              name: 'GET /orders',
              kind: 'SPAN_KIND_SERVER',
              start_time_unix_nano: 1700000000000000000,
              end_time_unix_nano: '1700000000250000000',
              flags: 257,
              attributes: [
                { key: 'http.response.status_code', value: { int_value: 200 } },
                { key: 'ratio', value: { double_value: 0.5 } },
                { key: 'ok', value: { bool_value: true } },
                { key: 'tags', value: { array_value: { values: [{ string_value: 'a' }, { int_value: '2' }] } } },
                { key: 'map', value: { kvlist_value: { values: [{ key: 'x', value: { string_value: 'y' } }] } } },
                { key: 'raw', value: { bytes_value: 'AQI=' } },
              ],
              events: [
                {
                  time_unix_nano: '1700000000100000000',
                  name: 'exception',
                  attributes: [{ key: 'exception.message', value: { string_value: 'boom' } }],
                },
              ],
              links: [
                { trace_id: TRACE, span_id: PARENT, attributes: [{ key: 'why', value: { string_value: 'retry' } }] },
              ],
              status: { code: 'STATUS_CODE_ERROR', message: 'failed' },
            },
          ],
        },
      ],
    },
  ],
};

test('lowerCamelCase OTLP/JSON reads into the canonical shape', () => {
  const r = normalizeOtlpJson(camel);
  assert.deepEqual(r.problems, []);
  assert.equal(r.rejectedSpans, 0);
  const span = r.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.traceId, TRACE);
  assert.equal(span.parentSpanId, PARENT);
  assert.equal(span.kind, 2);
  assert.equal(span.status?.code, 2);
  assert.equal(r.resourceSpans[0].scopeSpans[0].scope?.name, '@opentelemetry/instrumentation-http');
  assert.deepEqual(span.attributes?.[3].value, { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } });
  assert.equal(span.events?.[0].name, 'exception');
  assert.equal(span.links?.[0].spanId, PARENT);
});

test('original proto field names, enum names and int64 numbers give the same result as lowerCamelCase', () => {
  const a = normalizeOtlpJson(camel);
  const b = normalizeOtlpJson(snake);
  assert.deepEqual(b.problems, []);
  assert.deepEqual(b.resourceSpans, a.resourceSpans);
});

test('Tempo batches with base64 ids become hex; an all-zero base64 parent means no parent', () => {
  const tempo = {
    batches: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inventory' } }] },
        instrumentationLibrarySpans: [
          {
            instrumentationLibrary: { name: 'lib', version: '1' },
            spans: [
              {
                traceId: b64(TRACE),
                spanId: b64(SPAN),
                parentSpanId: 'AAAAAAAAAAA=',
                name: 'root',
                kind: 'SPAN_KIND_CLIENT',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
              },
              {
                traceId: b64(TRACE),
                spanId: b64(PARENT),
                parentSpanId: b64(SPAN),
                name: 'child',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
              },
            ],
          },
        ],
      },
    ],
  };
  const r = normalizeOtlpJson(tempo);
  assert.deepEqual(r.problems, []);
  const [root, child] = r.resourceSpans[0].scopeSpans[0].spans;
  assert.equal(root.traceId, TRACE);
  assert.equal(root.spanId, SPAN);
  assert.equal(root.parentSpanId, undefined);
  assert.equal(root.kind, 3);
  assert.equal(child.parentSpanId, SPAN);
  assert.deepEqual(r.resourceSpans[0].scopeSpans[0].scope, { name: 'lib', version: '1' });
});

test('instrumentation_library_spans (snake case) is read as scope spans', () => {
  const r = normalizeOtlpJson({
    resource_spans: [
      {
        instrumentation_library_spans: [
          {
            instrumentation_library: { name: 'old' },
            spans: [{ trace_id: TRACE, span_id: SPAN, name: 's', start_time_unix_nano: '5', end_time_unix_nano: '6' }],
          },
        ],
      },
    ],
  });
  assert.equal(r.resourceSpans[0].scopeSpans[0].scope?.name, 'old');
  assert.equal(r.resourceSpans[0].scopeSpans[0].spans[0].spanId, SPAN);
});

test('an all-zero hex parent and upper-case hex ids are normalized', () => {
  const r = normalizeOtlpJson({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: TRACE.toUpperCase(),
                spanId: SPAN.toUpperCase(),
                parentSpanId: '0000000000000000',
                name: 'x',
                startTimeUnixNano: '1',
                endTimeUnixNano: '1',
              },
            ],
          },
        ],
      },
    ],
  });
  const s = r.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(s.traceId, TRACE);
  assert.equal(s.spanId, SPAN);
  assert.equal('parentSpanId' in s, false);
});

test('idEncoding forces one reading; ids that fit neither are kept as given with a note', () => {
  const doc = {
    resourceSpans: [
      {
        scopeSpans: [
          { spans: [{ traceId: b64(TRACE), spanId: SPAN, name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] },
        ],
      },
    ],
  };
  const hexOnly = normalizeOtlpJson(doc, { idEncoding: 'hex' });
  assert.equal(hexOnly.resourceSpans[0].scopeSpans[0].spans[0].traceId, b64(TRACE));
  assert.match(hexOnly.problems[0], /traceId .* kept as given/);
  const jaeger64 = normalizeOtlpJson({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ABC123', spanId: SPAN, name: 'x' }] }] }],
  });
  assert.equal(jaeger64.resourceSpans[0].scopeSpans[0].spans[0].traceId, 'abc123');
  assert.equal(jaeger64.rejectedSpans, 0);
});

test('bad spans are skipped and reported, good ones kept', () => {
  const r = normalizeOtlpJson({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              { spanId: SPAN, name: 'no-trace', startTimeUnixNano: '1', endTimeUnixNano: '2' },
              {
                traceId: TRACE,
                spanId: '0000000000000000',
                name: 'zero-span',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
              },
              { traceId: TRACE, spanId: SPAN, name: 'bad-time', startTimeUnixNano: '-5', endTimeUnixNano: '2' },
              {
                traceId: TRACE,
                spanId: SPAN,
                name: 'bad-kind',
                kind: 'SPAN_KIND_WHATEVER',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
              },
              'not a span',
              {
                traceId: TRACE,
                spanId: SPAN,
                name: 'good',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
                attributes: [{ value: { stringValue: 'no key' } }],
              },
            ],
          },
        ],
      },
    ],
  });
  assert.deepEqual(
    r.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name),
    ['good'],
  );
  assert.equal(r.rejectedSpans, 5);
  assert.ok(r.problems.some((p) => p.includes('"no-trace"') && p.includes('traceId')));
  assert.ok(r.problems.some((p) => p.includes('"bad-time"')));
  assert.ok(r.problems.some((p) => p.includes('no string key')));
});

test('non-OTLP JSON values are refused without throwing', () => {
  for (const v of [null, 5, 'x', [], [1, 2], true, { foo: 1 }, { resourceSpans: 5 }]) {
    const r = normalizeOtlpJson(v);
    assert.equal(r.recognized, false, JSON.stringify(v));
    assert.deepEqual(r.resourceSpans, []);
    assert.ok(r.problems.length > 0);
  }
  assert.equal(normalizeOtlpJson({}).recognized, true); // the empty request
});

test('Jaeger api_v3 envelope {"result": ...} is unwrapped', () => {
  const r = normalizeOtlpJson({ result: camel });
  assert.equal(r.resourceSpans[0].scopeSpans[0].spans[0].spanId, SPAN);
});

test('absent proto3 defaults read as zero values; deeply nested values are capped', () => {
  let deep: unknown = { stringValue: 'leaf' };
  for (let i = 0; i < 500; i++) deep = { arrayValue: { values: [deep] } };
  const r = normalizeOtlpJson({
    resourceSpans: [
      { scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, attributes: [{ key: 'deep', value: deep }] }] }] },
    ],
  });
  const s = r.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(s.name, '');
  assert.equal(s.kind, 0);
  assert.equal(s.startTimeUnixNano, '0');
  assert.match(JSON.stringify(s.attributes), /nested too deep/);
});
