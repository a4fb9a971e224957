// Paces a burst's requests: a fixed count or a duration, `concurrency` workers, an optional total rate, and a stop
// signal. Every worker takes the next request number, waits for its slot when rate-limited, and sends it.
import { sleep } from '../probe/gather';

export interface PoolOptions {
  count?: number;
  durationMs?: number;
  /** Never more than this many, whatever the duration. */
  maxRequests: number;
  concurrency: number;
  ratePerSecond?: number;
  signal: AbortSignal;
  now?: () => number;
}

/** Runs `send(n)` for n = 0, 1, ... until the count, the duration or the signal says stop; returns how many were sent. */
export async function runPool(o: PoolOptions, send: (n: number) => Promise<void>): Promise<number> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const total = Math.min(o.count ?? o.maxRequests, o.maxRequests);
  const gap = o.ratePerSecond ? 1000 / o.ratePerSecond : 0;
  let next = 0;
  let slot = t0;
  const take = (): number | undefined => {
    if (o.signal.aborted || next >= total) return undefined;
    if (o.durationMs !== undefined && now() - t0 >= o.durationMs) return undefined;
    return next++;
  };
  const worker = async () => {
    for (let n = take(); n !== undefined; n = take()) {
      if (gap) {
        // Slots are handed out in order, `gap` apart: the total rate holds whatever the concurrency.
        const at = Math.max(slot, now());
        slot = at + gap;
        // Timers work in whole milliseconds and can fire a fraction early: wait until the slot has really come.
        for (let tries = 0; tries < 3 && at > now() && !o.signal.aborted; tries++)
          await sleep(Math.ceil(at - now()), o.signal);
        if (o.signal.aborted) return;
      }
      await send(n);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, total)) }, worker));
  return next;
}
