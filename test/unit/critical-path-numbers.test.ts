// The critical path on plain-number times (src/core/trace/critical-path.ts, time-numbers.ts) against the BigInt version it replaced
// (critical-path-reference.ts): the same sections and diagnostics on random traces, odd times included (equal
// times, ends before starts, leading zeros, negative, unreadable, far apart, several roots, repeated ids).
// fast-check prints the seed and the smallest failing trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { criticalPath } from '../../src/core/trace/critical-path';
import type { Span } from '../../src/core/trace/model';
import { referenceCriticalPath } from './critical-path-reference';

const T0 = 1_795_773_600_000_000_000n;
// Where the sixteenth digit from the right changes: the times on either side share fewer leading digits.
const EDGE = 1_796_000_000_000_000_000n;

const eraArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 2000 }).map((ms) => String(T0 + BigInt(ms) * 1_000_000n)) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map((d) => String(EDGE + BigInt(d))) },
);
// Mostly plain nanosecond times near T0; sometimes a time as a file might hold it.
const timeArb = fc.oneof(
  { weight: 8, arbitrary: eraArb },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 50 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '0', '007', ' 12 ', '-5', '-12', '0x10', '1e3', 'abc', '99999999999999999999999'),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 22n }).map(String) },
);

const spanArb = fc.record({
  parent: fc.nat({ max: 30 }),
  s: timeArb,
  e: timeArb,
  kind: fc.constantFrom('client', 'server', 'internal', 'producer', 'consumer'),
  service: fc.constantFrom('a', 'b', 'c'),
  link: fc.constantFrom('tree', 'tree', 'tree', 'orphan', 'self', 'root', 'dup'),
});

type RawSpan = typeof spanArb extends fc.Arbitrary<infer T> ? T : never;

function build(raw: RawSpan[]): Span[] {
  return raw.map((r, i) => ({
    spanId: r.link === 'dup' && i > 0 ? `s${i - 1}` : `s${i}`,
    parentSpanId:
      i === 0 || r.link === 'root'
        ? undefined
        : r.link === 'orphan'
          ? `missing${i}`
          : r.link === 'self'
            ? `s${i}`
            : `s${r.parent % i}`,
    name: `op${i}`,
    service: r.service,
    layer: 'app',
    kind: r.kind,
    startTimeUnixNano: r.s,
    endTimeUnixNano: r.e,
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
  }));
}

test('property: the critical path on numbers equals the BigInt one', () => {
  fc.assert(
    fc.property(
      fc.array(spanArb, { minLength: 1, maxLength: 30 }),
      fc.option(fc.nat({ max: 40 })),
      // Half the traces have only plain times of one era, as an access log's do.
      fc.option(fc.array(eraArb, { minLength: 60, maxLength: 60 })),
      (raw, rootAt, era) => {
        const spans = build(era ? raw.map((r, i) => ({ ...r, s: era[2 * i], e: era[2 * i + 1] })) : raw);
        const rootId = rootAt === null ? undefined : `s${rootAt}`;
        assert.deepEqual(criticalPath(spans, rootId), referenceCriticalPath(spans, rootId));
      },
    ),
    { numRuns: 3000 },
  );
});

test('an access-log trace (nginx, one attempt and its phases) gives the same path as before', () => {
  const at = (ms: number) => String(T0 + BigInt(ms) * 1_000_000n);
  const spans = build([]);
  const mk = (id: string, parent: string | undefined, s: number, e: number, kind: Span['kind']): Span => ({
    spanId: id,
    parentSpanId: parent,
    name: id,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind,
    startTimeUnixNano: at(s),
    endTimeUnixNano: at(e),
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'nginx-log',
  });
  spans.push(
    mk('nginx', undefined, 0, 11, 'server'),
    mk('attempt', 'nginx', 1, 11, 'client'),
    mk('connect', 'attempt', 1, 2, 'internal'),
    mk('header', 'attempt', 2, 10, 'internal'),
    mk('response', 'attempt', 10, 11, 'internal'),
  );
  const got = criticalPath(spans);
  assert.deepEqual(got, referenceCriticalPath(spans));
  assert.deepEqual(
    got.sections.map((c) => [c.spanId, c.startTimeUnixNano, c.endTimeUnixNano]),
    [
      ['nginx', at(0), at(1)],
      ['attempt', at(1), at(1)],
      ['connect', at(1), at(2)],
      ['header', at(2), at(10)],
      ['response', at(10), at(11)],
    ],
  );
});
