// Small conversions the trace readers share. All of them take `unknown` (file contents) and never throw.

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Microseconds (number or decimal string, as Jaeger and Zipkin write them) to a nanosecond decimal string. */
export function microsToNano(v: unknown): string | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    const whole = Math.trunc(v);
    return (BigInt(whole) * 1000n + BigInt(Math.round((v - whole) * 1000))).toString();
  }
  if (typeof v === 'string' && /^\d{1,30}$/.test(v.trim())) return (BigInt(v.trim()) * 1000n).toString();
  return undefined;
}

/** Nanosecond decimal string to whole microseconds (floor), as a number: Jaeger's unit. */
export function nanoToMicros(ns: string): number {
  try {
    return Number(BigInt(ns) / 1000n);
  } catch {
    return 0;
  }
}

export function addNano(a: string, b: string): string {
  return (BigInt(a) + BigInt(b)).toString();
}

export function nanoDiff(end: string, start: string): bigint {
  try {
    return BigInt(end) - BigInt(start);
  } catch {
    return 0n;
  }
}

/** A string for an id-like value: strings as given, numbers as their decimal text. */
export function idString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** `obj[key] = v` that also works for the key "__proto__" (which plain assignment would swallow). */
export function setKey(obj: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[key] = v;
}
