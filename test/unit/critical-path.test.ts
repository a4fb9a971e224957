// The critical path as sections: the comparison cases against Jaeger UI's algorithm, the wait, and a property test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { criticalPath } from '../../src/core/trace/critical-path';
import { finishTrace } from '../../src/core/io/finish';
import type { CriticalSection, Span } from '../../src/core/trace/model';

const T0 = 1_700_000_000_000_000_000n;
const at = (ms: number) => String(T0 + BigInt(Math.round(ms * 1e6)));
function span(p: Partial<Span> & { spanId: string; s: number; e: number }): Span {
  const { s, e, ...rest } = p;
  return {
    name: rest.spanId,
    service: 'svc',
    layer: 'app',
    kind: 'internal',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
    startTimeUnixNano: at(s),
    endTimeUnixNano: at(e),
    ...rest,
  };
}
/** [spanId, startMs, endMs] per section, in the path's order. */
const ms = (path: CriticalSection[]) =>
  path.map((c) => [
    c.spanId,
    Number(BigInt(c.startTimeUnixNano) - T0) / 1e6,
    Number(BigInt(c.endTimeUnixNano) - T0) / 1e6,
  ]);
const ids = (path: CriticalSection[]) => [...new Set(path.map((c) => c.spanId))];

test('a child entirely outside its parent is not on the path, with a diagnostic (R[100,200], A[150,200], Z[0,50])', () => {
  const spans = [
    span({ spanId: 'R', s: 100, e: 200 }),
    span({ spanId: 'A', parentSpanId: 'R', s: 150, e: 200 }),
    span({ spanId: 'Z', parentSpanId: 'R', s: 0, e: 50 }),
  ];
  const r = criticalPath(spans, 'R');
  assert.deepEqual(ms(r.sections), [
    ['R', 100, 150],
    ['A', 150, 200],
  ]);
  assert.ok(r.diagnostics.some((d) => d.code === 'critical-path-outside-parent' && d.spanId === 'Z'));
});

test('back-to-back siblings are both on the path (P[0,100], A[0,50], B[50,100] gives P > A > B)', () => {
  const spans = [
    span({ spanId: 'P', s: 0, e: 100 }),
    span({ spanId: 'A', parentSpanId: 'P', s: 0, e: 50 }),
    span({ spanId: 'B', parentSpanId: 'P', s: 50, e: 100 }),
  ];
  const r = criticalPath(spans, 'P');
  assert.deepEqual(ids(r.sections), ['P', 'A', 'B']);
  // The root owns nothing here: its section is empty, and the children own all 100 ms.
  assert.deepEqual(ms(r.sections), [
    ['P', 0, 0],
    ['A', 0, 50],
    ['B', 50, 100],
  ]);
});

test('a root whose parent is missing keeps its path', () => {
  const spans = [
    span({ spanId: 'R', parentSpanId: 'gone', s: 0, e: 100 }),
    span({ spanId: 'C', parentSpanId: 'R', s: 10, e: 60 }),
    span({ spanId: 'G', parentSpanId: 'C', s: 20, e: 50 }),
  ];
  const r = criticalPath(spans);
  assert.deepEqual(ids(r.sections), ['R', 'C', 'G']);
});

test('a consumer is not on its producer’s path, even when they overlap', () => {
  const spans = [
    span({ spanId: 'root', s: 0, e: 100 }),
    span({ spanId: 'prod', parentSpanId: 'root', kind: 'producer', s: 10, e: 40 }),
    span({ spanId: 'cons', parentSpanId: 'prod', kind: 'consumer', service: 'worker', s: 20, e: 90 }),
  ];
  const r = criticalPath(spans, 'root');
  assert.deepEqual(ids(r.sections), ['root', 'prod']);
  assert.deepEqual(ms(r.sections).at(-1), ['prod', 10, 40]);
});

test('a child running past its parent’s end is cut at the parent’s end', () => {
  const spans = [span({ spanId: 'P', s: 0, e: 100 }), span({ spanId: 'C', parentSpanId: 'P', s: 50, e: 150 })];
  assert.deepEqual(ms(criticalPath(spans, 'P').sections), [
    ['P', 0, 50],
    ['C', 50, 100],
  ]);
});

test('several roots: the path follows the one covering the trace, names the others, never counts twice', () => {
  const spans = [
    span({ spanId: 'small', s: 10, e: 30 }),
    span({ spanId: 'big', s: 0, e: 100 }),
    span({ spanId: 'kid', parentSpanId: 'big', s: 40, e: 70 }),
  ];
  const r = criticalPath(spans);
  assert.deepEqual(ids(r.sections), ['big', 'kid']);
  const d = r.diagnostics.find((x) => x.code === 'critical-path-other-roots');
  assert.match(d?.message ?? '', /follows svc "big".*leaves out svc "small"/);
  const total = r.sections.reduce((n, c) => n + BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano), 0n);
  assert.equal(total, 100_000_000n);
});

test('repeated span ids: sections name spans by position, so the path stays unambiguous', () => {
  const spans = [
    span({ spanId: 'r', s: 0, e: 100 }),
    span({ spanId: 'x', parentSpanId: 'r', s: 0, e: 10 }),
    span({ spanId: 'x', parentSpanId: 'r', s: 60, e: 90 }),
  ];
  const r = criticalPath(spans, 'r');
  const xs = r.sections.filter((c) => c.spanId === 'x');
  assert.deepEqual(
    xs.map((c) => c.index),
    [1, 2],
  );
  for (const c of r.sections) assert.equal(spans[c.index].spanId, c.spanId);
});

/** A probe as the sandbox makes it: client phases beside nginx, nginx's attempt phases beside the app span. */
function probeTrace(): Span[] {
  const client = { service: 'client', layer: 'client' as const, origin: 'probe' as const };
  const ingress = { service: 'ingress-nginx', layer: 'ingress' as const, origin: 'nginx-log' as const };
  return [
    span({ spanId: 'probe', s: 0, e: 100, kind: 'client', ...client }),
    span({ spanId: 'connect', name: 'connect', parentSpanId: 'probe', s: 0, e: 2, ...client }),
    span({ spanId: 'tls', name: 'tls', parentSpanId: 'probe', s: 2, e: 8, ...client }),
    span({ spanId: 'request', name: 'request', parentSpanId: 'probe', s: 8, e: 9, ...client }),
    span({ spanId: 'ttfb', name: 'ttfb', parentSpanId: 'probe', s: 9, e: 97, ...client }),
    span({ spanId: 'download', name: 'download', parentSpanId: 'probe', s: 97, e: 100, ...client }),
    span({ spanId: 'nginx', name: 'nginx', parentSpanId: 'probe', kind: 'server', s: 8.5, e: 98, ...ingress }),
    span({
      spanId: 'attempt',
      name: 'upstream.attempt',
      parentSpanId: 'nginx',
      kind: 'client',
      s: 10,
      e: 96,
      ...ingress,
    }),
    span({ spanId: 'uconnect', name: 'upstream.connect', parentSpanId: 'attempt', s: 10, e: 11, ...ingress }),
    span({ spanId: 'header', name: 'upstream.header', parentSpanId: 'attempt', s: 11, e: 95, ...ingress }),
    span({ spanId: 'response', name: 'upstream.response', parentSpanId: 'attempt', s: 95, e: 96, ...ingress }),
    span({
      spanId: 'orders',
      name: 'GET /orders',
      parentSpanId: 'attempt',
      kind: 'server',
      service: 'orders',
      s: 12,
      e: 94,
    }),
    span({ spanId: 'call', name: 'GET', parentSpanId: 'orders', kind: 'client', service: 'orders', s: 20, e: 80 }),
    span({
      spanId: 'inv',
      name: 'GET /inventory/stock',
      parentSpanId: 'call',
      kind: 'server',
      service: 'inventory',
      s: 21,
      e: 79,
    }),
  ];
}

test('the wait: the client’s phases yield to nginx, and the attempt’s phases to the app server span', () => {
  const spans = probeTrace();
  const r = criticalPath(spans, 'probe');
  assert.deepEqual(ids(r.sections), [
    'probe',
    'connect',
    'tls',
    'request',
    'nginx',
    'attempt',
    'uconnect',
    'header',
    'orders',
    'call',
    'inv',
    'response',
    'download',
  ]);
  const owned = new Map<string, number>();
  for (const [id, a, b] of ms(r.sections))
    owned.set(id as string, (owned.get(id as string) ?? 0) + (b as number) - (a as number));
  // inventory did the work: 58 of the 100 ms are its own.
  assert.equal(owned.get('inv'), 58);
  // ttfb is covered by nginx, so it owns nothing; the attempt is on the path, its phases and the app fill it.
  assert.equal(owned.get('ttfb'), undefined);
  assert.equal(owned.get('attempt'), 0);
  assert.equal(owned.get('nginx'), 3.5, 'nginx owns [8.5, 10] and [96, 98]');
  assert.equal(owned.get('request'), 0.5, 'the request phase owns the moment before nginx started');
  assert.equal(owned.get('download'), 2, 'and the download the time after nginx finished');
  // The tree is not changed: the waterfall still nests nginx under the probe and the app under the attempt.
  assert.equal(spans.find((s) => s.spanId === 'nginx')!.parentSpanId, 'probe');
});

test('the wait, when the client marked its request as sent late: nginx still takes the time it worked', () => {
  const spans = probeTrace().filter((s) => s.spanId !== 'tls');
  const request = spans.find((s) => s.spanId === 'request')!;
  request.startTimeUnixNano = at(2);
  request.endTimeUnixNano = at(99); // the client's event loop noted the write late
  const ttfb = spans.find((s) => s.spanId === 'ttfb')!;
  ttfb.startTimeUnixNano = at(99);
  ttfb.endTimeUnixNano = at(99.5);
  const r = criticalPath(spans, 'probe');
  assert.ok(ids(r.sections).includes('nginx') && ids(r.sections).includes('inv'), String(ids(r.sections)));
});

test('an import with a 62 ms clock skew: the server span is corrected and the path is no longer than the request', () => {
  const root = span({ spanId: 'front', service: 'frontend', kind: 'server', s: 0, e: 99.4, origin: 'zipkin' });
  const call = span({ spanId: 'call', parentSpanId: 'front', service: 'frontend', kind: 'client', s: 5.1, e: 95.3 });
  const back = span({ spanId: 'back', parentSpanId: 'call', service: 'backend', kind: 'server', s: 67.3, e: 149.3 });
  for (const s of [root, call, back]) s.origin = 'zipkin';
  const t = finishTrace({ traceId: 'z', spans: [root, call, back], criticalPath: [], diagnostics: [] });
  const total = t.criticalPath.reduce((n, c) => n + Number(BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano)), 0);
  assert.ok(total <= 99.4e6 + 1, `path ${total / 1e6} ms for a 99.4 ms request`);
  assert.deepEqual(ids(t.criticalPath), ['front', 'call', 'back']);
  assert.ok(t.diagnostics.some((d) => d.code === 'clock-skew' && d.spanId === 'back'));
});

// Random traces: sections never overlap, lie inside the root, sum to its duration or less, and name real spans.
test('property: sections never overlap, lie inside the root, and sum to no more than its duration', () => {
  const spanArb = fc.record({
    parent: fc.nat({ max: 30 }),
    s: fc.integer({ min: 0, max: 1000 }),
    d: fc.integer({ min: 0, max: 600 }),
    kind: fc.constantFrom('client', 'server', 'internal', 'producer', 'consumer'),
    name: fc.constantFrom('op', 'ttfb', 'upstream.header'),
    service: fc.constantFrom('a', 'b', 'c'),
    dupId: fc.boolean(),
    orphan: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(spanArb, { minLength: 1, maxLength: 30 }), fc.boolean(), (raw, giveRoot) => {
      const spans = raw.map((r, i) =>
        span({
          spanId: r.dupId && i > 0 ? `s${i - 1}` : `s${i}`,
          parentSpanId: i === 0 ? undefined : r.orphan ? `missing${i}` : `s${r.parent % i}`,
          s: r.s,
          e: r.s + r.d,
          kind: r.kind,
          name: r.name,
          service: r.service,
        }),
      );
      const { sections } = criticalPath(spans, giveRoot ? 's0' : undefined);
      assert.ok(sections.length >= 1);
      const root = spans[sections[0].index];
      const [rs, re] = [BigInt(root.startTimeUnixNano), BigInt(root.endTimeUnixNano)];
      let sum = 0n;
      const sorted = sections
        .map((c) => ({ c, a: BigInt(c.startTimeUnixNano), b: BigInt(c.endTimeUnixNano) }))
        .sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
      let last = rs;
      for (const { c, a, b } of sorted) {
        assert.equal(spans[c.index]?.spanId, c.spanId, 'a section names its span by position');
        assert.ok(a <= b && a >= rs && b <= re, 'inside the root');
        assert.ok(a >= last, 'no overlap');
        last = b;
        sum += b - a;
        const own = spans[c.index];
        assert.ok(a >= BigInt(own.startTimeUnixNano) && b <= BigInt(own.endTimeUnixNano), 'inside its own span');
      }
      assert.ok(sum <= re - rs, 'no more than the root’s duration');
    }),
    { numRuns: 300 },
  );
});
