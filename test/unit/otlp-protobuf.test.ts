import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  decodeExportResponse,
  decodeOtlpProtobuf,
  decodeOtlpSpanBytes,
  decodeRpcStatus,
  encodeExportResponse,
  encodeOtlpProtobuf,
  encodeRpcStatus,
  uint64ToDecimal,
} from '../../src/core/ingest/otlp/protobuf';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import { OtlpDecodeError, type OtlpResourceSpans } from '../../src/core/ingest/otlp/types';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

const sample: OtlpResourceSpans[] = [
  {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }], droppedAttributesCount: 2 },
    schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    scopeSpans: [
      {
        scope: { name: 'scope', version: '1.0', attributes: [{ key: 'a', value: { boolValue: false } }] },
        schemaUrl: 'https://x/scope',
        spans: [
          {
            traceId: TRACE,
            spanId: '00f067aa0ba902b7',
            name: 'root',
            kind: 2,
            startTimeUnixNano: '1700000000000000000',
            endTimeUnixNano: '18446744073709551615', // max fixed64
            traceState: 'a=b',
            flags: 257,
            droppedAttributesCount: 1,
            droppedEventsCount: 3,
            droppedLinksCount: 4,
            attributes: [
              { key: 's', value: { stringValue: 'héllo ✓' } },
              { key: 'neg', value: { intValue: '-9223372036854775808' } },
              { key: 'big', value: { intValue: '9007199254740993' } },
              { key: 'd', value: { doubleValue: -1.25 } },
              {
                key: 'arr',
                value: {
                  arrayValue: { values: [{ stringValue: 'x' }, { arrayValue: { values: [{ intValue: '1' }] } }] },
                },
              },
              { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { bytesValue: 'AAEC' } }] } } },
              { key: 'empty', value: {} },
            ],
            events: [
              {
                timeUnixNano: '1700000000000000001',
                name: 'ev',
                attributes: [{ key: 'e', value: { stringValue: 'v' } }],
                droppedAttributesCount: 1,
              },
            ],
            links: [
              {
                traceId: TRACE,
                spanId: '1111111111111111',
                traceState: 'c=d',
                attributes: [{ key: 'l', value: { intValue: '3' } }],
                flags: 1,
              },
            ],
            status: { code: 2, message: 'boom' },
          },
          {
            traceId: TRACE,
            spanId: '2222222222222222',
            parentSpanId: '00f067aa0ba902b7',
            name: 'child',
            kind: 3,
            startTimeUnixNano: '1700000000000000100',
            endTimeUnixNano: '1700000000000000200',
            attributes: [],
            status: {},
          },
        ],
      },
    ],
  },
];

test('encode then decode gives back the canonical input exactly', () => {
  const r = decodeOtlpProtobuf(encodeOtlpProtobuf(sample));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.resourceSpans, sample);
});

test("spanBytes: each kept span's own bytes decode back to the same span; rejected spans have none", () => {
  const withBad = structuredClone(sample);
  withBad[0].scopeSpans[0].spans.splice(1, 0, { ...withBad[0].scopeSpans[0].spans[1], traceId: 'abcd', name: 'bad' });
  const r = decodeOtlpProtobuf(encodeOtlpProtobuf(withBad), { spanBytes: true });
  const spans = r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  assert.equal(r.rejectedSpans, 1);
  assert.equal(r.spanBytes?.length, spans.length);
  assert.deepEqual(r.spanBytes!.map(decodeOtlpSpanBytes), spans);
  assert.notEqual(r.spanBytes![0].charCodeAt(0), 0x7b); // never mistaken for JSON text by the store
  assert.equal(decodeOtlpProtobuf(encodeOtlpProtobuf(sample)).spanBytes, undefined);
});

test('64-bit decimals are exact without BigInt', () => {
  for (const v of [
    0n,
    1n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 53n + 1n,
    1_700_000_000_123_456_789n,
    10n ** 19n,
    2n ** 64n - 1n,
    0x0000_0001_0000_0000n,
    99_999_999_999_999_999n,
  ]) {
    assert.equal(uint64ToDecimal(Number(v & 0xffffffffn), Number(v >> 32n)), v.toString());
  }
});

function realSdkSpans() {
  const mem = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'inventory', 'k8s.pod.name': 'inventory-abc' }),
    spanProcessors: [new SimpleSpanProcessor(mem)],
  });
  const tracer = provider.getTracer('kubetrace-test', '0.1.0');
  const root = tracer.startSpan('GET /inventory/stock', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      ratio: 0.25,
      ok: true,
      tags: ['a', 'b'],
    },
  });
  const child = tracer.startSpan('db.query', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root));
  child.addEvent('exception', { 'exception.message': 'boom', 'exception.type': 'Error' });
  child.addLink({ context: root.spanContext(), attributes: { why: 'test' } });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'db down' });
  child.end();
  root.end();
  return { spans: mem.getFinishedSpans(), root: root.spanContext(), child: child.spanContext() };
}

test('decodes the real OpenTelemetry JS protobuf serializer output, matching its JSON serializer', () => {
  const { spans, root, child } = realSdkSpans();
  const fromProto = decodeOtlpProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
  const fromJson = normalizeOtlpJson(
    JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!)),
  );
  assert.deepEqual(fromProto.problems, []);
  assert.deepEqual(fromJson.problems, []);
  assert.deepEqual(fromProto.resourceSpans, fromJson.resourceSpans);

  const all = fromProto.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const c = all.find((s) => s.spanId === child.spanId)!;
  const r = all.find((s) => s.spanId === root.spanId)!;
  assert.equal(c.traceId, root.traceId);
  assert.equal(c.parentSpanId, root.spanId);
  assert.equal(r.parentSpanId, undefined);
  assert.equal(c.kind, 3);
  assert.equal(r.kind, 2);
  assert.deepEqual(c.status, { code: 2, message: 'db down' });
  assert.equal(c.events?.[0].name, 'exception');
  assert.equal(c.links?.[0].spanId, root.spanId);
  assert.match(r.startTimeUnixNano, /^\d{19}$/);
  const attrs = Object.fromEntries((r.attributes ?? []).map((kv) => [kv.key, kv.value]));
  assert.deepEqual(attrs['http.response.status_code'], { intValue: '200' });
  assert.deepEqual(attrs.ratio, { doubleValue: 0.25 });
  assert.deepEqual(attrs.tags, { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } });
  assert.equal(fromProto.resourceSpans[0].scopeSpans[0].scope?.name, 'kubetrace-test');
  assert.ok(
    fromProto.resourceSpans[0].resource?.attributes?.some(
      (kv) => kv.key === 'k8s.pod.name' && kv.value?.stringValue === 'inventory-abc',
    ),
  );
});

// Written by hand with field numbers from opentelemetry-proto, independent of our schema.
function field(w: protobuf.Writer, id: number, wire: number): protobuf.Writer {
  return w.uint32((id << 3) | wire);
}
function handSpan(traceId: Buffer, spanId: Buffer, parent: Buffer, name: string): Uint8Array {
  const w = protobuf.Writer.create();
  field(w, 1, 2).bytes(traceId);
  field(w, 2, 2).bytes(spanId);
  if (parent.length) field(w, 4, 2).bytes(parent);
  field(w, 5, 2).string(name);
  field(w, 6, 0).int32(4);
  field(w, 7, 1).fixed64(1700000000000000000);
  field(w, 8, 1).fixed64(1700000000000001000);
  const status = protobuf.Writer.create();
  field(status, 1, 0).int32(2); // deprecated_code = non-OK, code unset: read as error
  field(w, 15, 2).bytes(status.finish());
  return w.finish();
}
function handRequest(spans: Uint8Array[], deprecatedField: boolean): Uint8Array {
  const group = protobuf.Writer.create();
  const lib = protobuf.Writer.create();
  field(lib, 1, 2).string('legacy-lib');
  field(group, 1, 2).bytes(lib.finish());
  for (const s of spans) field(group, 2, 2).bytes(s);
  const rs = protobuf.Writer.create();
  field(rs, deprecatedField ? 1000 : 2, 2).bytes(group.finish());
  const req = protobuf.Writer.create();
  field(req, 1, 2).bytes(rs.finish());
  return req.finish();
}

test('reads the deprecated instrumentation_library_spans (field 1000) and deprecated status codes', () => {
  const span = handSpan(Buffer.from(TRACE, 'hex'), Buffer.from('00f067aa0ba902b7', 'hex'), Buffer.alloc(8), 'legacy');
  const r = decodeOtlpProtobuf(handRequest([span], true));
  const ss = r.resourceSpans[0].scopeSpans[0];
  assert.equal(ss.scope?.name, 'legacy-lib');
  assert.equal(ss.spans[0].name, 'legacy');
  assert.equal(ss.spans[0].kind, 4);
  assert.equal(ss.spans[0].parentSpanId, undefined); // 8 zero bytes = no parent
  assert.equal(ss.spans[0].startTimeUnixNano, '1700000000000000000');
  assert.equal(ss.spans[0].status?.code, 2);
});

test('spans with ids of the wrong length are rejected and reported, the rest kept', () => {
  const good = handSpan(Buffer.from(TRACE, 'hex'), Buffer.from('00f067aa0ba902b7', 'hex'), Buffer.alloc(0), 'good');
  const shortTrace = handSpan(
    Buffer.from('0102', 'hex'),
    Buffer.from('00f067aa0ba902b7', 'hex'),
    Buffer.alloc(0),
    'short-trace',
  );
  const zeroSpan = handSpan(Buffer.from(TRACE, 'hex'), Buffer.alloc(8), Buffer.alloc(0), 'zero-span');
  const badParent = handSpan(
    Buffer.from(TRACE, 'hex'),
    Buffer.from('00f067aa0ba902b7', 'hex'),
    Buffer.from('01', 'hex'),
    'bad-parent',
  );
  const r = decodeOtlpProtobuf(handRequest([good, shortTrace, zeroSpan, badParent], false));
  assert.deepEqual(
    r.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name),
    ['good'],
  );
  assert.equal(r.rejectedSpans, 3);
  assert.equal(r.problems.length, 3);
  assert.match(r.problems[0], /short-trace.*traceId \(2 bytes\)/);
});

test('garbage and truncated input throw OtlpDecodeError with a reason', () => {
  const valid = encodeOtlpProtobuf(sample);
  for (const bad of [
    Buffer.from([0xff, 0xff, 0xff]),
    valid.subarray(0, valid.length - 7),
    Buffer.from('{"resourceSpans": []}'),
  ]) {
    assert.throws(
      () => decodeOtlpProtobuf(bad),
      (e: unknown) => e instanceof OtlpDecodeError && /not an OTLP ExportTraceServiceRequest/.test(e.message),
    );
  }
  assert.deepEqual(decodeOtlpProtobuf(new Uint8Array()).resourceSpans, []); // the empty request is valid
});

function nestedValueRequest(depth: number): Uint8Array {
  let v = protobuf.Writer.create();
  field(v, 1, 2).string('leaf');
  let bytes = v.finish();
  for (let i = 0; i < depth; i++) {
    const arr = protobuf.Writer.create();
    field(arr, 1, 2).bytes(bytes);
    v = protobuf.Writer.create();
    field(v, 5, 2).bytes(arr.finish());
    bytes = v.finish();
  }
  const kv = protobuf.Writer.create();
  field(kv, 1, 2).string('deep');
  field(kv, 2, 2).bytes(bytes);
  const span = protobuf.Writer.create();
  field(span, 1, 2).bytes(Buffer.from(TRACE, 'hex'));
  field(span, 2, 2).bytes(Buffer.from('00f067aa0ba902b7', 'hex'));
  field(span, 9, 2).bytes(kv.finish());
  return handRequest([span.finish()], false);
}

test('nested values decode; nesting past the recursion limit is refused cleanly', () => {
  const ok = decodeOtlpProtobuf(nestedValueRequest(30));
  let v = ok.resourceSpans[0].scopeSpans[0].spans[0].attributes![0].value!;
  for (let i = 0; i < 30; i++) v = v.arrayValue!.values[0];
  assert.deepEqual(v, { stringValue: 'leaf' });
  // protobufjs stops at 100 nested messages (protoc's default); 2000 levels must be an error, not a crash.
  assert.throws(
    () => decodeOtlpProtobuf(nestedValueRequest(2000)),
    (e: unknown) => e instanceof OtlpDecodeError && /max depth/.test(e.message),
  );
});

test('export response and google.rpc.Status round-trip', () => {
  assert.equal(encodeExportResponse().length, 0);
  assert.deepEqual(decodeExportResponse(encodeExportResponse({ rejectedSpans: 3, errorMessage: 'bad ids' })), {
    partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' },
  });
  assert.deepEqual(decodeRpcStatus(encodeRpcStatus(3, 'bad body')), { code: 3, message: 'bad body' });
});
