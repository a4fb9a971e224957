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

/** Nesting a value may have: deeper ones (a hostile file) would overflow the stack in JSON.stringify and renderers. */
export const MAX_NESTING = 64;

/** True when `v` nests arrays/objects deeper than `limit`; walked with an explicit stack, never recursion. */
export function nestsDeeper(v: unknown, limit = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d >= limit) return true;
    for (const y of Array.isArray(x) ? x : Object.values(x))
      if (typeof y === 'object' && y !== null) stack.push([y, d + 1]);
  }
  return false;
}

export const tooDeepText = (limit = MAX_NESTING) => `[a value nested more than ${limit} levels deep; not converted]`;

/** JSON text of a nested value, or a plain note when it nests too deep to convert safely. */
export function nestedText(v: unknown): string {
  return nestsDeeper(v) ? tooDeepText() : (JSON.stringify(v) ?? String(v));
}

/** Replaces too-deeply nested values of an attribute map by a note, in place; returns the keys it replaced. */
export function limitNesting(attrs: Record<string, unknown>): string[] {
  const replaced: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'object' && v !== null && nestsDeeper(v)) {
      setKey(attrs, k, tooDeepText());
      replaced.push(k);
    }
  }
  return replaced;
}
