import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceStore } from '../../src/sandbox/trace-store/store';
import { parseTraceId } from '../../src/sandbox/trace-store/query';
import { toJaegerTrace } from '../../src/sandbox/trace-store/jaeger-ui';
import type { OtlpResourceSpans, OtlpSpan } from '../../src/core/ingest/otlp/types';
import { decodeOtlpProtobuf, encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';

const tid = (n: number) => n.toString(16).padStart(32, '0');
const sid = (n: number) => n.toString(16).padStart(16, '0');
const span = (t: number, s: number, extra: Partial<OtlpSpan> = {}): OtlpSpan => ({
  traceId: tid(t),
  spanId: sid(s),
  name: `op${s % 3}`,
  kind: 2,
  startTimeUnixNano: String(1000 + s),
  endTimeUnixNano: String(2000 + s),
  attributes: [],
  ...extra,
});
const batch = (service: string, spans: OtlpSpan[]): OtlpResourceSpans[] => [
  {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [{ scope: { name: 'lib' }, spans }],
  },
];

test('spans of one trace from several batches and services come back grouped by resource and scope', () => {
  const store = new TraceStore();
  store.add(batch('orders', [span(1, 1), span(1, 2)]));
  store.add(batch('inventory', [span(1, 3)]));
  store.add(batch('orders', [span(1, 4)]));
  const rs = store.get(tid(1))!;
  assert.equal(rs.length, 2);
  assert.deepEqual(
    rs[0].scopeSpans[0].spans.map((s) => s.spanId),
    [sid(1), sid(2), sid(4)],
  );
  assert.deepEqual(
    rs[1].scopeSpans[0].spans.map((s) => s.spanId),
    [sid(3)],
  );
  assert.deepEqual(store.services(), ['inventory', 'orders']);
  assert.deepEqual(
    store.operations('orders').map((o) => o.name),
    ['op1', 'op2'],
  );
  assert.equal(store.get(tid(2)), undefined);
});

test('a re-sent batch (exporter retry) is not stored twice', () => {
  const store = new TraceStore();
  store.add(batch('orders', [span(1, 1), span(1, 2)]));
  const r = store.add(batch('orders', [span(1, 1), span(1, 2)]));
  assert.equal(r.duplicates, 2);
  assert.equal(store.spanCount, 2);
});

test('spans kept as protobuf bytes and as JSON text come back the same', () => {
  const input = batch('orders', [
    span(1, 1, { attributes: [{ key: 'k', value: { arrayValue: { values: [{ intValue: '-3' }] } } }] }),
    span(1, 2, { parentSpanId: sid(1) }),
  ]);
  const decoded = decodeOtlpProtobuf(encodeOtlpProtobuf(input), { spanBytes: true });
  const fromBytes = new TraceStore();
  fromBytes.add(decoded.resourceSpans, decoded.spanBytes);
  const fromObjects = new TraceStore();
  fromObjects.add(decoded.resourceSpans);
  assert.deepEqual(fromBytes.get(tid(1)), fromObjects.get(tid(1)));
  assert.deepEqual(fromBytes.get(tid(1))![0].scopeSpans[0].spans, decoded.resourceSpans[0].scopeSpans[0].spans);
  const again = decodeOtlpProtobuf(encodeOtlpProtobuf(input), { spanBytes: true });
  assert.equal(fromBytes.add(again.resourceSpans, again.spanBytes).duplicates, 2);
});

test('max traces evicts the oldest traces first', () => {
  const store = new TraceStore({ maxTraces: 3, maxSpans: 1000 });
  for (let t = 1; t <= 5; t++) store.add(batch('s', [span(t, t * 10), span(t, t * 10 + 1)]));
  assert.equal(store.traceCount, 3);
  assert.equal(store.get(tid(1)), undefined);
  assert.equal(store.get(tid(2)), undefined);
  assert.ok(store.get(tid(3)) && store.get(tid(5)));
  assert.equal(store.spanCount, 6);
});

test('max spans evicts oldest traces; one trace larger than the store keeps what fits and reports the rest', () => {
  const store = new TraceStore({ maxTraces: 100, maxSpans: 5 });
  store.add(batch('s', [span(1, 1), span(1, 2)]));
  store.add(batch('s', [span(2, 3), span(2, 4)]));
  store.add(batch('s', [span(3, 5), span(3, 6)])); // needs room: trace 1 goes
  assert.equal(store.get(tid(1)), undefined);
  assert.equal(store.spanCount, 4);
  const r = store.add(
    batch('s', [span(4, 10), span(4, 11), span(4, 12), span(4, 13), span(4, 14), span(4, 15), span(4, 16)]),
  );
  assert.equal(store.traceCount, 1);
  assert.equal(store.spanCount, 5);
  assert.equal(r.stored, 5);
  assert.equal(r.rejected, 2);
});

test('trace ids parse like Jaeger model.TraceIDFromString', () => {
  assert.deepEqual(parseTraceId('4BF92F3577B34DA6A3CE929D0E0E4736'), { hex: '4bf92f3577b34da6a3ce929d0e0e4736' });
  assert.deepEqual(parseTraceId('abc'), { hex: '00000000000000000000000000000abc' });
  assert.deepEqual(parseTraceId('a'.repeat(33)), {
    error: `TraceID cannot be longer than 32 hex characters: ${'a'.repeat(33)}`,
  });
  assert.deepEqual(parseTraceId('xyz'), { error: 'strconv.ParseUint: parsing "xyz": invalid syntax' });
});

test("classic Jaeger JSON: references, tags, logs and processes follow Jaeger's OTLP mapping", () => {
  const rs: OtlpResourceSpans[] = [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'orders' } },
          { key: 'k8s.pod.name', value: { stringValue: 'p1' } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'http' },
          spans: [
            span(1, 1, {
              parentSpanId: sid(9),
              status: { code: 2, message: 'bad' },
              events: [
                {
                  timeUnixNano: '1500',
                  name: 'exception',
                  attributes: [{ key: 'exception.message', value: { stringValue: 'x' } }],
                },
              ],
              links: [{ traceId: tid(7), spanId: sid(8) }],
              attributes: [
                { key: 'n', value: { intValue: '5' } },
                { key: 'f', value: { doubleValue: 1.5 } },
              ],
            }),
          ],
        },
      ],
    },
  ];
  const t = toJaegerTrace(tid(1), rs);
  assert.equal(t.traceID, '0000000000000001'); // Jaeger drops a zero high half
  const s = t.spans[0];
  assert.deepEqual(s.references, [
    { refType: 'CHILD_OF', traceID: '0000000000000001', spanID: sid(9) },
    { refType: 'FOLLOWS_FROM', traceID: '0000000000000007', spanID: sid(8) },
  ]);
  assert.equal(s.startTime, 1);
  assert.equal(s.duration, 1);
  assert.deepEqual(
    s.tags.find((x) => x.key === 'n'),
    { key: 'n', type: 'int64', value: 5 },
  );
  assert.deepEqual(
    s.tags.find((x) => x.key === 'f'),
    { key: 'f', type: 'float64', value: 1.5 },
  );
  assert.deepEqual(
    s.tags.find((x) => x.key === 'error'),
    { key: 'error', type: 'bool', value: true },
  );
  assert.deepEqual(
    s.tags.find((x) => x.key === 'span.kind'),
    { key: 'span.kind', type: 'string', value: 'server' },
  );
  assert.deepEqual(s.logs[0].fields[0], { key: 'event', type: 'string', value: 'exception' });
  assert.deepEqual(t.processes.p1, {
    serviceName: 'orders',
    tags: [{ key: 'k8s.pod.name', type: 'string', value: 'p1' }],
  });
});
