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

// Marks a value kept aside (not whole nanoseconds, or 4.29 s or more).
const ASIDE = 0xffffffff;

/**
 * Milliseconds, as a request's times give them (whole nanoseconds / 1e6): stored as the nanoseconds in 32 bits when
 * that gives back the very same number, else kept aside as they are. Half the memory of a Float64 column for the
 * same values, exactly: a breakdown of the 100 MB benchmark log holds about 7 million of them.
 */
export class MillisColumn {
  private chunks: Uint32Array[] = [];
  private last?: Uint32Array;
  private readonly aside = new Map<number, number>();
  length = 0;

  push(v: number): void {
    const at = this.length & MASK;
    if (at === 0) this.chunks.push((this.last = new Uint32Array(CHUNK)));
    const n = Math.round(v * 1e6);
    // -0 would come back as 0: it is kept aside, like anything else the nanoseconds do not give back.
    if (n > 0 ? n < ASIDE && n / 1e6 === v : Object.is(v, 0)) (this.last as Uint32Array)[at] = n;
    else {
      (this.last as Uint32Array)[at] = ASIDE;
      this.aside.set(this.length, v);
    }
    this.length++;
  }

  get(i: number): number {
    const n = this.chunks[i >>> CHUNK_BITS][i & MASK];
    return n === ASIDE ? (this.aside.get(i) as number) : n / 1e6;
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
