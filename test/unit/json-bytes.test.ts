// The byte writer of `import --json` (src/cli/json-bytes.ts) against JSON.stringify: on random spans and traces
// with nasty strings (quotes, backslashes, control characters, DEL, C1, bidi overrides, lone surrogates, U+2028,
// any Unicode), odd numbers, left-out members, nested and odd values, its bytes are exactly UTF-8 of
// terminalSafe(JSON.stringify(...)), which is what the CLI printed for that JSON before. fast-check prints the seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonBytes } from '../../src/cli/json-bytes';
import { terminalSafe } from '../../src/cli/terminal';
import type { Span, Trace } from '../../src/core/trace/model';

/**
 * The reference the bytes must equal: a trace's JSON with one span a line, every value by JSON.stringify. (Building
 * such text piece by piece was slower than JSON.stringify on Node 20, and an attribute map in V8's dictionary form
 * serialized no slower than one in fast form; copying into a byte buffer was faster, hence json-bytes.ts.)
 */
function writeTraceJson(trace: Trace, write: (s: string) => void): void {
  write(`{"traceId":${JSON.stringify(trace.traceId)},"spans":[`);
  const spans = trace.spans;
  for (let i = 0; i < spans.length; i++) write((i ? ',\n' : '\n') + JSON.stringify(spans[i]));
  write(`],"criticalPath":${JSON.stringify(trace.criticalPath)},"diagnostics":${JSON.stringify(trace.diagnostics)}}`);
}

function collect(write: (w: JsonBytes) => void): Buffer {
  const parts: Buffer[] = [];
  const w = new JsonBytes((b) => parts.push(Buffer.from(b)));
  write(w);
  w.flush();
  return Buffer.concat(parts);
}

const expected = (text: string) => Buffer.from(terminalSafe(text), 'utf8');

const nasty = fc.constantFrom(
  '',
  '"',
  '\\',
  'a"b\\c',
  '\u0000\u0001\u001f',
  '\t\n\r\b\f',
  '\u007f',
  '\u0085\u009b[2J',
  '\u202e\u2066',
  '\u2028\u2029',
  '\ud800',
  'x\udc00y',
  '\ud83d\ude00',
  'é ü 漢字',
  '\u001b]52;c;aGk=\u0007',
);
const str = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.array(nasty, { maxLength: 4 }).map((a) => a.join('mid')) },
);
const num = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-0, 0, 1e21, 1e-7, 123456789012345680000, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity),
);
const leaf = fc.oneof(
  str,
  num,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(str, { maxLength: 3 }),
);
const nestedValue = fc.oneof(
  { weight: 5, arbitrary: leaf },
  { weight: 1, arbitrary: fc.dictionary(str, leaf, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constant(() => 1) },
  { weight: 1, arbitrary: fc.constant({ toJSON: () => undefined }) },
  { weight: 1, arbitrary: fc.constant({ toJSON: () => 'from toJSON' }) },
  { weight: 1, arbitrary: fc.constant(new Date(0)) },
);
// Attribute names as spans have them (dotted), and any string.
const key = fc.oneof(fc.constantFrom('http.request.method', 'url.path', 'nginx.request_time', 'kubetrace.pod'), str);

const spanArb = fc
  .record(
    {
      spanId: str,
      parentSpanId: fc.option(str, { nil: undefined }),
      name: str,
      service: str,
      layer: fc.constantFrom('client', 'ingress', 'app', 'downstream'),
      kind: fc.constantFrom('server', 'client', 'internal'),
      startTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String), str),
      endTimeUnixNano: fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
      status: fc.constantFrom('unset', 'ok', 'error'),
      attributes: fc.dictionary(key, nestedValue, { maxKeys: 30 }),
      events: fc.array(fc.record({ timeUnixNano: str, name: str, attributes: fc.dictionary(key, leaf) }), {
        maxLength: 2,
      }),
      links: fc.array(fc.record({ traceId: str, spanId: str }), { maxLength: 1 }),
      origin: fc.constantFrom('nginx-log', 'otlp', 'import'),
      sourceReason: fc.option(str, { nil: undefined }),
      extra: nestedValue,
    },
    { requiredKeys: ['spanId', 'name', 'service', 'attributes'] },
  )
  .chain((s) =>
    // Keys in any order, as a trace file may give them.
    fc.shuffledSubarray(Object.keys(s), { minLength: Object.keys(s).length }).map((order) => {
      const o: Record<string, unknown> = {};
      for (const k of order) o[k] = (s as Record<string, unknown>)[k];
      return o as unknown as Span;
    }),
  );

test('property: a span is written as terminalSafe(JSON.stringify(span)), byte for byte', () => {
  fc.assert(
    fc.property(spanArb, (span) => {
      assert.deepEqual(
        collect((w) => w.span(span)),
        expected(JSON.stringify(span)),
      );
    }),
    { numRuns: 3000 },
  );
});

test('property: one writer given many spans that repeat values key by key writes each as JSON.stringify', () => {
  // Few keys and few values, so that spans share shapes and values come again under the key that had them first
  // (json-bytes.ts copies those whole): the empty string, nasty strings, numbers and a long string among them.
  const value = fc.oneof(
    fc.constantFrom('', 'ingress', 'GET', '"q"', '\u0085', '\ud800', 'x'.repeat(300), 'é'),
    nasty,
    fc.constantFrom(0, -0, 1.5, NaN),
    fc.constant(undefined),
  );
  const small = fc
    .record({
      spanId: fc.constantFrom('a', 'b'),
      name: value,
      service: value,
      kind: value,
      attributes: fc.dictionary(fc.constantFrom('k', 'url.path', '\u001b'), value, { maxKeys: 3 }),
      events: fc.constantFrom([], ['e']),
    })
    .map((s) => s as unknown as Span);
  fc.assert(
    fc.property(fc.array(small, { minLength: 1, maxLength: 40 }), (spans) => {
      const got = collect((w) => spans.forEach((s) => w.span(s)));
      assert.deepEqual(got, Buffer.concat(spans.map((s) => expected(JSON.stringify(s)))));
    }),
    { numRuns: 1000 },
  );
});

test('property: a trace is written as writeTraceJson writes it, byte for byte', () => {
  fc.assert(
    fc.property(
      fc.array(spanArb, { maxLength: 6 }),
      str,
      fc.array(
        fc.oneof(
          fc.record({ spanId: str, index: fc.nat(), startTimeUnixNano: str, endTimeUnixNano: str }),
          nestedValue,
        ),
        { maxLength: 6 },
      ),
      fc.array(
        fc.oneof(
          fc.record(
            { code: str, severity: fc.constantFrom('info', 'warning'), message: str, hint: str, spanId: str },
            { requiredKeys: ['code', 'message'] },
          ),
          nestedValue,
        ),
        { maxLength: 4 },
      ),
      (spans, traceId, criticalPath, diagnostics) => {
        const trace = { traceId, spans, criticalPath, diagnostics } as unknown as Trace;
        let text = '';
        writeTraceJson(trace, (s) => (text += s));
        assert.deepEqual(
          collect((w) => w.trace(trace)),
          expected(text),
        );
      },
    ),
    { numRuns: 1000 },
  );
});

test('many spans across buffer refills, and a value longer than the buffer, come out whole', () => {
  const spans: Span[] = [];
  for (let i = 0; i < 3000; i++) {
    spans.push({
      spanId: `span${i}`,
      name: 'nginx',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'server',
      startTimeUnixNano: String(1795773600000000000n + BigInt(i)),
      endTimeUnixNano: String(1795773600000000000n + BigInt(i) * 2n),
      status: 'unset',
      attributes: {
        'url.path': `/orders/${i}`,
        'http.response.status_code': 200,
        big: i === 1500 ? 'x'.repeat(400_000) : 'y',
      },
      events: [],
      links: [],
      origin: 'nginx-log',
    });
  }
  const trace: Trace = { traceId: 't', spans, criticalPath: [], diagnostics: [] };
  let text = '';
  writeTraceJson(trace, (s) => (text += s));
  assert.deepEqual(
    collect((w) => w.trace(trace)),
    expected(text),
  );
});

test('a member that cannot be written throws as in JSON.stringify (a BigInt attribute)', () => {
  const span = { spanId: 'a', attributes: { n: 1n } } as unknown as Span;
  assert.throws(() => JSON.stringify(span), TypeError);
  assert.throws(() => collect((w) => w.span(span)), TypeError);
});

test('without a sink, the writer keeps everything in one buffer, growing it from the one it was given', () => {
  const spans: Span[] = [];
  for (let i = 0; i < 50; i++)
    spans.push({ spanId: `s${i}`, name: i % 2 ? 'nginx' : 'é\u0007', attributes: { i } } as unknown as Span);
  const start = new Uint8Array(16);
  const w = new JsonBytes(undefined, start);
  for (const s of spans) w.span(s);
  w.flush(); // nothing to hand on: the bytes stay
  const got = w.written();
  assert.deepEqual(Buffer.from(got), Buffer.concat(spans.map((s) => expected(JSON.stringify(s)))));
  assert.ok(got.buffer !== start.buffer, 'grew into new memory');
  const small = new JsonBytes(undefined, new Uint8Array(1 << 12));
  small.span(spans[0]);
  assert.equal(Buffer.from(small.written()).toString(), terminalSafe(JSON.stringify(spans[0])));
  assert.equal(small.written().buffer.byteLength, 1 << 12, 'written where it was told');
});
