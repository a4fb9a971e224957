// Compact per-request storage for request sets of hundreds of thousands of requests: one typed array per field, grown
// in fixed chunks (never copied, at most one chunk unused), and strings stored once each.

type Typed = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** A growable column of numbers of one typed-array kind. */
export class Column {
  private chunks: Typed[] = [];
  length = 0;

  constructor(private readonly make: (n: number) => Typed) {}

  push(v: number): void {
    const at = this.length & MASK;
    if (at === 0) this.grow();
    this.chunks[this.chunks.length - 1][at] = v;
    this.length++;
  }

  /** A new chunk at the end. */
  protected grow(): Typed {
    const c = this.make(CHUNK);
    this.chunks.push(c);
    return c;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS][i & MASK];
  }

  /**
   * Appends `src` with `add` added to each, a chunk at a time: one typed-array copy per chunk when nothing
   * is added, instead of a push per value.
   */
  pushAll(src: ArrayLike<number>, add = 0): void {
    let i = 0;
    while (i < src.length) {
      const at = this.length & MASK;
      if (at === 0) this.grow();
      const chunk = this.chunks[this.chunks.length - 1];
      const n = Math.min(CHUNK - at, src.length - i);
      if (add === 0 && ArrayBuffer.isView(src)) chunk.set((src as Typed).subarray(i, i + n), at);
      else for (let k = 0; k < n; k++) chunk[at + k] = src[i + k] + add;
      i += n;
      this.length += n;
    }
  }

  /** The values as one typed array (a copy), to send to another thread. */
  toArray(): Typed {
    const out = this.make(this.length);
    let at = 0;
    for (const c of this.chunks) {
      const n = Math.min(c.length, this.length - at);
      out.set(n === c.length ? c : c.subarray(0, n), at);
      at += n;
    }
    return out;
  }
}

/**
 * Float64 columns (a request's values, times and durations: most pushes) with a push of their own: one push shared
 * by five typed-array kinds stores through a megamorphic site, about twice as slow (bench: 120 → 60 ns a value).
 */
class F64Column extends Column {
  private last?: Float64Array;

  override push(v: number): void {
    const at = this.length & MASK;
    if (at === 0) this.grow();
    (this.last as Float64Array)[at] = v;
    this.length++;
  }

  protected override grow(): Typed {
    return (this.last = super.grow() as Float64Array);
  }
}

export const f64 = (): Column => new F64Column((n) => new Float64Array(n));

// How a MillisColumn chunk holds its values, from the most compact: whole milliseconds in 16 bits (an access log's
// times), whole nanoseconds in 32 bits (a probe's, below 4.29 s), or the double itself.
const MS16 = 0;
const NS32 = 1;
const F64 = 2;
type Millis = Uint16Array | Uint32Array | Float64Array;

/**
 * Milliseconds, as a request's times give them (whole milliseconds from a log, whole nanoseconds / 1e6 from spans),
 * each chunk in the most compact form that gives back the very same numbers: a chunk starts as whole milliseconds
 * in 16 bits and moves to nanoseconds in 32 bits, or to doubles, when a value needs it. A breakdown of the 100 MB
 * benchmark log holds about 5.4 million of them, all whole milliseconds: 11 MB instead of 22 in 32 bits.
 */
export class MillisColumn {
  private chunks: Millis[] = [];
  private kinds: number[] = [];
  length = 0;

  push(v: number): void {
    const at = this.length & MASK;
    if (at === 0) {
      this.chunks.push(new Uint16Array(CHUNK));
      this.kinds.push(MS16);
    }
    const c = this.chunks.length - 1;
    let kind = this.kinds[c];
    if (!fits(kind, v)) kind = this.widen(c, at, v);
    const chunk = this.chunks[c];
    chunk[at] = kind === NS32 ? Math.round(v * 1e6) : v;
    this.length++;
  }

  /** Moves chunk c's first `at` values to the next kind that holds them and `v` exactly. */
  private widen(c: number, at: number, v: number): number {
    const old = this.chunks[c];
    const was = this.kinds[c];
    const value = (k: number) => (was === NS32 ? old[k] / 1e6 : old[k]);
    let kind = was + 1;
    // Not every 16-bit millisecond is a 32-bit nanosecond (65.5 s is not): then doubles.
    for (let k = 0; kind === NS32 && k < at; k++) if (!fits(NS32, value(k))) kind = F64;
    if (!fits(kind, v)) kind = F64;
    const next = kind === NS32 ? new Uint32Array(CHUNK) : new Float64Array(CHUNK);
    for (let k = 0; k < at; k++) next[k] = kind === NS32 ? Math.round(value(k) * 1e6) : value(k);
    this.chunks[c] = next;
    this.kinds[c] = kind;
    return kind;
  }

  get(i: number): number {
    const c = i >>> CHUNK_BITS;
    const v = this.chunks[c][i & MASK];
    return this.kinds[c] === NS32 ? v / 1e6 : v;
  }

  pushAll(src: ArrayLike<number>): void {
    for (let k = 0; k < src.length; k++) this.push(src[k]);
  }

  /** The values as one array (a copy), to send to another thread. */
  toArray(): Float64Array {
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}

/** Whether a chunk of this kind gives back `v` exactly (-0 only as a double: 0 would come back). */
function fits(kind: number, v: number): boolean {
  if (kind === F64) return true;
  if (v === 0) return 1 / v > 0;
  if (kind === MS16) return v > 0 && v <= 0xffff && Math.floor(v) === v;
  const n = Math.round(v * 1e6);
  return n >= 0 && n <= 0xffffffff && n / 1e6 === v;
}
export const i32 = () => new Column((n) => new Int32Array(n));
export const u32 = () => new Column((n) => new Uint32Array(n));
export const u16 = () => new Column((n) => new Uint16Array(n));
export const u8 = () => new Column((n) => new Uint8Array(n));

/** Each distinct string once; requests hold its number. */
export class Interner {
  private ids = new Map<string, number>();
  readonly values: string[] = [];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(s, id);
      this.values.push(s);
    }
    return id;
  }

  /** The id of a string already seen, or -1. */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }
}

/** Trace ids as 16 bytes each when they are 32 hex digits (they nearly always are), else interned. */
export class TraceIds {
  private bytes = u8();
  private odd = new Map<number, string>();
  length = 0;

  push(id: string): void {
    const hex = id.length === 32 && /^[0-9a-f]{32}$/.test(id);
    for (let k = 0; k < 32; k += 2)
      this.bytes.push(hex ? (nibble(id.charCodeAt(k)) << 4) | nibble(id.charCodeAt(k + 1)) : 0);
    if (!hex) this.odd.set(this.length, id);
    this.length++;
  }

  /** The first request with this id, or -1. */
  indexOf(id: string): number {
    if (!/^[0-9a-f]{32}$/.test(id)) {
      for (const [i, s] of this.odd) if (s === id) return i;
      return -1;
    }
    const want = Buffer.from(id, 'hex');
    next: for (let i = 0; i < this.length; i++) {
      if (this.odd.has(i)) continue;
      for (let k = 0; k < 16; k++) if (this.bytes.get(16 * i + k) !== want[k]) continue next;
      return i;
    }
    return -1;
  }

  /** The ids as plain data, to send to another thread (see append). */
  toPart(): TraceIdsPart {
    return { bytes: this.bytes.toArray() as Uint8Array, odd: [...this.odd], length: this.length };
  }

  /** Adds the ids of another set, after these. */
  append(part: TraceIdsPart): void {
    this.bytes.pushAll(part.bytes);
    for (const [i, id] of part.odd) this.odd.set(this.length + i, id);
    this.length += part.length;
  }

  get(i: number): string {
    const odd = this.odd.get(i);
    if (odd !== undefined) return odd;
    let s = '';
    for (let k = 0; k < 16; k++)
      s += this.bytes
        .get(16 * i + k)
        .toString(16)
        .padStart(2, '0');
    return s;
  }
}

export interface TraceIdsPart {
  bytes: Uint8Array;
  odd: [number, string][];
  length: number;
}

/** A lowercase hex digit's value (the caller checked it is one). */
const nibble = (c: number) => (c <= 57 ? c - 48 : c - 87);
