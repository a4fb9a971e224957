// Jaeger UI-API JSON into the model: fields, references, processes, and the quirks Jaeger itself tolerates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { TraceCollector } from '../../src/core/io/group';
import { finishTrace } from '../../src/core/io/finish';
import { scanJson } from '../../src/core/io/json-stream';
import { JAEGER_PATTERNS, JaegerReader, jaegerToSpanBatch } from '../../src/core/ingest/jaeger/reader';
import type { Trace } from '../../src/core/trace/model';

const FIX = join(__dirname, '..', 'fixtures', 'traces');
const fixture = (n: string) => readFileSync(join(FIX, n));

function read(body: Buffer | string): { traces: Trace[]; fileDiagnostics: TraceCollector['diagnostics'] } {
  const out = new TraceCollector();
  const r = new JaegerReader(out);
  for (const ev of scanJson(Buffer.from(body), JAEGER_PATTERNS)) r.onEvent(ev);
  return { traces: out.drain().map(finishTrace), fileDiagnostics: out.diagnostics };
}

test('a Jaeger /api/traces answer becomes one trace with every span, parent, kind, status, tag and log', () => {
  const { traces, fileDiagnostics } = read(fixture('jaeger-ui.json'));
  assert.deepEqual(fileDiagnostics, []);
  assert.equal(traces.length, 1);
  const [t] = traces;
  assert.equal(t.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.deepEqual(
    t.spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.kind, s.status]),
    [
      ['00f067aa0ba902b7', undefined, 'orders', 'server', 'unset'],
      ['53995c3f42cd8ad8', '00f067aa0ba902b7', 'orders', 'client', 'unset'],
      ['b7ad6b7169203331', '53995c3f42cd8ad8', 'inventory', 'server', 'error'],
    ],
  );
  const [root, , inv] = t.spans;
  assert.equal(root.startTimeUnixNano, '1732701600123456000');
  assert.equal(root.endTimeUnixNano, '1732701600135456000');
  assert.equal(root.attributes['http.response.status_code'], 200);
  assert.equal(root.attributes['host.name'], 'orders-5d8c7b9f4d-x2x9k', 'process tags become attributes');
  assert.equal(root.attributes['span.kind'], undefined, 'span.kind moved into kind');
  assert.equal(inv.attributes['stock.cache_hit'], false);
  assert.equal(inv.attributes['stock.ratio'], 0.25);
  assert.equal(inv.attributes.error, undefined, 'the error tag moved into status');
  assert.equal(inv.attributes['otel.status_description'], 'stock service unavailable');
  assert.deepEqual(inv.events, [
    {
      timeUnixNano: '1732701600129000000',
      name: 'exception',
      attributes: { 'exception.type': 'Error', 'exception.message': 'stock service unavailable' },
    },
  ]);
  assert.deepEqual(
    t.spans.map((s) => s.layer),
    ['app', 'app', 'downstream'],
  );
  assert.ok(t.spans.every((s) => s.origin === 'jaeger'));
});

test('duplicate span ids, references into other traces, FOLLOWS_FROM, non-hex ids and unknown processes are kept, with diagnostics', () => {
  const { traces } = read(fixture('jaeger-quirks.json'));
  assert.equal(traces.length, 1);
  const t = traces[0];
  assert.equal(t.traceId, 'af5e9c1d2b3a4f60', '64-bit trace ids are kept as given');
  assert.equal(t.spans.length, 4, 'no span is lost');
  assert.deepEqual(
    t.spans.filter((s) => s.spanId === '2222222222222222').map((s) => s.name),
    ['publish', 'publish (retry report)'],
  );
  const dup = t.diagnostics.find((d) => d.code === 'duplicate-span-id');
  assert.equal(dup?.spanId, '2222222222222222');
  const consumer = t.spans[0];
  assert.equal(consumer.kind, 'consumer');
  assert.equal(consumer.parentSpanId, '2222222222222222', 'FOLLOWS_FROM in the same trace is the parent');
  assert.deepEqual(consumer.links, [
    { traceId: 'af5e9c1d2b3a4f60', spanId: '2222222222222222' },
    { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b9c7c989f97918e1' },
  ]);
  assert.ok(t.diagnostics.some((d) => d.code === 'reference-other-trace' && d.spanId === '1111111111111111'));
  assert.ok(t.diagnostics.some((d) => d.code === 'jaeger-warning' && /clock skew/.test(d.message)));
  const legacy = t.spans.find((s) => s.name === 'legacy');
  assert.equal(legacy?.spanId, 'not-a-hex-id!');
  assert.equal(legacy?.service, 'unknown');
  assert.ok(t.diagnostics.some((d) => d.code === 'jaeger-missing-process' && d.spanId === 'not-a-hex-id!'));
  assert.equal(
    t.spans[1].attributes['messaging.batch.message_count'],
    '9007199254740993',
    'int64 beyond 2^53 keeps its digits',
  );
});

test('wrapped, bare and list forms read the same; api errors become diagnostics', () => {
  const wrapped = JSON.parse(fixture('jaeger-ui.json').toString());
  const bare = wrapped.data[0];
  const a = read(JSON.stringify(wrapped)).traces;
  const b = read(JSON.stringify(bare)).traces;
  const c = read(JSON.stringify([bare])).traces;
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  const notFound = read('{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}');
  assert.equal(notFound.traces.length, 0);
  assert.match(notFound.fileDiagnostics[0].message, /404 trace not found/);
});

test('jaegerToSpanBatch never throws and says what is wrong', () => {
  const r1 = jaegerToSpanBatch(Buffer.from('{"foo": 1}'));
  assert.equal(r1.spans.length, 0);
  assert.match(r1.diagnostics[0].message, /not Jaeger JSON/);
  const r2 = jaegerToSpanBatch(Buffer.from('{"data":[{"traceID":"a","spans":[{"spanID":"b","startTime":"x"}, 5]}]}'));
  assert.equal(r2.spans.length, 1);
  assert.ok(r2.diagnostics.some((d) => d.code === 'jaeger-bad-time'));
  assert.ok(r2.diagnostics.some((d) => d.code === 'jaeger-bad-span'));
});

test('a truncated file keeps the spans that arrived whole', () => {
  const text = fixture('jaeger-ui.json').toString();
  const cut = text.indexOf('"spanID": "b7ad6b7169203331"');
  const { traces, fileDiagnostics } = read(text.slice(0, cut));
  assert.equal(traces[0].spans.length, 2);
  assert.match(fileDiagnostics.at(-1)?.message ?? '', /truncated/);
});

const hexChar = fc.constantFrom(...'0123456789abcdef'.split(''));
const hexa = (c: { minLength?: number; maxLength?: number } = {}) => fc.string({ unit: hexChar, ...c });
const tag = fc.record(
  {
    key: fc.string({ maxLength: 8 }),
    type: fc.constantFrom('string', 'bool', 'int64', 'float64', 'binary', 'weird'),
    value: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const span = fc.record(
  {
    traceID: fc.oneof(hexa({ minLength: 16, maxLength: 32 }), fc.jsonValue({ maxDepth: 0 })),
    spanID: fc.oneof(hexa({ minLength: 1, maxLength: 16 }), fc.jsonValue({ maxDepth: 0 })),
    operationName: fc.jsonValue({ maxDepth: 0 }),
    references: fc.oneof(
      fc.array(
        fc.record(
          { refType: fc.constantFrom('CHILD_OF', 'FOLLOWS_FROM', 'x'), traceID: hexa(), spanID: hexa() },
          { requiredKeys: [] },
        ),
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    startTime: fc.oneof(fc.nat(), fc.double(), fc.string(), fc.constant(-5)),
    duration: fc.oneof(fc.nat(), fc.double(), fc.string()),
    tags: fc.oneof(fc.array(tag, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
    logs: fc.oneof(
      fc.array(fc.record({ timestamp: fc.oneof(fc.nat(), fc.string()), fields: fc.array(tag, { maxLength: 3 }) }), {
        maxLength: 3,
      }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    processID: fc.constantFrom('p1', 'p2', 'zz'),
  },
  { requiredKeys: [] },
);

test('fuzz: random Jaeger-shaped traces never crash the reader, and every span object becomes a span', () => {
  fc.assert(
    fc.property(fc.array(span, { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), (spans, processes) => {
      const body = { data: [{ traceID: 'abc', spans, processes }] };
      const r = jaegerToSpanBatch(Buffer.from(JSON.stringify(body)));
      assert.equal(r.spans.length, spans.length);
      for (const s of r.spans) {
        assert.match(s.startTimeUnixNano, /^\d+$/);
        assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano));
        assert.equal(typeof s.spanId, 'string');
      }
    }),
    { numRuns: 2500, interruptAfterTimeLimit: 12_000 },
  );
});

test('fuzz: byte mutations of a real answer give spans or diagnostics, never a throw', () => {
  const seed = fixture('jaeger-ui.json');
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (edits, cut) => {
        const b = Buffer.from(seed);
        for (const [i, v] of edits) b[i % b.length] = v;
        const r = jaegerToSpanBatch(b.subarray(0, cut % (b.length + 1)));
        assert.ok(r.spans.length <= 3);
        assert.ok(r.spans.length === 3 || r.diagnostics.length > 0 || r.spans.length === 0);
      },
    ),
    { numRuns: 3000, interruptAfterTimeLimit: 12_000 },
  );
});
