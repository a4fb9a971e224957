// Property and fuzz tests for the OTLP decoders: thousands of random and mutated inputs each.
// Every input must give a result or a clear OtlpDecodeError -- no other exception, no hang, and results
// always in the canonical shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeOtlpProtobuf, decodeOtlpSpanBytes, encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import {
  OtlpDecodeError,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpResourceSpans,
  type OtlpSpan,
} from '../../src/core/ingest/otlp/types';

// ---- arbitraries: canonical OTLP, exactly as the decoders produce it ----

const hexId = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .filter((b) => b.some((x) => x !== 0))
    .map((b) => Buffer.from(b).toString('hex'));
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const u32 = fc.integer({ min: 1, max: 0xffffffff });

const { value: anyValue } = fc.letrec<{ value: OtlpAnyValue; kv: OtlpKeyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((stringValue) => ({ stringValue })),
    fc.boolean().map((boolValue) => ({ boolValue })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ intValue: String(n) })),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((doubleValue) => ({ doubleValue })),
    fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytesValue: Buffer.from(b).toString('base64') })),
    fc.constant({}),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc.array(tie('kv'), { maxLength: 3 }).map((values) => ({ kvlistValue: { values } })),
  ),
  kv: fc.record({ key: text, value: tie('value') }, { noNullPrototype: true }),
}));

const keyValue: fc.Arbitrary<OtlpKeyValue> = fc.record({ key: text, value: anyValue }, { noNullPrototype: true });
const attrs = fc.array(keyValue, { maxLength: 4 });

const otlpSpan: fc.Arbitrary<OtlpSpan> = fc.record(
  {
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: hexId(8),
    traceState: text.filter((s) => s !== ''),
    flags: u32,
    name: text,
    kind: fc.constantFrom(0, 1, 2, 3, 4, 5) as fc.Arbitrary<OtlpSpan['kind']>,
    startTimeUnixNano: u64,
    endTimeUnixNano: u64,
    attributes: attrs,
    droppedAttributesCount: u32,
    events: fc.array(
      fc.record(
        { timeUnixNano: u64, name: text, attributes: fc.array(keyValue, { minLength: 1, maxLength: 2 }) },
        { requiredKeys: ['timeUnixNano', 'name'], noNullPrototype: true },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    links: fc.array(
      fc.record(
        { traceId: hexId(16), spanId: hexId(8), attributes: fc.array(keyValue, { minLength: 1, maxLength: 2 }) },
        { requiredKeys: ['traceId', 'spanId'], noNullPrototype: true },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    status: fc.record(
      { code: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>, message: text.filter((s) => s !== '') },
      { requiredKeys: [], noNullPrototype: true },
    ),
  },
  {
    requiredKeys: ['traceId', 'spanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes'],
    noNullPrototype: true,
  },
);

const resourceSpans: fc.Arbitrary<OtlpResourceSpans[]> = fc.array(
  fc.record(
    {
      resource: fc.record({ attributes: attrs }, { noNullPrototype: true }),
      scopeSpans: fc.array(
        fc.record(
          {
            scope: fc.record(
              { name: text.filter((s) => s !== ''), version: text.filter((s) => s !== '') },
              { requiredKeys: [], noNullPrototype: true },
            ),
            spans: fc.array(otlpSpan, { maxLength: 3 }),
          },
          { requiredKeys: ['spans'], noNullPrototype: true },
        ),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: ['scopeSpans'], noNullPrototype: true },
  ),
  { maxLength: 2 },
);

/** Checks the invariants every decoded span satisfies; returns a reason or undefined. */
function canonicalProblem(rs: OtlpResourceSpans[], strictIds: boolean): string | undefined {
  if (!Array.isArray(rs)) return 'resourceSpans not an array';
  for (const r of rs) {
    if (!Array.isArray(r.scopeSpans)) return 'scopeSpans not an array';
    for (const ss of r.scopeSpans) {
      for (const s of ss.spans) {
        if (typeof s.traceId !== 'string' || s.traceId === '') return 'bad traceId';
        if (typeof s.spanId !== 'string' || s.spanId === '') return 'bad spanId';
        if (strictIds && (!/^[0-9a-f]{32}$/.test(s.traceId) || !/^[0-9a-f]{16}$/.test(s.spanId)))
          return `non-hex id ${s.traceId}/${s.spanId}`;
        if (s.parentSpanId !== undefined && (s.parentSpanId === '' || /^0+$/.test(s.parentSpanId)))
          return 'empty or zero parent kept';
        if (!/^\d+$/.test(s.startTimeUnixNano) || !/^\d+$/.test(s.endTimeUnixNano)) return 'bad time';
        if (!Number.isInteger(s.kind) || s.kind! < 0 || s.kind! > 5) return 'bad kind';
        if (typeof s.name !== 'string' || !Array.isArray(s.attributes)) return 'bad name/attributes';
        for (const kv of s.attributes)
          if (typeof kv.key !== 'string' || typeof kv.value !== 'object') return 'bad attribute';
      }
    }
  }
  return undefined;
}

// ---- helpers ----

/** Runs fn and fails the property when one input takes longer than the bound (a hang or blow-up). */
function timed<T>(fn: () => T, boundMs = 1000): T {
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  if (ms > boundMs) throw new Error(`one input took ${ms.toFixed(0)} ms`);
  return r;
}

function decodeOrRefuse(bytes: Uint8Array): void {
  let r: ReturnType<typeof decodeOtlpProtobuf> | undefined;
  try {
    r = timed(() => decodeOtlpProtobuf(bytes, { spanBytes: true }));
  } catch (e) {
    if (e instanceof OtlpDecodeError) {
      assert.match(e.message, /^not an OTLP ExportTraceServiceRequest protobuf: ./);
      return;
    }
    throw e;
  }
  assert.equal(canonicalProblem(r.resourceSpans, true), undefined);
  const spans = r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  assert.deepEqual(r.spanBytes!.map(decodeOtlpSpanBytes), spans);
  assert.ok(r.problems.length <= Math.min(r.rejectedSpans, 100), 'one problem line per rejected span, capped');
  JSON.stringify(r); // must be plain data (no BigInt, no cycles)
}

/** Byte-level mutations of a valid message: flips, truncation, insertion, deletion, duplication. */
const mutation = fc.tuple(fc.constantFrom('flip', 'truncate', 'insert', 'delete', 'dup', 'set'), fc.nat(), fc.nat(255));
function mutate(buf: Uint8Array, muts: [string, number, number][]): Uint8Array {
  let b = Buffer.from(buf);
  for (const [op, at, v] of muts) {
    const i = b.length ? at % b.length : 0;
    if (op === 'flip' && b.length) b[i] ^= 1 << (v % 8);
    else if (op === 'set' && b.length) b[i] = v;
    else if (op === 'truncate') b = b.subarray(0, i);
    else if (op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([v]), b.subarray(i)]);
    else if (op === 'delete') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    else if (op === 'dup') b = Buffer.concat([b.subarray(0, i), b.subarray(i, i + 1 + (v % 16)), b.subarray(i)]);
  }
  return b;
}

// ---- protobuf ----

test('protobuf: encode/decode round-trips any canonical request', () => {
  fc.assert(
    fc.property(resourceSpans, (rs) => {
      assert.deepEqual(decodeOtlpProtobuf(encodeOtlpProtobuf(rs)).resourceSpans, rs);
    }),
    { numRuns: 600 },
  );
});

test('protobuf: random bytes give a result or OtlpDecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodeOrRefuse(bytes)),
    { numRuns: 5000 },
  );
});

test('protobuf: mutated valid requests give a result or OtlpDecodeError', () => {
  fc.assert(
    fc.property(resourceSpans, fc.array(mutation, { minLength: 1, maxLength: 4 }), (rs, muts) => {
      decodeOrRefuse(mutate(encodeOtlpProtobuf(rs), muts));
    }),
    { numRuns: 3000 },
  );
});

// ---- JSON ----

function checkNormalized(body: unknown): void {
  const r = timed(() => normalizeOtlpJson(body));
  assert.ok(Array.isArray(r.problems) && r.problems.every((p) => typeof p === 'string'));
  assert.equal(canonicalProblem(r.resourceSpans, false), undefined);
  JSON.stringify(r);
}

test('JSON: any JSON value gives a result, never an exception', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => checkNormalized(v)),
    { numRuns: 4000 },
  );
  fc.assert(
    fc.property(
      fc.anything({
        withBigInt: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
        withSparseArray: true,
        withNullPrototype: true,
      }),
      (v) => checkNormalized({ resourceSpans: [{ scopeSpans: [{ spans: [v] }] }] }),
    ),
    { numRuns: 2000 },
  );
});

test('JSON: canonical requests survive a trip through JSON text (hex, base64 and snake_case variants)', () => {
  fc.assert(
    fc.property(resourceSpans, fc.constantFrom('hex', 'base64', 'snake'), (rs, style) => {
      let text = JSON.stringify({ resourceSpans: rs });
      if (style === 'base64') {
        text = text.replace(
          /"(traceId|spanId|parentSpanId)":"([0-9a-f]+)"/g,
          (_m, k: string, hex: string) => `"${k}":"${Buffer.from(hex, 'hex').toString('base64')}"`,
        );
      }
      if (style === 'snake')
        text = text.replace(
          /"(resourceSpans|scopeSpans|traceId|spanId|parentSpanId|startTimeUnixNano|endTimeUnixNano|stringValue|intValue)":/g,
          (_m, k: string) => `"${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}":`,
        );
      const r = normalizeOtlpJson(JSON.parse(text));
      assert.deepEqual(r.problems, []);
      // JSON has no -0 for doubles; compare through JSON text.
      assert.deepEqual(JSON.parse(JSON.stringify(r.resourceSpans)), JSON.parse(JSON.stringify(rs)));
    }),
    { numRuns: 800 },
  );
});

/** Replaces, deletes or renames a random node of a valid document. */
function mutateJson(doc: unknown, muts: [number, unknown, number][]): unknown {
  const root = { doc: structuredClone(doc) } as Record<string, unknown>;
  for (const [pick, replacement, op] of muts) {
    const slots: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v))
        v.forEach((x, i) => {
          slots.push([v, i]);
          walk(x);
        });
      else if (v && typeof v === 'object')
        for (const k of Object.keys(v)) {
          slots.push([v as Record<string, unknown>, k]);
          walk((v as Record<string, unknown>)[k]);
        }
    };
    walk(root.doc);
    if (!slots.length) break;
    const [parent, key] = slots[pick % slots.length];
    if (op % 3 === 0) (parent as Record<string | number, unknown>)[key] = replacement;
    else if (op % 3 === 1 && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else if (!Array.isArray(parent)) {
      parent[`${key}_x`] = parent[key as string];
      delete parent[key as string];
    }
  }
  return root.doc;
}

test('JSON: mutated valid requests give a result, never an exception', () => {
  fc.assert(
    fc.property(
      resourceSpans,
      fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.nat(2)), { minLength: 1, maxLength: 4 }),
      (rs, muts) => {
        checkNormalized(mutateJson({ resourceSpans: rs }, muts));
      },
    ),
    { numRuns: 3000 },
  );
});
