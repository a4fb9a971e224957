// Log-scale bins of request durations: each bin is sqrt(2) times as wide as the one before, so 1 ms and 10 s fit in
// one chart and a bin's width is a fixed share of its values. Bins run from the first non-empty one to the last.
import type { HistogramBin } from './model';

/** Bin k covers [2^(k/2), 2^((k+1)/2)) ms; everything below 2^(MIN_K/2) ms (about 1 µs) goes to [0, that). */
const MIN_K = -40;
const edge = (k: number) => Math.pow(2, k / 2);

export function binOf(ms: number): number {
  if (!(ms >= edge(MIN_K + 1))) return MIN_K;
  let k = Math.floor(2 * Math.log2(ms));
  // log2 can be a hair off at an exact edge; the edges decide.
  while (edge(k + 1) <= ms) k++;
  while (k > MIN_K && edge(k) > ms) k--;
  return k;
}

export function histogram(durationsMs: Iterable<number>): HistogramBin[] {
  const counts = new Map<number, number>();
  for (const d of durationsMs) {
    const k = binOf(d);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  if (!counts.size) return [];
  const ks = [...counts.keys()];
  const lo = Math.min(...ks);
  const hi = Math.max(...ks);
  const out: HistogramBin[] = [];
  for (let k = lo; k <= hi; k++)
    out.push({ lowerMs: k === MIN_K ? 0 : edge(k), upperMs: edge(k + 1), count: counts.get(k) ?? 0 });
  return out;
}
