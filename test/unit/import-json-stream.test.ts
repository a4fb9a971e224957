// The incremental JSON reader behind big-file imports: same events however the bytes are cut, exact element
// values, clear errors with offsets, and no crash or hang on any input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonStreamScanner, scanJson, streamJson, type JsonEvent, type Pattern } from '../../src/core/io/json-stream';

const JAEGERISH: Pattern[] = [[['data'], '*', ['spans'], '*'], ['*']];

function chunked(buf: Buffer, cuts: number[]): JsonEvent[] {
  const s = new JsonStreamScanner(JAEGERISH);
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    s.write(buf.subarray(at, c));
    at = c;
  }
  s.write(buf.subarray(at));
  s.end();
  return s.events;
}

test('elements on the pattern come out one by one, with their exact values; other keys stay on the partial parent', () => {
  const body = {
    data: [{ traceID: 'a', spans: [{ x: 1 }, { y: 'q"]}' }], processes: { p1: { serviceName: 's' } } }],
    total: 0,
    errors: null,
  };
  const events = scanJson(Buffer.from(JSON.stringify(body)), JAEGERISH);
  const elements = events.filter((e) => e.type === 'element');
  assert.deepEqual(
    elements.map((e) => (e as { value: unknown }).value),
    [{ x: 1 }, { y: 'q"]}' }],
  );
  assert.deepEqual(
    elements.map((e) => (e as { path: unknown }).path),
    [
      ['data', 0, 'spans', 0],
      ['data', 0, 'spans', 1],
    ],
  );
  const traceClose = events.find((e) => e.type === 'close' && e.path.length === 2) as {
    value: Record<string, unknown>;
  };
  assert.deepEqual(traceClose.value.processes, { p1: { serviceName: 's' } });
  assert.deepEqual(traceClose.value.spans, [], 'streamed elements are not kept in memory');
  const end = events.at(-1) as { type: string; value: Record<string, unknown> };
  assert.equal(end.type, 'end');
  assert.equal(end.value.total, 0);
});

test('property: any JSON value inside data[].spans[] streams to the same elements JSON.parse gives, however the bytes are cut', () => {
  fc.assert(
    fc.property(
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      fc.boolean(),
      (spans, rawCuts, pretty) => {
        const text = JSON.stringify({ data: [{ spans, traceID: 'ü✓' }] }, null, pretty ? 2 : 0);
        const buf = Buffer.from(text, 'utf8');
        const cuts = rawCuts.map((c) => c % (buf.length + 1));
        const a = chunked(buf, cuts);
        const b = scanJson(buf, JAEGERISH);
        assert.deepEqual(a, b);
        const values = b
          .filter((e) => e.type === 'element' || e.type === 'stray')
          .map((e) => (e as { value: unknown }).value);
        assert.deepEqual(values, JSON.parse(text).data[0].spans);
        assert.equal(b.at(-1)?.type, 'end');
      },
    ),
    { numRuns: 1500, interruptAfterTimeLimit: 12_000 },
  );
});

test('several top-level values (JSON lines) each end with their own index', () => {
  const ev = scanJson(Buffer.from('{"data":[]}\n{"data":[{"spans":[1]}]}\n'), JAEGERISH).filter(
    (e) => e.type === 'end',
  );
  assert.deepEqual(
    ev.map((e) => (e as { index: number }).index),
    [0, 1],
  );
});

test('malformed input ends with one error that says where', () => {
  const cases: [string, RegExp, number][] = [
    ['{"data" 1}', /expected :/, 8],
    ['{"data":[{"spans":[{"a":1}]}]', /ends too early/, 29],
    ['[1,]', /unexpected "]"/, 3],
    ['', /no JSON value/, 0],
    ['{"data":[{"spans":[{"a":tru}]}]}', /invalid JSON value/, 19],
    ['{"a":1}}', /unexpected "}"/, 7],
  ];
  for (const [text, re, offset] of cases) {
    const events = scanJson(Buffer.from(text), JAEGERISH);
    const errors = events.filter((e) => e.type === 'error');
    assert.equal(errors.length, 1, text);
    const err = errors[0] as { message: string; offset: number };
    assert.match(err.message, re, text);
    assert.equal(err.offset, offset, text);
    assert.equal(events.at(-1)?.type, 'error', 'nothing after the error');
  }
});

test('a value larger than maxValueBytes is refused instead of buffered', () => {
  const big = JSON.stringify([{ s: 'x'.repeat(5000) }]);
  const ev = scanJson(Buffer.from(big), [['*']], { maxValueBytes: 1000 });
  assert.match((ev.at(-1) as { message: string }).message, /larger than 1000 bytes/);
});

test('a byte-order mark is skipped', () => {
  const ev = scanJson(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"a":1}]')]), [['*']]);
  assert.deepEqual(
    ev.filter((e) => e.type === 'element').map((e) => (e as { value: unknown }).value),
    [{ a: 1 }],
  );
});

test('fuzz: random and mutated bytes give events ending in end or error, never a throw', () => {
  const seed = Buffer.from(
    JSON.stringify({
      data: [{ traceID: 'a', spans: [{ spanID: 'b', tags: [{ key: 'k', value: 1.5e3 }] }], processes: {} }],
    }),
  );
  const mutated = fc
    .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
    .map(([edits, cut]) => {
      const b = Buffer.from(seed);
      for (const [i, v] of edits) b[i % b.length] = v;
      return b.subarray(0, cut % (b.length + 1));
    });
  const random = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));
  fc.assert(
    fc.property(fc.oneof(mutated, random), fc.array(fc.nat(), { maxLength: 4 }), (buf, cuts) => {
      const events = chunked(
        buf,
        cuts.map((c) => c % (buf.length + 1)),
      );
      const last = events.at(-1);
      assert.ok(last && (last.type === 'end' || last.type === 'error'), 'every input ends in end or error');
    }),
    { numRuns: 4000, interruptAfterTimeLimit: 12_000 },
  );
});

test('streamJson reads an async source of string and Buffer chunks', async () => {
  async function* src() {
    yield '{"data":[{"spa';
    yield Buffer.from('ns":[{"a":1},{"b":2}]}]}');
  }
  const out: JsonEvent[] = [];
  for await (const e of streamJson(src(), JAEGERISH)) out.push(e);
  assert.deepEqual(
    out.filter((e) => e.type === 'element').map((e) => (e as { value: unknown }).value),
    [{ a: 1 }, { b: 2 }],
  );
});
