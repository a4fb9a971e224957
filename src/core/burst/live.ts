// The live counts of a running burst (BurstLive), reported at most every `everyMs` and once at the end.
import type { BurstLive } from './model';

export class LiveCounts {
  sent = 0;
  answered = 0;
  traced = 0;
  errors = 0;
  private readonly durations: number[] = [];
  private last = 0;

  constructor(
    private readonly onLive?: (live: BurstLive) => void,
    private readonly everyMs = 100,
  ) {}

  answer(durationMs: number, failed: boolean): void {
    this.answered++;
    if (failed) this.errors++;
    this.durations.push(durationMs);
    this.tick();
  }

  tick(force = false): void {
    if (!this.onLive) return;
    const t = performance.now();
    if (!force && t - this.last < this.everyMs) return;
    this.last = t;
    this.onLive(this.snapshot());
  }

  snapshot(): BurstLive {
    const live: BurstLive = { sent: this.sent, answered: this.answered, traced: this.traced, errors: this.errors };
    if (this.durations.length) {
      const sorted = Float64Array.from(this.durations).sort();
      live.p50 = nearestRank(sorted, 50);
      live.p99 = nearestRank(sorted, 99);
    }
    return live;
  }
}

/** The nearest-rank percentile of sorted values. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
