// Property and fuzz tests for the controller-log readers: the classifier, the nginx error-line parser and each
// other controller's parser and span builder. Random and mutated lines give a record or a clear error, never a
// throw; spans nest inside their parent with no negative durations; bounded CPU time per line.
// fast-check prints the seed and the shrunk counterexample on failure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { classifyLine } from '../../src/core/ingest/controller-log/classify';
import { familyParser } from '../../src/core/ingest/controller-log/formats';
import { importControllerLog } from '../../src/core/ingest/controller-log/import';
import { parseNginxErrorLine } from '../../src/core/ingest/nginx-log/error-line';
import type { Span } from '../../src/core/trace/model';

const FIX = join(__dirname, '../fixtures/controller-log');
const seeds = (f: string) => readFileSync(join(FIX, f), 'utf8').split('\n').filter(Boolean);
const FAMILIES = [
  ['haproxy-log', seeds('haproxy.log')],
  ['envoy-log', [...seeds('envoy.log'), ...seeds('istio.log')]],
  ['traefik-log', seeds('traefik.log')],
] as const;
const ALL = [...FAMILIES.flatMap(([, s]) => s), ...seeds('ingress-nginx-kubectl.log')];

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// Mutations that real damage does: cuts, dropped or doubled characters, swapped fields, odd numbers.
const mutation = fc.oneof(
  fc.nat().map((n) => (s: string) => s.slice(0, n % (s.length + 1))),
  fc.nat().map((n) => (s: string) => s.slice(0, n % (s.length + 1)) + s.slice((n % (s.length + 1)) + 1)),
  fc.tuple(fc.nat(), fc.string({ maxLength: 8 })).map(([n, x]) => (s: string) => {
    const k = n % (s.length + 1);
    return s.slice(0, k) + x + s.slice(k);
  }),
  fc.constantFrom(
    (s: string) => s.replace(/\d+/, '-1'),
    (s: string) => s.replace(/\d+/, '99999999999999999999'),
    (s: string) => s.replace(/"/, ''),
    (s: string) => s.replace(/ /g, '  '),
    (s: string) => s.split(' ').reverse().join(' '),
    (s: string) => s.replace(/\//g, ''),
    (s: string) => s + '"'.repeat(3),
    (s: string) => s.replace(/\[/g, '[['),
  ),
);

function nests(spans: Span[]): void {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  for (const s of spans) {
    const a = BigInt(s.startTimeUnixNano);
    const b = BigInt(s.endTimeUnixNano);
    assert.ok(a >= 0n && b >= a, `${s.name}: ${a}..${b}`);
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    if (p) {
      assert.ok(a >= BigInt(p.startTimeUnixNano) && b <= BigInt(p.endTimeUnixNano), `${s.name} inside ${p.name}`);
    }
  }
}

describe('each family parser: record or clear error, spans that nest', () => {
  for (const [family, lines] of FAMILIES) {
    const p = familyParser(family)!;
    const check = (line: string) => {
      const t0 = cpuMs();
      const r = p.parse(line);
      if ('error' in r) {
        assert.ok(r.error.length > 0 && r.error.length < 400, r.error);
        assert.ok(!r.error.startsWith('internal parser error'), r.error);
      } else {
        const b = p.spans(r.record, { traceId: 'a'.repeat(32) });
        assert.ok(b.spans.length >= 1);
        nests(b.spans);
        p.requestId(r.record);
        p.timeUnixMs(r.record);
      }
      classifyLine(line);
      assert.ok(cpuMs() - t0 < 500 + line.length / 100, `slow on ${line.length} chars`);
    };
    test(`${family}: mutated real lines`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...lines), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) =>
          check(ms.reduce((s, m) => m(s), seed)),
        ),
        { numRuns: 400 },
      );
    });
    test(`${family}: random text`, () => {
      fc.assert(fc.property(fc.string({ maxLength: 400 }), check), { numRuns: 300 });
    });
    test(`${family}: long hostile lines stay linear`, () => {
      for (const line of [
        lines[lines.length - 1] + ' x'.repeat(50_000),
        '['.repeat(100_000),
        '"'.repeat(100_000),
        `10.0.0.1:1 [${'1/'.repeat(50_000)}`,
        `{${'"a":1,'.repeat(20_000)}"start_time":1}`,
      ])
        check(line);
    });
  }
});

test('nginx error-log lines: every parsed line keeps its level and a message; never throws', () => {
  const head = fc
    .tuple(
      fc.integer({ min: 1970, max: 2100 }),
      fc.constantFrom('debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'),
      fc.nat({ max: 99999 }),
      fc.option(fc.nat({ max: 10_000_000 })),
    )
    .map(([y, lvl, pid, c]) => `${y}/03/08 16:02:40 [${lvl}] ${pid}#${pid}: ${c === null ? '' : `*${c} `}`);
  fc.assert(
    fc.property(head, fc.string({ maxLength: 300 }), (h, rest) => {
      const e = parseNginxErrorLine(h + rest);
      assert.ok(e);
      assert.ok(Number.isFinite(e.timeUnixMs));
      assert.equal(typeof e.message, 'string');
      assert.equal(classifyLine(h + rest).kind, 'nginx-error');
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      parseNginxErrorLine(s);
    }),
    { numRuns: 300 },
  );
});

// Found by the property below (seed 2068706672): a Traefik line cut right after its timestamp was dropped as blank.
test('a line that is only a timestamp is counted, not dropped as blank', async () => {
  async function* src() {
    yield '2023-01-08T12:28:51Z ';
    yield '';
  }
  let counts;
  for await (const it of importControllerLog(src())) if ('counts' in it) counts = it.counts;
  assert.equal(counts?.other, 1);
});

test('importing any mix of real and damaged lines: counts add up to the non-blank lines', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom(...ALL, '', 'hello'), fc.array(mutation, { maxLength: 2 })), { maxLength: 40 }),
      async (parts) => {
        const lines = parts.map(([s, ms]) => ms.reduce((x, m) => m(x), s));
        async function* src() {
          yield* lines;
        }
        let traces = 0;
        let warned = 0;
        let counts;
        for await (const it of importControllerLog(src())) {
          if ('trace' in it) {
            traces++;
            nests(it.trace.spans);
          } else if ('lineNumber' in it) warned++;
          else counts = it.counts;
        }
        assert.ok(counts);
        assert.equal(traces, counts.requests);
        assert.equal(warned, counts.unreadable);
        const nonBlank = lines.filter((l) => l.replace(/\r$/, '').trim()).length;
        const sum =
          counts.requests +
          counts.unreadable +
          counts.nginxErrors +
          counts.nginxNotices +
          counts.controller +
          counts.stream +
          counts.json +
          counts.other;
        assert.equal(sum, nonBlank);
        assert.ok(counts.attached <= counts.nginxErrors);
      },
    ),
    { numRuns: 200, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}) },
  );
});
