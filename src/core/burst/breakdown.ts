// The breakdown of a set of requests (a burst, an access log): fed one trace at a time, it keeps only each request's
// numbers (records.ts), and builds a BurstReport for any filter on demand. docs/ARCHITECTURE.md, "Request sets and
// bursts: the breakdown", states the rules: layer time is critical-path time, tails are attributed per span key.
import type { Diagnostic, Layer, Trace } from '../trace/model';
import { histogram } from './histogram';
import { measureRequest, type RequestMeasure } from './measure';
import type { BurstReport, ErrorStats, PodStats, RequestFilter, RequestSummary, RetryStats } from './model';
import { byDuration } from './order';
import { RequestRecords, type RecordsPart } from './records';
import { Samples, cmp, layerRows, spanRows } from './rows';
import { SampleStore, stats } from './stats';
import { tails } from './tail';
import type { RequestSet } from './types';

/** How many requests a report lists by default (counts and percentiles always cover every request). */
export const DEFAULT_MAX_PROBES = 1000;

export interface BreakdownOptions {
  /** Opens one request's full trace; whoever owns the traces supplies it (a burst's store, a log's offsets). */
  lookup?: (traceId: string) => Promise<Trace | undefined>;
  /** The most requests a report lists in `probes` (default DEFAULT_MAX_PROBES); see pickProbes. */
  maxProbes?: number;
  /** The report's `route` (e.g. `shop/orders`, or the log's file name). */
  route?: string;
}

export class RequestBreakdown implements RequestSet {
  private rec = new RequestRecords();

  constructor(private readonly opts: BreakdownOptions = {}) {}

  /** Requests added so far. */
  get size(): number {
    return this.rec.length;
  }

  /** Takes a request's numbers from its trace (the trace is not kept); returns the request's index in the set. */
  add(trace: Trace, request: RequestSummary): number {
    this.rec.add(measureRequest(trace, request), request);
    return this.rec.length - 1;
  }

  /** Takes a request already measured (plain-measure.ts); returns its index in the set. */
  addMeasured(measure: RequestMeasure, request: RequestSummary): number {
    this.rec.add(measure, request);
    return this.rec.length - 1;
  }

  /** Every request's numbers as plain data, for another thread's breakdown to append. */
  toPart(): RecordsPart {
    return this.rec.toPart();
  }

  /** Adds another breakdown's requests (its toPart) after these, in their order. */
  append(part: RecordsPart): void {
    this.rec.append(part);
  }

  /** The index of the first request with this trace id, or -1. */
  indexOf(traceId: string): number {
    return this.rec.ids.indexOf(traceId);
  }

  trace(traceId: string): Promise<Trace | undefined> {
    return this.opts.lookup ? this.opts.lookup(traceId) : Promise.resolve(undefined);
  }

  report(filter?: RequestFilter): BurstReport {
    const rec = this.rec;
    const sel = rec.select(filter);
    const ordered = byDuration(sel, (i) => rec.duration.get(i));
    let total = 0;
    let completed = 0;
    let errors = 0;
    let first = Infinity;
    let last = -Infinity;
    const pods = new Map<number, { d: SampleStore; errors: number }>();
    const failures = new Map<string, ErrorStats>();
    const retries = new Map<number, number>();
    for (const i of sel) {
      const d = rec.duration.get(i);
      total += d;
      if (rec.isComplete(i)) completed++;
      const failed = rec.failedLayer(i);
      if (failed) {
        errors++;
        const status = rec.statusOf(i);
        const key = `${status ?? '-'} ${failed}`;
        const f = failures.get(key) ?? { ...(status !== undefined && { status }), layer: failed, count: 0 };
        f.count++;
        const example = f.example === undefined ? rec.error(i) : undefined;
        if (example !== undefined) f.example = example;
        failures.set(key, f);
      }
      // Nanoseconds after the set's base: whole numbers, exact in a double for sets spanning up to about 100 days.
      const start = rec.startOffset(i);
      first = Math.min(first, start);
      last = Math.max(last, start + Math.round(d * 1e6));
      const pod = rec.pod.get(i);
      if (pod >= 0) {
        let p = pods.get(pod);
        if (!p) pods.set(pod, (p = { d: new SampleStore(256), errors: 0 }));
        p.d.push(d);
        if (failed) p.errors++;
      }
      for (const u of rec.retried.get(i) ?? []) retries.set(u, (retries.get(u) ?? 0) + 1);
    }
    const buf = new Samples();
    const layers = layerRows(rec, sel, total, buf);
    const spans = spanRows(rec, sel, buf);
    const podStats: PodStats[] = [...pods]
      .map(([k, p]) => {
        const s = stats(p.d);
        return { pod: rec.upstreams.values[k], count: s.count, p50: s.p50, p99: s.p99, errors: p.errors };
      })
      .sort((a, b) => b.count - a.count || cmp(a.pod, b.pod));
    const retryStats: RetryStats[] = [...retries]
      .map(([u, n]) => ({ upstream: rec.upstreams.values[u], retries: n }))
      .sort((a, b) => b.retries - a.retries || cmp(a.upstream, b.upstream));
    const window = sel.length ? (last - first) / 1e6 : 0;
    const t = tails(
      rec,
      ordered,
      layers.map((l) => l.layer as Layer),
    );
    const maxProbes = this.opts.maxProbes ?? DEFAULT_MAX_PROBES;
    const probes = pickProbes(rec, sel, ordered, maxProbes);
    const diagnostics: Diagnostic[] = [];
    if (probes.length < sel.length)
      diagnostics.push({
        code: 'burst-probes-capped',
        severity: 'info',
        message:
          `the report lists ${probes.length} of ${sel.length} requests (the slowest, the failed, and an even sample ` +
          'of the rest); its counts and percentiles cover every request',
      });
    return {
      route: this.opts.route ?? '',
      requests: sel.length,
      completed,
      errors,
      durationMs: window,
      rps: window > 0 ? sel.length / (window / 1000) : 0,
      layers,
      spans,
      tail: t[0],
      tails: t,
      pods: podStats,
      failures: [...failures.values()].sort((a, b) => b.count - a.count || (a.status ?? 0) - (b.status ?? 0)),
      retries: retryStats,
      histogram: histogram(durations(rec, sel)),
      probes: probes.map((i) => rec.summary(i)),
      diagnostics,
    };
  }
}

/**
 * At most `max` requests for the report's list, in arrival order: every request when they fit; otherwise the slowest
 * quarter of `max`, the first failed ones up to another quarter, and an even sample of the whole set for the rest.
 */
export function pickProbes(rec: RequestRecords, sel: Uint32Array, byDuration: Uint32Array, max: number): number[] {
  if (sel.length <= max) return [...sel];
  const keep = new Set<number>();
  const quarter = Math.floor(max / 4);
  for (let j = byDuration.length - 1; j >= 0 && keep.size < quarter; j--) keep.add(byDuration[j]);
  let failed = 0;
  for (const i of sel) {
    if (failed >= quarter) break;
    if (rec.failedLayer(i) && !keep.has(i)) {
      keep.add(i);
      failed++;
    }
  }
  const rest = max - keep.size;
  for (let j = 0; j < rest; j++) keep.add(sel[Math.floor((j * sel.length) / rest)]);
  return [...keep].sort((a, b) => a - b);
}

function* durations(rec: RequestRecords, sel: Uint32Array): Generator<number> {
  for (const i of sel) yield rec.duration.get(i);
}
