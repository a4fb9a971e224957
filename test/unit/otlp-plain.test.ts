// readOtlpJsonTraces parses a plain answer at once (OtlpStreamReader.readPlain) and scans anything else: both must
// give the same traces, spans and diagnostics as scanning event by event, which is what it did before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readOtlpJsonTraces } from '../../src/core/ingest/tempo/reader';
import { TraceCollector } from '../../src/core/io/group';
import { scanJson } from '../../src/core/io/json-stream';
import { OTLP_PATTERNS, OtlpStreamReader } from '../../src/core/io/otlp-stream';

function scanned(body: Uint8Array) {
  const out = new TraceCollector();
  const reader = new OtlpStreamReader(out, 'jaeger');
  for (const ev of scanJson(body, OTLP_PATTERNS)) reader.onEvent(ev);
  return { traces: out.drain(), diagnostics: out.diagnostics };
}

const fixtures = join(__dirname, '..', 'fixtures', 'traces');

for (const name of [
  'jaeger-v3.json',
  'otlp.json',
  'tempo-batches.json',
  'tempo-resource-spans.json',
  'jaeger-quirks.json',
])
  test(`${name}: the same traces whichever way it is read`, () => {
    const body = readFileSync(join(fixtures, name));
    assert.deepEqual(readOtlpJsonTraces(body, 'jaeger'), scanned(body));
  });

test('malformed and odd answers are scanned, with the scanner diagnostics', () => {
  for (const text of [
    '{"result":{"resourceSpans":[',
    '[]',
    '{"resourceSpans":[1]}',
    '{"resourceSpans":[{"scopeSpans":[{"spans":[2]}]}]}',
  ]) {
    const body = Buffer.from(text);
    assert.deepEqual(readOtlpJsonTraces(body, 'jaeger'), scanned(body), text);
  }
});

test('FindTraces-shaped answers of many traces read the same either way (property)', () => {
  const hex = (n: number) =>
    fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const span = fc.record({
    traceId: fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'),
    spanId: hex(16),
    parentSpanId: fc.oneof(fc.constant(''), hex(16)),
    name: fc.constantFrom('GET /orders', 'SELECT stock', 'orders.list'),
    kind: fc.integer({ min: 0, max: 5 }),
    startTimeUnixNano: fc.constantFrom('1796524141286000000', '1796524141287000000'),
    endTimeUnixNano: fc.constantFrom('1796524141290000000', '1796524141291500000'),
    attributes: fc.array(
      fc.record({
        key: fc.constantFrom('http.request.method', 'kubetrace.layer', 'db.system'),
        value: fc.record({ stringValue: fc.string({ maxLength: 6 }) }),
      }),
      { maxLength: 3 },
    ),
  });
  const rs = fc.record({
    resource: fc.record({ attributes: fc.constant([{ key: 'service.name', value: { stringValue: 'orders' } }]) }),
    scopeSpans: fc.array(
      fc.record({ scope: fc.record({ name: fc.constant('x') }), spans: fc.array(span, { maxLength: 6 }) }),
      { maxLength: 3 },
    ),
  });
  fc.assert(
    fc.property(fc.array(rs, { maxLength: 4 }), (list) => {
      const body = Buffer.from(JSON.stringify({ result: { resourceSpans: list } }));
      assert.deepEqual(readOtlpJsonTraces(body, 'jaeger'), scanned(body));
    }),
    { numRuns: 200 },
  );
});
