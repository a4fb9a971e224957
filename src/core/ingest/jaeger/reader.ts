// Jaeger UI-API JSON (`GET /api/traces/{id}`, and the files the Jaeger UI saves) into the model.
// Accepts {"data":[trace...]}, one bare trace object, or an array of traces, whole or as a stream of JSON events.
import type { Diagnostic, SpanBatch, SpanOrigin } from '../../trace/model';
import { TraceCollector } from '../../io/group';
import type { JsonEvent, Pattern, PathSeg } from '../../io/json-stream';
import { scanJson } from '../../io/json-stream';
import { describe, idString, isObject } from '../../io/values';
import { applyProcess, jaegerSpan, type PendingSpan } from './span';

/** Where spans sit in the three shapes; the streaming reader hands each one over as it is read. */
export const JAEGER_PATTERNS: Pattern[] = [
  [['data'], '*', ['spans'], '*'],
  [['spans'], '*'],
  ['*', ['spans'], '*'],
];

export class JaegerReader {
  private readonly pending = new Map<object, PendingSpan[]>();
  private count = 0;
  private closed = 0;

  constructor(
    readonly out: TraceCollector,
    private readonly origin: SpanOrigin = 'jaeger',
  ) {}

  /** Feeds one event of streamJson(..., JAEGER_PATTERNS). */
  onEvent(ev: JsonEvent): void {
    switch (ev.type) {
      case 'element': {
        const owner = ev.parents[ev.parents.length - 2];
        this.addSpan(ev.value, isObject(owner) ? owner : {}, where(ev.path));
        break;
      }
      case 'stray':
        this.fileDiag({
          code: 'jaeger-malformed',
          severity: 'warning',
          message: `${where(ev.path)} is ${describe(ev.value)}, not a trace object; it was skipped`,
        });
        break;
      case 'close':
        if (isObject(ev.value) && (this.pending.has(ev.value) || 'spans' in ev.value || 'traceID' in ev.value))
          this.closeTrace(ev.value, where(ev.path));
        break;
      case 'end':
        this.checkRoot(ev.value, true);
        break;
      case 'error':
        this.fileDiag({
          code: 'jaeger-malformed',
          severity: 'error',
          message: `the Jaeger JSON is malformed at byte ${ev.offset}: ${ev.message}`,
        });
        this.flushPending();
        break;
    }
  }

  /** Reads a whole parsed value (a backend answer). */
  readValue(v: unknown): void {
    if (Array.isArray(v)) v.forEach((t, i) => this.readTrace(t, `[${i}]`));
    else if (isObject(v) && Array.isArray(v.data)) v.data.forEach((t, i) => this.readTrace(t, `data[${i}]`));
    else if (isObject(v) && ('spans' in v || 'traceID' in v)) this.readTrace(v, 'the trace');
    this.checkRoot(v, false);
  }

  get spansRead(): number {
    return this.count;
  }
  /** How many trace objects have closed (their spans are all in the collector). */
  get tracesClosed(): number {
    return this.closed;
  }

  private readTrace(t: unknown, at: string): void {
    if (!isObject(t)) {
      this.fileDiag({
        code: 'jaeger-malformed',
        severity: 'warning',
        message: `${at} is ${describe(t)}, not a trace object; it was skipped`,
      });
      return;
    }
    if (Array.isArray(t.spans)) t.spans.forEach((s, i) => this.addSpan(s, t, `${at}.spans[${i}]`));
    this.closeTrace(t, at);
  }

  private addSpan(raw: unknown, owner: Record<string, unknown>, at: string): void {
    const traceGuess = (isObject(raw) ? idString(raw.traceID) : undefined) ?? idString(owner.traceID);
    const p = jaegerSpan(raw, at, idString(owner.traceID), this.origin, (d) => this.out.diag(traceGuess, d));
    if (!p) return;
    this.count++;
    let list = this.pending.get(owner);
    if (!list) this.pending.set(owner, (list = []));
    list.push(p);
  }

  private closeTrace(owner: Record<string, unknown>, at: string): void {
    const list = this.pending.get(owner) ?? [];
    this.pending.delete(owner);
    this.closed++;
    const ownerId = idString(owner.traceID);
    if (!Array.isArray(owner.spans)) {
      this.out.diag(ownerId, {
        code: 'jaeger-malformed',
        severity: 'warning',
        message: `${at} has no spans list (found ${describe(owner.spans)})`,
      });
    }
    for (const p of list) {
      applyProcess(p, owner.processes, (d) => this.out.diag(p.traceId, d));
      this.out.add(p.traceId, p.span);
    }
    if (Array.isArray(owner.warnings) && ownerId !== undefined) {
      for (const w of owner.warnings)
        if (typeof w === 'string')
          this.out.diag(ownerId, { code: 'jaeger-warning', severity: 'info', message: `Jaeger: ${w}` });
    }
  }

  /** What the wrapper says beside the traces: Jaeger's `errors`, or a shape that is not Jaeger at all. */
  private checkRoot(v: unknown, streamed: boolean): void {
    if (isObject(v) && Array.isArray(v.errors)) {
      for (const e of v.errors) {
        const msg = isObject(e) ? `${e.code ?? ''} ${e.msg ?? e.message ?? ''}`.trim() : String(e);
        this.fileDiag({ code: 'jaeger-error', severity: 'warning', message: `Jaeger answered with an error: ${msg}` });
      }
    }
    const known =
      Array.isArray(v) || (isObject(v) && (Array.isArray(v.data) || 'spans' in v || 'traceID' in v || v.data === null));
    if (!known) {
      this.fileDiag({
        code: 'jaeger-malformed',
        severity: 'error',
        message: `this is not Jaeger JSON: expected {"data":[...]}, a trace object or a list of traces, found ${describe(v)}`,
      });
    }
    if (streamed) this.flushPending();
  }

  // A stream cut short leaves spans whose trace never closed: keep them (without processes) rather than lose them.
  private flushPending(): void {
    for (const [owner, list] of this.pending) {
      this.pending.delete(owner);
      for (const p of list) {
        applyProcess(p, (owner as Record<string, unknown>).processes, (d) => this.out.diag(p.traceId, d));
        this.out.add(p.traceId, p.span);
      }
    }
  }

  private fileDiag(d: Diagnostic): void {
    this.out.diag(undefined, d);
  }
}

function where(path: PathSeg[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || 'the top level';
}

/** A whole Jaeger answer (e.g. an HTTP body) to spans; malformed bodies give diagnostics, never a throw. */
export function readJaegerBody(
  body: Uint8Array,
  origin: SpanOrigin = 'jaeger',
): { collector: TraceCollector; spans: number } {
  const out = new TraceCollector();
  const reader = new JaegerReader(out, origin);
  for (const ev of scanJson(body, JAEGER_PATTERNS)) reader.onEvent(ev);
  return { collector: out, spans: reader.spansRead };
}

export function jaegerToSpanBatch(body: Uint8Array, origin: SpanOrigin = 'jaeger'): SpanBatch {
  const { collector } = readJaegerBody(body, origin);
  const traces = collector.drain();
  return {
    spans: traces.flatMap((t) => t.spans),
    diagnostics: [...collector.diagnostics, ...traces.flatMap((t) => t.diagnostics)],
  };
}
