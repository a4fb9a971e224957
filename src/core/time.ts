// Times in the model are decimal strings of nanoseconds (OTLP JSON). BigInt keeps them exact.

// timeOrigin + now() is monotonic within the process and has sub-millisecond precision.
export const nowUnixNano = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

export function toNano(value: string | number | bigint | undefined): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.round(value)) : undefined;
    if (/^\d+$/.test(value.trim())) return BigInt(value.trim());
  } catch {
    /* fall through */
  }
  return undefined;
}

export const msToNano = (ms: number): bigint => BigInt(Math.round(ms * 1e6));
export const nanoToMs = (ns: bigint): number => Number(ns) / 1e6;
export const secondsToNano = (s: number): bigint => BigInt(Math.round(s * 1e9));
