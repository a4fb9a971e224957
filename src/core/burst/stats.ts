// Samples and their percentiles for request sets (docs/ARCHITECTURE.md, "Request sets and bursts: the breakdown").
//
// Percentiles are nearest-rank: the p-th percentile of n sorted samples is the sample at 1-based rank ceil(p/100 * n)
// (rank 1 when that is 0). It is always one of the samples, never an interpolation, so "p99 is 480 ms" names a
// request that took 480 ms, and at least p% of the samples are at or below it.
import type { Stats } from './model';

/** Samples in chunks of one Float64Array each: growing never copies, and at most one chunk stands unused. */
export class SampleStore {
  private chunks: Float64Array[] = [];
  private n = 0;

  constructor(private readonly chunkSize = 1 << 14) {}

  get length(): number {
    return this.n;
  }

  push(v: number): void {
    const at = this.n % this.chunkSize;
    if (at === 0) this.chunks.push(new Float64Array(this.chunkSize));
    this.chunks[this.chunks.length - 1][at] = v;
    this.n++;
  }

  get(i: number): number {
    return this.chunks[Math.floor(i / this.chunkSize)][i % this.chunkSize];
  }

  /** A sorted copy: the store keeps its order (the order samples came in). */
  sorted(): Float64Array {
    const out = new Float64Array(this.n);
    let k = 0;
    for (const c of this.chunks) {
      const take = Math.min(c.length, this.n - k);
      out.set(take === c.length ? c : c.subarray(0, take), k);
      k += take;
    }
    return out.sort();
  }
}

/** Nearest-rank percentile of samples sorted ascending; NaN for no samples. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (!n) return NaN;
  return sorted[nearestRankIndex(n, p)];
}

/** The 0-based index of the nearest-rank p-th percentile among n sorted samples. */
export function nearestRankIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
}

/** Count, nearest-rank p50/p90/p99 and max; all zero for no samples (a layer no request reached). */
export function stats(samples: SampleStore | ArrayLike<number>): Stats {
  return sortedStats(samples instanceof SampleStore ? samples.sorted() : Float64Array.from(samples).sort());
}

/** stats() of samples already sorted ascending (no copy is made). */
export function sortedStats(s: Float64Array): Stats {
  if (!s.length) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: s.length,
    p50: percentileOfSorted(s, 50),
    p90: percentileOfSorted(s, 90),
    p99: percentileOfSorted(s, 99),
    max: s[s.length - 1],
  };
}
