// Tempo answers (batches / resourceSpans, base64 ids, both JSON name styles, protobuf) read to the same spans as OTLP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isProtobufBody, readOtlpJsonBody, readTempoBody } from '../../src/core/ingest/tempo/reader';
import { encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import type { Span } from '../../src/core/trace/model';

const fixture = (n: string) => readFileSync(join(__dirname, '..', 'fixtures', 'traces', n));
const shape = (spans: Span[]) =>
  spans.map((s) => ({
    id: s.spanId,
    parent: s.parentSpanId,
    name: s.name,
    service: s.service,
    kind: s.kind,
    start: s.startTimeUnixNano,
    end: s.endTimeUnixNano,
    status: s.status,
  }));

const expected = [
  {
    id: '00f067aa0ba902b7',
    parent: undefined,
    name: 'GET /orders',
    service: 'orders',
    kind: 'server',
    start: '1732701600123456789',
    end: '1732701600135456789',
    status: 'unset',
  },
  {
    id: '53995c3f42cd8ad8',
    parent: '00f067aa0ba902b7',
    name: 'GET',
    service: 'orders',
    kind: 'client',
    start: '1732701600125456789',
    end: '1732701600131456789',
    status: 'unset',
  },
  {
    id: 'b7ad6b7169203331',
    parent: '53995c3f42cd8ad8',
    name: 'GET /inventory/stock',
    service: 'inventory',
    kind: 'server',
    start: '1732701600125956789',
    end: '1732701600130956789',
    status: 'error',
  },
];

test('Tempo "batches" with base64 ids, instrumentationLibrarySpans and enum names', () => {
  const r = readTempoBody(fixture('tempo-batches.json'), 'application/json');
  assert.deepEqual(shape(r.spans), expected);
  assert.ok(r.spans.every((s) => s.origin === 'tempo'));
  assert.equal(r.spans[0].attributes['kubetrace.pod'], 'orders-5d8c7b9f4d-x2x9k');
  assert.equal(r.spans[2].events[0].name, 'exception');
  assert.equal(r.spans[0].parentSpanId, undefined, 'the all-zero base64 parent means no parent');
});

test('Tempo "resource_spans" with proto field names reads the same', () => {
  assert.deepEqual(shape(readTempoBody(fixture('tempo-resource-spans.json'), 'application/json').spans), expected);
});

test('Tempo protobuf (Accept: application/protobuf) reads the same as its JSON', () => {
  const norm = normalizeOtlpJson(JSON.parse(fixture('tempo-batches.json').toString()), { idEncoding: 'auto' });
  const pb = Buffer.from(encodeOtlpProtobuf(norm.resourceSpans));
  assert.ok(isProtobufBody(pb, 'application/protobuf'));
  assert.ok(isProtobufBody(pb, ''), 'sniffed when the Content-Type is missing');
  const r = readTempoBody(pb, 'application/protobuf');
  assert.deepEqual(shape(r.spans), expected);
  const bad = readTempoBody(Buffer.from([0x0a, 0xff, 0xff, 0x01]), 'application/protobuf');
  assert.equal(bad.spans.length, 0);
  assert.equal(bad.diagnostics[0].code, 'otlp-malformed');
});

test('Jaeger api_v3 {"result": ...} and OTLP JSON read through the same path', () => {
  assert.deepEqual(shape(readOtlpJsonBody(fixture('jaeger-v3.json'), 'jaeger').spans), expected);
  assert.deepEqual(shape(readOtlpJsonBody(fixture('otlp.json'), 'otlp').spans), expected);
  // grpc-gateway streams api_v3 answers as one {"result": ...} object per chunk.
  const v3 = fixture('jaeger-v3.json').toString().trim();
  assert.equal(readOtlpJsonBody(Buffer.from(`${v3}\n${v3}\n`), 'jaeger').spans.length, 6);
});

test('fuzz: mutated Tempo bodies, JSON and protobuf, give spans or diagnostics, never a throw', () => {
  const json = fixture('tempo-batches.json');
  const norm = normalizeOtlpJson(JSON.parse(json.toString()), { idEncoding: 'auto' });
  const pb = Buffer.from(encodeOtlpProtobuf(norm.resourceSpans));
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (usePb, edits, cut) => {
        const b = Buffer.from(usePb ? pb : json);
        for (const [i, v] of edits) b[i % b.length] = v;
        const r = readTempoBody(
          b.subarray(0, cut % (b.length + 1)),
          usePb ? 'application/protobuf' : 'application/json',
        );
        assert.ok(r.spans.length <= 3);
        for (const s of r.spans) assert.match(s.startTimeUnixNano, /^\d+$/);
      },
    ),
    { numRuns: 3000, interruptAfterTimeLimit: 12_000 },
  );
});

test('fuzz: random OTLP-shaped JSON with either name style never throws', () => {
  const key = (camel: string, snake: string) => fc.constantFrom(camel, snake);
  const anyId = fc.oneof(
    fc.base64String({ maxLength: 24 }),
    fc.string({ maxLength: 32 }),
    fc.jsonValue({ maxDepth: 0 }),
  );
  const spanArb = fc
    .tuple(
      key('traceId', 'trace_id'),
      key('spanId', 'span_id'),
      key('startTimeUnixNano', 'start_time_unix_nano'),
      anyId,
      anyId,
      fc.jsonValue({ maxDepth: 1 }),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([tk, sk, stk, tid, sid, start, extra]) => ({
      [tk]: tid,
      [sk]: sid,
      [stk]: start,
      name: 'n',
      kind: 'SPAN_KIND_SERVER',
      attributes: extra,
      endTimeUnixNano: '5',
    }));
  fc.assert(
    fc.property(
      fc.array(spanArb, { maxLength: 5 }),
      key('batches', 'resource_spans'),
      key('scopeSpans', 'instrumentation_library_spans'),
      (spans, rk, sk) => {
        const body = {
          [rk]: [
            { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'x' } }] }, [sk]: [{ spans }] },
          ],
        };
        const r = readTempoBody(Buffer.from(JSON.stringify(body)), 'application/json');
        assert.ok(r.spans.length <= spans.length);
      },
    ),
    { numRuns: 2500, interruptAfterTimeLimit: 12_000 },
  );
});
