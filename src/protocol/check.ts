// Small checking primitives for the protocol validators. They throw Bad internally; the public
// parse functions catch it, so bad input never escapes as an exception.
// Each takes the parent's path and the field's key separately and joins them only on failure:
// a 10,000-span trace runs these ~300,000 times, so the happy path must not build strings.

export class Bad extends Error {}

export type Obj = Record<string, unknown>;

export function at(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

export function fail(path: string, key: string | number, what: string): never {
  throw new Bad(`${at(path, key)}: ${what}`);
}

export function isPlainObject(x: unknown): x is Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

export function obj(x: unknown, path: string, key: string | number): Obj {
  if (!isPlainObject(x)) fail(path, key, 'expected an object');
  return x;
}

/** Rejects keys outside `allowed`: envelopes are strict so junk cannot ride along. */
export function onlyKeys(o: Obj, allowed: readonly string[], path: string): void {
  for (const k in o)
    if (!allowed.includes(k)) throw new Bad(`${path || 'message'}: unexpected field "${k.slice(0, 40)}"`);
}

export function str(x: unknown, path: string, key: string | number, max: number, min = 0): string {
  if (typeof x !== 'string') fail(path, key, 'expected a string');
  if (x.length < min) fail(path, key, 'must not be empty');
  if (x.length > max) fail(path, key, `longer than ${max} characters`);
  return x;
}

export function optStr(x: unknown, path: string, key: string, max: number): string | undefined {
  return x === undefined ? undefined : str(x, path, key, max);
}

export function oneOf<T extends string>(x: unknown, values: readonly T[], path: string, key: string): T {
  if (typeof x !== 'string' || !(values as readonly string[]).includes(x))
    fail(path, key, `expected one of ${values.join('|')}`);
  return x as T;
}

export function num(x: unknown, path: string, key: string, min = -Infinity, max = Infinity): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(path, key, 'expected a finite number');
  if (x < min || x > max) fail(path, key, `out of range [${min}, ${max}]`);
  return x;
}

export function optNum(x: unknown, path: string, key: string, min = -Infinity, max = Infinity): number | undefined {
  return x === undefined ? undefined : num(x, path, key, min, max);
}

export function int(x: unknown, path: string, key: string, min: number, max: number): number {
  const n = num(x, path, key, min, max);
  if (!Number.isInteger(n)) fail(path, key, 'expected an integer');
  return n;
}

export function optBool(x: unknown, path: string, key: string): boolean | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== 'boolean') fail(path, key, 'expected true or false');
  return x;
}

export function arr(x: unknown, path: string, key: string, max: number): unknown[] {
  if (!Array.isArray(x)) fail(path, key, 'expected an array');
  if (x.length > max) fail(path, key, `more than ${max} items`);
  return x;
}

const DECIMAL = /^\d{1,30}$/;
/** Times are unsigned decimal strings of nanoseconds, as in OTLP JSON. */
export function nanos(x: unknown, path: string, key: string): string {
  if (typeof x !== 'string' || !DECIMAL.test(x)) fail(path, key, 'expected a decimal string of nanoseconds');
  return x;
}
