// Decimal nanosecond strings (as in OTLP JSON) to milliseconds relative to a base, without BigInt:
// BigInt parsing dominated building a 10,000-span view. A string splits into whole milliseconds
// (exact in a double up to 2^53 ms) and the sub-millisecond remainder in ns, so no precision is lost.
// The digits are read in place, so converting allocates nothing.

export interface NanoTime {
  ms: number;
  ns: number;
}

/** Whole milliseconds of a decimal ns string (all digits but the last six). */
export function nanosMs(s: string): number {
  let v = 0;
  for (let i = 0, n = s.length - 6; i < n; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

/** The sub-millisecond remainder in ns (the last six digits). */
export function nanosRest(s: string): number {
  let v = 0;
  for (let i = Math.max(0, s.length - 6); i < s.length; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

export function splitNanos(s: string): NanoTime {
  return { ms: nanosMs(s), ns: nanosRest(s) };
}

export function isBefore(a: NanoTime, b: NanoTime): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.ns < b.ns);
}

/** Milliseconds from `base` to `t`. */
export function msSince(t: NanoTime, base: NanoTime): number {
  return t.ms - base.ms + (t.ns - base.ns) / 1e6;
}

/** Milliseconds from `base` to the time in `s`, without making a NanoTime. */
export function msSinceNanos(s: string, base: NanoTime): number {
  return nanosMs(s) - base.ms + (nanosRest(s) - base.ns) / 1e6;
}
