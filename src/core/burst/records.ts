// The numbers of every request of a set, stored compactly so that a filtered report can be recomputed at any time.
// Requests of one structure (same span rows, same critical-path owners, same layers) share a "shape": the shape holds
// the keys once, the request only its values, so an access-log request costs about 150 bytes.
import { LAYERS } from '../../protocol/vocabulary';
import type { Layer } from '../trace/model';
import { Interner, MillisColumn, TraceIds, f64, i32, u16, u32, u8, type TraceIdsPart } from './columns';
import type { RequestMeasure } from './measure';
import type { RequestFilter, RequestSummary } from './model';

export interface Shape {
  /** Layer indices (into LAYERS) with time, then span key ids, then owned key ids: the order of the values. */
  layers: number[];
  spans: number[];
  owned: number[];
}

const NONE = 255;
const COMPLETE = 1;
const NEW_CONNECTION = 2;

export class RequestRecords {
  readonly keys = new Interner();
  readonly upstreams = new Interner();
  readonly shapes: Shape[] = [];
  readonly ids = new TraceIds();
  private paths = new Interner();
  private methods = new Interner();
  private errors = new Interner();
  private shapeIds = new Map<string, number>();
  /** Start of each request in nanoseconds after `baseNs` (exact for sets spanning up to about 100 days). */
  private start = f64();
  baseNs: bigint | undefined;
  readonly duration = new MillisColumn();
  private status = u16();
  private flags = u8();
  private failed = u8();
  readonly pod = i32();
  private path = i32();
  private method = i32();
  private shape = i32();
  private offset = u32();
  readonly values = new MillisColumn();
  private errorOf = new Map<number, number>();
  readonly retried = new Map<number, number[]>();

  get length(): number {
    return this.duration.length;
  }

  add(m: RequestMeasure, r: RequestSummary): void {
    const i = this.length;
    this.baseNs ??= m.startNs;
    this.ids.push(r.traceId);
    this.start.push(Number(m.startNs - this.baseNs));
    this.duration.push(m.durationMs);
    this.status.push(m.status ?? 0);
    this.flags.push((r.complete ? COMPLETE : 0) | (r.newConnection ? NEW_CONNECTION : 0));
    this.failed.push(m.failedLayer ? LAYERS.indexOf(m.failedLayer) : NONE);
    this.pod.push(m.pod !== undefined ? this.upstreams.id(m.pod) : -1);
    this.path.push(r.path !== undefined ? this.paths.id(r.path) : -1);
    this.method.push(r.method !== undefined ? this.methods.id(r.method) : -1);
    if (m.error !== undefined) this.errorOf.set(i, this.errors.id(m.error));
    if (m.retried.length)
      this.retried.set(
        i,
        m.retried.map((u) => this.upstreams.id(u)),
      );
    const layers: number[] = [];
    m.layerMs.forEach((v, k) => v > 0 && layers.push(k));
    let s = this.sameAsLast(layers, m);
    if (s === undefined) {
      const spans = m.spans.map(([k]) => k);
      const owned = [...m.owned.keys()];
      // Keys are interned only when a new shape appears.
      s = this.shapeIds.get(signature(layers, spans, owned)) ?? this.addShape(layers, spans, owned);
      this.last = { s, layers, spans, owned };
    }
    this.shape.push(s);
    this.offset.push(this.values.length);
    for (const k of layers) this.values.push(m.layerMs[k]);
    for (const [, v] of m.spans) this.values.push(v);
    for (const v of m.owned.values()) this.values.push(v);
  }

  /**
   * The last new request's shape, as key lists: the next request nearly always has the same one, and comparing the
   * lists costs less than joining them into a signature to look up (a tenth of an access log's breakdown).
   */
  private last?: { s: number; layers: number[]; spans: string[]; owned: string[] };

  private sameAsLast(layers: number[], m: RequestMeasure): number | undefined {
    const l = this.last;
    if (!l || l.layers.length !== layers.length || l.spans.length !== m.spans.length) return undefined;
    if (l.owned.length !== m.owned.size) return undefined;
    for (let i = 0; i < layers.length; i++) if (l.layers[i] !== layers[i]) return undefined;
    for (let i = 0; i < l.spans.length; i++) if (l.spans[i] !== m.spans[i][0]) return undefined;
    let i = 0;
    for (const k of m.owned.keys()) if (l.owned[i++] !== k) return undefined;
    return l.s;
  }

  private addShape(layers: number[], spans: string[], owned: string[]): number {
    const s = this.shapes.length;
    this.shapeIds.set(signature(layers, spans, owned), s);
    this.shapes.push({ layers, spans: spans.map((k) => this.keys.id(k)), owned: owned.map((k) => this.keys.id(k)) });
    return s;
  }

  /** Every request as plain data (typed arrays and strings), to send to another thread; see append. */
  toPart(): RecordsPart {
    const names = (ids: number[]) => ids.map((k) => this.keys.values[k]);
    return {
      shapes: this.shapes.map((x) => ({ layers: x.layers, spans: names(x.spans), owned: names(x.owned) })),
      upstreams: this.upstreams.values,
      paths: this.paths.values,
      methods: this.methods.values,
      errors: this.errors.values,
      ids: this.ids.toPart(),
      baseNs: this.baseNs,
      start: this.start.toArray(),
      duration: this.duration.toArray(),
      status: this.status.toArray(),
      flags: this.flags.toArray(),
      failed: this.failed.toArray(),
      pod: this.pod.toArray(),
      path: this.path.toArray(),
      method: this.method.toArray(),
      shape: this.shape.toArray(),
      offset: this.offset.toArray(),
      values: this.values.toArray(),
      errorOf: [...this.errorOf],
      retried: [...this.retried],
    };
  }

  /**
   * Adds the requests of another set after these, as if each had been added here in its order: what a report says
   * of the result is what it would say had one set seen them all (test/unit/log-parallel.test.ts).
   */
  append(p: RecordsPart): void {
    if (!p.duration.length) return;
    const at = this.length;
    this.baseNs ??= p.baseNs;
    // Exact: both are whole nanoseconds below 2^53 for sets spanning up to about 100 days, as in add().
    const shift = Number((p.baseNs ?? 0n) - (this.baseNs ?? 0n));
    const map = (ids: string[], into: Interner) => ids.map((x) => into.id(x));
    const ups = map(p.upstreams, this.upstreams);
    const paths = map(p.paths, this.paths);
    const methods = map(p.methods, this.methods);
    const errors = map(p.errors, this.errors);
    const shapes = p.shapes.map(
      (x) => this.shapeIds.get(signature(x.layers, x.spans, x.owned)) ?? this.addShape(x.layers, x.spans, x.owned),
    );
    const valuesAt = this.values.length;
    this.ids.append(p.ids);
    this.start.pushAll(p.start, shift);
    this.duration.pushAll(p.duration);
    this.status.pushAll(p.status);
    this.flags.pushAll(p.flags);
    this.failed.pushAll(p.failed);
    this.pod.pushAll(remap(p.pod, ups));
    this.path.pushAll(remap(p.path, paths));
    this.method.pushAll(remap(p.method, methods));
    this.shape.pushAll(remap(p.shape, shapes));
    this.offset.pushAll(p.offset, valuesAt);
    this.values.pushAll(p.values);
    for (const [j, e] of p.errorOf) this.errorOf.set(at + j, errors[e]);
    for (const [j, list] of p.retried)
      this.retried.set(
        at + j,
        list.map((u) => ups[u]),
      );
  }

  shapeOf(i: number): Shape {
    return this.shapes[this.shape.get(i)];
  }

  /** Where request i's values start: layers, then spans, then owned, in its shape's order. */
  valuesAt(i: number): number {
    return this.offset.get(i);
  }

  /** Nanoseconds from `baseNs` to request i's start. */
  startOffset(i: number): number {
    return this.start.get(i);
  }

  startNs(i: number): bigint {
    return (this.baseNs ?? 0n) + BigInt(Math.round(this.start.get(i)));
  }

  statusOf(i: number): number | undefined {
    return this.status.get(i) || undefined;
  }

  isComplete(i: number): boolean {
    return (this.flags.get(i) & COMPLETE) !== 0;
  }

  failedLayer(i: number): Layer | undefined {
    const f = this.failed.get(i);
    return f === NONE ? undefined : LAYERS[f];
  }

  error(i: number): string | undefined {
    const e = this.errorOf.get(i);
    return e === undefined ? undefined : this.errors.values[e];
  }

  summary(i: number): RequestSummary {
    const out: RequestSummary = {
      traceId: this.ids.get(i),
      startUnixNano: String(this.startNs(i)),
      durationMs: this.duration.get(i),
      complete: (this.flags.get(i) & COMPLETE) !== 0,
      newConnection: (this.flags.get(i) & NEW_CONNECTION) !== 0,
    };
    const status = this.statusOf(i);
    if (status !== undefined) out.status = status;
    const pod = this.pod.get(i);
    if (pod >= 0) out.pod = this.upstreams.values[pod];
    const method = this.method.get(i);
    if (method >= 0) out.method = this.methods.values[method];
    const path = this.path.get(i);
    if (path >= 0) out.path = this.paths.values[path];
    const error = this.error(i);
    if (error !== undefined) out.error = error;
    return out;
  }

  /**
   * The indices of the requests that match every given field of the filter, in the order they were added: 4 bytes a
   * request, where a plain array of half a million (a big log's) took 8 and grew by copies.
   */
  select(filter: RequestFilter = {}): Uint32Array {
    const pod = filter.upstream === undefined ? undefined : this.upstreams.find(filter.upstream);
    if (pod === -1) return new Uint32Array(0);
    const out = new Uint32Array(this.length);
    let n = 0;
    const base = this.baseNs ?? 0n;
    const from = filter.fromUnixNano === undefined ? undefined : Number(BigInt(filter.fromUnixNano) - base);
    const to = filter.toUnixNano === undefined ? undefined : Number(BigInt(filter.toUnixNano) - base);
    const pathMatch = filter.path === undefined ? undefined : this.pathsContaining(filter.path);
    for (let i = 0; i < this.length; i++) {
      if (pod !== undefined && this.pod.get(i) !== pod) continue;
      if (
        filter.status === 'error'
          ? this.failed.get(i) === NONE
          : filter.status !== undefined && !statusMatches(filter.status, this.statusOf(i))
      )
        continue;
      if (pathMatch && !pathMatch.has(this.path.get(i))) continue;
      const s = this.start.get(i);
      if ((from !== undefined && s < from) || (to !== undefined && s > to)) continue;
      out[n++] = i;
    }
    // A selection smaller than the set is copied out, so that it does not keep memory for the whole set.
    return n === this.length ? out : out.slice(0, n);
  }

  /** Path ids whose path contains the text; tested once per distinct path, not once per request. */
  private pathsContaining(text: string): Set<number> {
    const out = new Set<number>();
    this.paths.values.forEach((p, id) => p.includes(text) && out.add(id));
    return out;
  }
}

/** A request's numbers as plain data: RequestRecords.toPart and append. Shapes carry key names, not ids. */
export interface RecordsPart {
  shapes: { layers: number[]; spans: string[]; owned: string[] }[];
  upstreams: string[];
  paths: string[];
  methods: string[];
  errors: string[];
  ids: TraceIdsPart;
  baseNs: bigint | undefined;
  start: ArrayLike<number>;
  duration: ArrayLike<number>;
  status: ArrayLike<number>;
  flags: ArrayLike<number>;
  failed: ArrayLike<number>;
  pod: ArrayLike<number>;
  path: ArrayLike<number>;
  method: ArrayLike<number>;
  shape: ArrayLike<number>;
  offset: ArrayLike<number>;
  values: ArrayLike<number>;
  errorOf: [number, number][];
  retried: [number, number[]][];
}

/** Another set's ids as this set's (-1, none, stays). */
function remap(src: ArrayLike<number>, ids: number[]): Int32Array {
  const out = new Int32Array(src.length);
  for (let k = 0; k < src.length; k++) out[k] = src[k] < 0 ? src[k] : ids[src[k]];
  return out;
}

// One lookup of the whole structure (keys length-prefixed, so no name can fake another shape).
function signature(layers: number[], spans: readonly (string | [string, number])[], owned: Iterable<string>): string {
  let sig = layers.join(',');
  for (const e of spans) {
    const k = typeof e === 'string' ? e : e[0];
    sig += `|${k.length}:${k}`;
  }
  sig += '/';
  for (const k of owned) sig += `|${k.length}:${k}`;
  return sig;
}

/**
 * "error" means no response, or a status of 500 or more (RequestRecords.select asks the failed layer, which is set for
 * exactly those); a class like "5xx" is its hundred.
 */
export function statusMatches(want: NonNullable<RequestFilter['status']>, status: number | undefined): boolean {
  if (want === 'error') return status === undefined || status >= 500;
  if (typeof want === 'number') return status === want;
  return status !== undefined && Math.floor(status / 100) === Number(want[0]);
}
