// What the request-set view derives from a report: the whole request's percentiles, requests by duration, and the
// time base for the scatter and the time filters. Pure.
import type { BurstReport, Layer, LayerStats, RequestSummary } from '../src/protocol/messages';
import { nanosMs, nanosRest } from '../src/protocol/nanos';

export const PERCENTILES = ['p50', 'p90', 'p99', 'max'] as const;
export type Percentile = (typeof PERCENTILES)[number];

/** Nearest rank, as the report's own stats (src/core/burst/model.ts). */
function rank(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The whole request's duration at each percentile: from every request when the report lists them all, else from
 *  the tails (median and thresholds) and the histogram's last non-empty bin. */
export function wholePercentiles(r: BurstReport): Record<Percentile, number> {
  if (r.probes.length && r.probes.length >= r.requests) {
    const d = r.probes.map((p) => p.durationMs).sort((a, b) => a - b);
    return { p50: rank(d, 50), p90: rank(d, 90), p99: rank(d, 99), max: d[d.length - 1] };
  }
  const at = (p: number) => r.tails.find((t) => t.percentile === p)?.thresholdMs;
  const lastBin = [...r.histogram].reverse().find((b) => b.count > 0);
  const max = r.probes.reduce((m, p) => Math.max(m, p.durationMs), lastBin?.upperMs ?? 0);
  return {
    p50: r.tail.medianMs,
    p90: at(90) ?? r.tail.medianMs,
    p99: at(99) ?? r.tail.thresholdMs,
    max,
  };
}

/** Each layer's own time at a percentile, in the report's layer order. */
export function layerAt(layers: LayerStats[], p: Percentile): { layer: Layer; ms: number }[] {
  return layers.map((l) => ({ layer: l.layer, ms: l[p] }));
}

/** Request indexes, slowest first (the keyboard list of the scatter). */
export function bySlowest(probes: readonly RequestSummary[]): number[] {
  return probes.map((_, i) => i).sort((a, b) => probes[b].durationMs - probes[a].durationMs || a - b);
}

/** Milliseconds of a decimal ns string, relative to `baseMs` (exact enough to draw: whole ms plus the rest). */
export function msFrom(ns: string, baseMs: number): number {
  return nanosMs(ns) - baseMs + nanosRest(ns) / 1e6;
}

/** The earliest start of a set, in whole ms since the epoch (the scatter's and the time filter's zero). */
export function baseMs(probes: readonly RequestSummary[]): number {
  let base = Infinity;
  for (const p of probes) base = Math.min(base, nanosMs(p.startUnixNano));
  return Number.isFinite(base) ? base : 0;
}

/** Seconds after the base as a decimal ns string (for RequestFilter.fromUnixNano/toUnixNano). */
export function nanosAt(base: number, seconds: number): string {
  const ms = BigInt(base) + BigInt(Math.round(Math.max(0, seconds) * 1000));
  return (ms * 1_000_000n).toString();
}

/** The seconds after the base of a filter's ns bound, for showing it back in the field. */
export function secondsOf(ns: string | undefined, base: number): string {
  if (ns === undefined) return '';
  return String(Math.round(msFrom(ns, base)) / 1000);
}

/** The report's histogram; when it has none (an engine that does not bin yet), log-scale bins of the listed
 *  requests, ten per decade, as src/core/burst/model.ts describes the report's own. */
export function histogramOf(r: BurstReport): BurstReport['histogram'] {
  if (r.histogram.length || !r.probes.length) return r.histogram;
  const step = 10 ** 0.1;
  const counts = new Map<number, number>();
  for (const p of r.probes) {
    const k = Math.floor(Math.log10(Math.max(p.durationMs, 0.001)) * 10);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const keys = [...counts.keys()];
  const out: BurstReport['histogram'] = [];
  for (let k = Math.min(...keys); k <= Math.max(...keys); k++) {
    const lowerMs = 10 ** (k / 10);
    out.push({ lowerMs, upperMs: lowerMs * step, count: counts.get(k) ?? 0 });
  }
  return out;
}

export function isError(p: RequestSummary): boolean {
  return p.status === undefined || p.status >= 500 || p.error !== undefined;
}
