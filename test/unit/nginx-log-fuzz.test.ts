// Property and fuzz tests: random and mutated lines give a record or a clear error, never a throw, in bounded time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { looksLikeAccessLog, parseAccessLogLine } from '../../src/core/ingest/nginx-log/parse';
import { findRecordByRequestId, nginxSpansFromRecord } from '../../src/core/ingest/nginx-log/spans';
import type { Span } from '../../src/core/trace/model';

const FIX = join(__dirname, '../fixtures/nginx-log');
const SEEDS = ['timings', 'default', 'methoduri', 'legacy', 'combined', 'json'].flatMap((f) =>
  readFileSync(join(FIX, `${f}.log`), 'utf8')
    .split('\n')
    .filter(Boolean),
);
const FORMATS = new Set([
  'ingress-nginx',
  'ingress-nginx+timings',
  'ingress-nginx-method-uri',
  'ingress-nginx-legacy',
  'json',
  'combined',
  'nic-main',
]);
// Per input: linear in the length, generous for a loaded 2-core box (real lines take microseconds).
const caseBudgetMs = (chars: number) => 500 + chars / 200;

/** Parses, checks the result's shape, and turns records into spans whose times must nest. */
// CPU time, not wall time: other processes on a loaded machine must not fail the bound.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function check(line: string): void {
  const t0 = cpuMs();
  const r = parseAccessLogLine(line);
  looksLikeAccessLog(line);
  if ('error' in r) {
    assert.equal(typeof r.error, 'string');
    assert.ok(r.error.length > 0 && r.error.length < 400, `error message length ${r.error.length}`);
    assert.ok(!r.error.startsWith('internal parser error'), r.error);
  } else {
    const rec = r.record;
    assert.ok(FORMATS.has(rec.format));
    assert.ok(Array.isArray(rec.upstreams));
    for (const u of rec.upstreams) {
      assert.ok(u.addr === null || typeof u.addr === 'string');
      assert.ok(Number.isInteger(u.group) && u.group >= 0);
      for (const v of [u.status, u.responseTime, u.connectTime, u.headerTime, u.responseLength]) {
        assert.ok(v === undefined || (Number.isFinite(v) && v >= 0));
      }
    }
    const { spans, diagnostics } = nginxSpansFromRecord(rec, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      clientWindow: { startUnixNano: 1_700_000_000_000_000_000n, endUnixNano: 1_700_000_000_050_000_000n },
      podByAddr: (a) => (a.length % 2 ? { pod: 'p' } : undefined),
    });
    assert.ok(Array.isArray(diagnostics));
    nests(spans);
  }
  const ms = cpuMs() - t0;
  assert.ok(ms < caseBudgetMs(line.length), `took ${ms.toFixed(0)} ms for a ${line.length}-char line`);
}

function nests(spans: Span[]): void {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (const s of spans) {
    assert.match(s.startTimeUnixNano, /^\d+$/);
    assert.match(s.endTimeUnixNano, /^\d+$/);
    assert.ok(BigInt(s.startTimeUnixNano) <= BigInt(s.endTimeUnixNano), `${s.name} ends before it starts`);
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    if (p) {
      assert.ok(BigInt(s.startTimeUnixNano) >= BigInt(p.startTimeUnixNano), `${s.name} starts before ${p.name}`);
      assert.ok(BigInt(s.endTimeUnixNano) <= BigInt(p.endTimeUnixNano), `${s.name} ends after ${p.name}`);
    }
  }
}

// Characters that matter to the parser, so random text hits its branches often.
const SPECIAL = fc.constantFrom(
  ' ',
  '"',
  '[',
  ']',
  '\\',
  ',',
  ' : ',
  '-',
  '{',
  '}',
  ':',
  '\\x22',
  '\\"',
  '\t',
  '\u0000',
  '\u00fc',
  '\ud83d\ude00',
  '0.001',
  '502',
  '\n',
);
const NOISE = fc.oneof(fc.string({ unit: 'binary', maxLength: 3 }), SPECIAL);

type Mutation = (s: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n) => (s: string) => s.slice(0, n % (s.length + 1))), // truncate
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 0xffff })).map(([n, c]) => (s: string) => {
    const i = n % Math.max(1, s.length);
    return s.slice(0, i) + String.fromCharCode(c) + s.slice(i + 1); // flip a character
  }),
  fc.tuple(fc.nat(), NOISE).map(([n, x]) => (s: string) => {
    const i = n % (s.length + 1);
    return s.slice(0, i) + x + s.slice(i);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (s: string) => {
    // delete a span
    const i = a % (s.length + 1);
    return s.slice(0, i) + s.slice(i + (b % 20));
  }),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('x', ' ', '"', '[', '\\', ', ', ' : ', '9', '{"a": '),
      fc.integer({ min: 1000, max: 50_000 }),
    )
    .map(([n, unit, count]) => (s: string) => {
      // a huge field
      const i = n % (s.length + 1);
      return s.slice(0, i) + unit.repeat(Math.ceil(count / unit.length)) + s.slice(i);
    }),
  fc.nat().map((n) => (s: string) => {
    // swap two fields
    const parts = s.split(' ');
    const i = n % parts.length;
    const j = (n * 7 + 3) % parts.length;
    [parts[i], parts[j]] = [parts[j], parts[i]];
    return parts.join(' ');
  }),
);

describe('nginx access-log parser fuzzing', () => {
  test('random text (3000 inputs)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.array(NOISE, { maxLength: 80 }).map((a) => a.join('')),
        ),
        check,
      ),
      { numRuns: 3000 },
    );
  });

  test('mutated real lines (3000 inputs, up to 4 mutations each)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => {
        check(ms.reduce((s, m) => m(s), seed));
      }),
      { numRuns: 3000 },
    );
  });

  test('real lines with a runtime timestamp prefix still parse', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.date({ min: new Date(2000, 0, 1), max: new Date(2100, 0, 1), noInvalidDate: true }),
        (seed, d) => {
          const r = parseAccessLogLine(`${d.toISOString()} ${seed}`);
          assert.ok('record' in r);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('findRecordByRequestId over random logs never throws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...SEEDS), fc.string({ unit: 'binary', maxLength: 120 })), { maxLength: 30 }),
        fc.string({ maxLength: 40 }),
        (lines, id) => {
          const f = findRecordByRequestId(lines, id);
          assert.ok(Array.isArray(f.unparsed));
          if (f.record) assert.equal(f.record.reqId, id);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('pathological 1 MB lines finish quickly', () => {
    const base = SEEDS[0];
    const mb = 1 << 20;
    const inputs = [
      '['.repeat(mb - 1),
      ']'.repeat(mb - 1),
      '"'.repeat(mb - 1),
      '\\'.repeat(mb - 1),
      ' '.repeat(mb - 1),
      `${'[a '.repeat(mb / 3 - 10)}]z`,
      `{${'"a": 1, '.repeat(mb / 9)}`,
      `{"a": ${' '.repeat(mb - 20)}x"}`,
      base.replace('[shop-orders-80]', `[${'x'.repeat(mb - base.length - 10)}]`),
      base.replace(/ \d+\.\d+ 200 /, ` ${'0.001, '.repeat(mb / 8 - 60)}0.001 200 `),
      base.replace(/ 200 ([0-9a-f]{32})/, ` 200 ${'- : '.repeat(mb / 4 - 80)}$1`),
    ];
    for (const line of inputs) {
      const t0 = cpuMs();
      const r = parseAccessLogLine(line);
      const ms = cpuMs() - t0;
      assert.ok(ms < caseBudgetMs(line.length), `${ms.toFixed(0)} ms for ${JSON.stringify(line.slice(0, 20))}…`);
      assert.ok('error' in r || 'record' in r);
      looksLikeAccessLog(line);
    }
  });
});

// Model-based: lines built from random field values must parse back to exactly those values.
describe('round trip of generated ingress-nginx lines', () => {
  const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
  const time = fc.integer({ min: 0, max: 120_000 }).map((ms) => (ms / 1000).toFixed(3));
  const dashOr = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });
  const tryArb = fc.record({
    addr: dashOr(fc.tuple(ip, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`)),
    status: dashOr(fc.integer({ min: 100, max: 599 })),
    rt: dashOr(time),
    ct: dashOr(time),
    ht: dashOr(time),
    len: dashOr(fc.nat(10_000_000)),
  });
  const model = fc.record({
    remote: ip,
    user: fc.constantFrom('-', 'alice'),
    method: fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH'),
    path: fc.stringMatching(/^\/[a-z0-9/._~%-]{0,30}$/),
    ua: fc.string({ maxLength: 40 }),
    status: fc.integer({ min: 100, max: 599 }),
    rt: time,
    groups: fc.array(fc.array(tryArb, { minLength: 1, maxLength: 3 }), { minLength: 0, maxLength: 3 }),
    reqId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/)),
    msec: fc.integer({ min: 1_500_000_000_000, max: 2_500_000_000_000 }).map((ms) => (ms / 1000).toFixed(3)),
    timings: fc.boolean(),
  });
  // nginx's default escaping: `"`, `\` and bytes outside 0x20-0x7e become \xHH (UTF-8 bytes).
  const esc = (s: string) =>
    [...Buffer.from(s, 'utf8')]
      .map((b) =>
        b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c
          ? `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`
          : String.fromCharCode(b),
      )
      .join('');
  type Try = typeof tryArb extends fc.Arbitrary<infer T> ? T : never;
  const list = (m: { groups: Try[][] }, f: (t: Try) => string | number | undefined) =>
    m.groups.length === 0 ? '-' : m.groups.map((g) => g.map((t) => f(t) ?? '-').join(', ')).join(' : ');

  test('2000 generated lines', () => {
    fc.assert(
      fc.property(model, (m) => {
        const fields = [
          `${m.remote} - ${m.user} [27/Nov/2026:10:00:00 +0000] "${m.method} ${m.path} HTTP/1.1" ${m.status} 12 "-" "${esc(m.ua)}"`,
          `100 ${m.rt} [ns-svc-80] [] ${list(m, (t) => t.addr)} ${list(m, (t) => t.len)} ${list(m, (t) => t.rt)} ${list(m, (t) => t.status)} ${m.reqId}`,
        ];
        if (m.timings) fields.push(`${list(m, (t) => t.ct)} ${list(m, (t) => t.ht)} ${m.msec}`);
        const line = fields.join(' ');
        const r = parseAccessLogLine(line);
        if ('error' in r) assert.fail(`${r.error}\n${line}`);
        const rec = r.record;
        assert.equal(rec.format, m.timings ? 'ingress-nginx+timings' : 'ingress-nginx');
        assert.equal(rec.remoteAddr, m.remote);
        assert.equal(rec.method, m.method);
        assert.equal(rec.uri, m.path);
        assert.equal(rec.status, m.status);
        assert.equal(rec.userAgent, m.ua === '-' || m.ua === '' ? undefined : m.ua);
        assert.equal(rec.requestTime, Number(m.rt));
        assert.equal(rec.reqId, m.reqId);
        if (m.timings) assert.equal(rec.vars.msec, m.msec);
        const flat = m.groups.flatMap((g, gi) => g.map((t) => ({ t, gi })));
        // A try whose every field is `-` is still a position in the list, except when the whole list is `-`.
        const allDash =
          flat.length === 1 &&
          flat[0].t.addr === undefined &&
          flat[0].t.status === undefined &&
          flat[0].t.rt === undefined;
        const want =
          flat.length === 0 || allDash
            ? []
            : flat.map(({ t, gi }) => ({
                addr: t.addr ?? null,
                group: gi,
                ...(t.status !== undefined ? { status: t.status } : {}),
                ...(t.rt !== undefined ? { responseTime: Number(t.rt) } : {}),
                ...(m.timings && t.ct !== undefined ? { connectTime: Number(t.ct) } : {}),
                ...(m.timings && t.ht !== undefined ? { headerTime: Number(t.ht) } : {}),
                ...(t.len !== undefined ? { responseLength: t.len } : {}),
              }));
        assert.deepEqual(rec.upstreams, want);
        nests(nginxSpansFromRecord(rec, { traceId: '0af7651916cd43dd8448eb211c80319c' }).spans);
      }),
      { numRuns: 2000 },
    );
  });
});
