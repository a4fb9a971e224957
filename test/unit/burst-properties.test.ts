// Property tests of the request-set breakdown over random traces (seeded; fast-check prints the seed of a failure):
// ordered percentiles, shares summing to 1, percentiles equal to a plain sort, zero attribution for identical
// requests, and filtered reports equal to reports of the matching requests alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestBreakdown } from '../../src/core/burst/breakdown';
import { compareBursts } from '../../src/core/burst/compare';
import type { RequestFilter, RequestSummary, Stats } from '../../src/core/burst/model';
import { criticalPath } from '../../src/core/trace/critical-path';
import type { Layer, Span, SpanKind, Trace } from '../../src/core/trace/model';

const T0 = 1_795_773_600_000_000_000n;
const LAYERS: Layer[] = ['client', 'ingress', 'app', 'downstream'];
const NAMES = ['probe', 'nginx', 'upstream.attempt', 'GET /orders', 'SELECT stock', 'cache.get'];
const SERVICES = ['client', 'ingress-nginx', 'orders', 'inventory'];
const KINDS: SpanKind[] = ['client', 'server', 'internal'];
const PODS = ['orders-a', 'orders-b', 'orders-c'];
const PATHS = ['/orders', '/orders/7', '/cart', '/'];
const STATUSES = [200, 200, 200, 404, 500, 502, undefined];

interface Generated {
  trace: Trace;
  request: RequestSummary;
  startNs: bigint;
  pod?: string;
}

function random(seed: number) {
  let x = seed >>> 0 || 1;
  return (k: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
}

/** A random tree under a root; some children stick out of (or lie outside) their parents, as skewed clocks do. */
function randomRequest(rnd: (k: number) => number, id: number): Generated {
  const startNs = T0 + BigInt(rnd(100_000)) * 1_000_000n;
  const dur = BigInt(1 + rnd(400)) * 1_000_000n + BigInt(rnd(1_000_000));
  const pod = rnd(4) ? PODS[rnd(PODS.length)] : undefined;
  const mk = (i: number, parent: Span | undefined, s: bigint, e: bigint): Span => {
    const name = i === 0 ? 'probe' : NAMES[rnd(NAMES.length)];
    const attributes: Span['attributes'] = {};
    if (name === 'upstream.attempt' && pod) attributes['kubetrace.pod'] = pod;
    return {
      spanId: (i + 1).toString(16).padStart(16, '0'),
      ...(parent && { parentSpanId: parent.spanId }),
      name,
      service: i === 0 ? 'client' : SERVICES[rnd(SERVICES.length)],
      layer: i === 0 ? LAYERS[rnd(2)] : LAYERS[rnd(LAYERS.length)],
      kind: KINDS[rnd(KINDS.length)],
      startTimeUnixNano: String(s),
      endTimeUnixNano: String(e),
      status: 'unset',
      attributes,
      events: [],
      links: [],
      origin: 'otlp',
    };
  };
  const spans: Span[] = [mk(0, undefined, startNs, startNs + dur)];
  const n = rnd(12);
  for (let i = 1; i <= n; i++) {
    const p = spans[rnd(spans.length)];
    const ps = BigInt(p.startTimeUnixNano);
    const pd = BigInt(p.endTimeUnixNano) - ps;
    const s = ps + (pd > 0n ? BigInt(rnd(Number(pd / 1000n) + 1)) * 1000n : 0n) - (rnd(8) === 0 ? pd / 3n : 0n);
    const e = s + (pd > 0n ? BigInt(rnd(Number(pd / 1000n) + 1)) * 1000n : 0n);
    spans.push(mk(i, p, s, e));
  }
  const traceId = (id + 1).toString(16).padStart(32, '0');
  const trace: Trace = { traceId, spans, criticalPath: criticalPath(spans).sections, diagnostics: [] };
  const status = STATUSES[rnd(STATUSES.length)];
  const request: RequestSummary = {
    traceId,
    startUnixNano: String(startNs),
    durationMs: Number(dur) / 1e6,
    complete: status !== undefined,
    newConnection: rnd(2) === 0,
    ...(status !== undefined && { status }),
    method: 'GET',
    path: PATHS[rnd(PATHS.length)],
  };
  return { trace, request, startNs, pod: spans.some((s) => s.name === 'upstream.attempt') ? pod : undefined };
}

function randomSet(seed: number, size: number): Generated[] {
  const rnd = random(seed);
  return Array.from({ length: size }, (_, i) => randomRequest(rnd, i));
}

const build = (reqs: Generated[], maxProbes = 50) => {
  const b = new RequestBreakdown({ maxProbes, route: 'r' });
  for (const g of reqs) b.add(g.trace, g.request);
  return b;
};

/** The independent check: a plain JS sort and the nearest-rank definition, written out again. */
function sortStats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(1, Math.ceil((p * s.length) / 100)) - 1];
  return s.length
    ? { count: s.length, p50: at(50), p90: at(90), p99: at(99), max: s[s.length - 1] }
    : { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
}

/** Critical-path time per layer of one trace, summed straight from its sections (in ns, then one division). */
function layerTimes(t: Trace): Map<Layer, number> {
  const ns = new Map<Layer, bigint>();
  const root = t.spans[t.criticalPath[0].index];
  let left = BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano);
  for (const c of t.criticalPath) {
    const d = BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano);
    left -= d;
    const l = t.spans[c.index].layer;
    ns.set(l, (ns.get(l) ?? 0n) + d);
  }
  ns.set(root.layer, (ns.get(root.layer) ?? 0n) + left);
  return new Map([...ns].map(([l, d]) => [l, Number(d) / 1e6]));
}

const ordered = (s: Stats, what: string) =>
  assert.ok(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max, `${what}: ${JSON.stringify(s)}`);
const pick = ({ count, p50, p90, p99, max }: Stats): Stats => ({ count, p50, p90, p99, max });

function checkSet(seed: number, size: number): void {
  const reqs = randomSet(seed, size);
  const r = build(reqs).report();
  assert.equal(r.requests, size);
  for (const l of r.layers) ordered(l, l.layer);
  for (const s of r.spans) ordered(s, s.name);
  for (const p of r.pods) assert.ok(p.p50 <= p.p99, p.pod);
  const shares = r.layers.reduce((n, l) => n + l.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9, `shares sum to ${shares}`);
  // Layers: every request counts, with 0 where the layer owned nothing.
  const times = reqs.map((g) => layerTimes(g.trace));
  for (const l of r.layers) {
    const values = times.map((m) => m.get(l.layer) ?? 0);
    assert.deepEqual(pick(l), sortStats(values), l.layer);
  }
  // Span rows: one sample per span.
  const bySpan = new Map<string, number[]>();
  for (const g of reqs)
    for (const s of g.trace.spans) {
      const k = `${s.layer} ${s.service} ${s.name}`;
      const d = Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;
      bySpan.set(k, [...(bySpan.get(k) ?? []), Math.max(0, d)]);
    }
  for (const s of r.spans.filter((x) => !x.name.endsWith('(before upstream)')))
    assert.deepEqual(pick(s), sortStats(bySpan.get(`${s.layer} ${s.service} ${s.name}`) ?? []), s.name);
  // The whole request: tails' thresholds and median.
  const total = sortStats(reqs.map((g) => Number(BigInt(g.trace.spans[0].endTimeUnixNano) - g.startNs) / 1e6));
  assert.equal(r.tail.medianMs, total.p50);
  assert.equal(r.tails[0].thresholdMs, total.p99);
  assert.equal(r.tails[2].thresholdMs, total.p90);
  for (const t of r.tails) {
    const delta = t.layers.reduce((n, l) => n + l.delta, 0);
    if (t.medianMs > 0) assert.ok(Math.abs(delta) < 1e-9, `p${t.percentile} deltas sum to ${delta}`);
    if (t.biggest) assert.ok(t.biggest.extraMs > 0, t.sentence);
  }
  assert.equal(
    r.histogram.reduce((n, h) => n + h.count, 0),
    size,
  );
  assert.deepEqual(compareBursts(r, build(reqs).report()), { equal: true, differences: [] });
}

test('property: percentiles are ordered, shares sum to 1, and they equal a plain sort of the same numbers', () => {
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 120 }), checkSet), { numRuns: 150 });
});

test('property: a set of identical requests has no extra time in its tails, whatever the request', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 60 }), (seed, copies) => {
      const [g] = randomSet(seed, 1);
      const b = new RequestBreakdown();
      for (let i = 0; i < copies; i++) b.add(g.trace, g.request);
      for (const t of b.report().tails) {
        assert.ok(Math.abs(t.extraMs) < 1e-9, `p${t.percentile}: ${t.extraMs}`);
        assert.equal(t.biggest, undefined, t.sentence);
        for (const l of t.layers) assert.ok(Math.abs(l.delta) < 1e-9, `${l.layer} ${l.delta}`);
      }
    }),
    { numRuns: 200 },
  );
});

const FILTERS = fc.record(
  {
    status: fc.constantFrom<RequestFilter['status']>(200, 404, 500, 502, '2xx', '4xx', '5xx', 'error'),
    path: fc.constantFrom('orders', '/', '/cart', '7'),
    upstream: fc.constantFrom(...PODS, 'nobody'),
    from: fc.integer({ min: 0, max: 100_000 }),
    span: fc.integer({ min: 0, max: 100_000 }),
  },
  { requiredKeys: [] },
);

function matches(g: Generated, f: RequestFilter): boolean {
  const st = g.request.status;
  if (f.status !== undefined) {
    if (
      f.status === 'error'
        ? !(st === undefined || st >= 500)
        : typeof f.status === 'number'
          ? st !== f.status
          : st === undefined || `${String(st)[0]}xx` !== f.status
    )
      return false;
  }
  if (f.path !== undefined && !(g.request.path ?? '').includes(f.path)) return false;
  if (f.upstream !== undefined && g.pod !== f.upstream) return false;
  if (f.fromUnixNano !== undefined && g.startNs < BigInt(f.fromUnixNano)) return false;
  if (f.toUnixNano !== undefined && g.startNs > BigInt(f.toUnixNano)) return false;
  return true;
}

test('property: a filtered report equals the report of a set built from the matching requests alone', () => {
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 1, max: 150 }), FILTERS, (seed, size, f) => {
      const reqs = randomSet(seed, size);
      const filter: RequestFilter = {};
      if (f.status !== undefined) filter.status = f.status;
      if (f.path !== undefined) filter.path = f.path;
      if (f.upstream !== undefined) filter.upstream = f.upstream;
      if (f.from !== undefined) filter.fromUnixNano = String(T0 + BigInt(f.from) * 1_000_000n);
      if (f.span !== undefined) filter.toUnixNano = String(T0 + BigInt((f.from ?? 0) + f.span) * 1_000_000n);
      const alone = build(
        reqs.filter((g) => matches(g, filter)),
        20,
      ).report();
      assert.deepEqual(build(reqs, 20).report(filter), alone);
    }),
    { numRuns: 200 },
  );
});

test('fixed: counterexamples the properties found', () => {
  checkSet(0, 14);
});
