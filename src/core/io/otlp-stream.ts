// OTLP-shaped JSON (OTLP files, the OTel collector's JSON-lines file exporter, Tempo's `batches`, Jaeger api_v3's
// `{"result": ...}`) read span by span. Spans are gathered in small batches and handed to the OTLP decoder
// (sources/otlp) once their resource and scope are known, so a 100,000-span file never becomes one string.
import type { Diagnostic, SpanOrigin } from '../trace/model';
import { normalizeOtlpJson } from '../ingest/otlp/normalize';
import { otlpToTracedSpans } from '../ingest/otlp/to-model';
import { explicitLayer, type TraceCollector } from './group';
import type { JsonEvent, Pattern, PatternSeg } from './json-stream';
import { describe, isObject } from './values';

const RS: PatternSeg = ['resourceSpans', 'resource_spans', 'batches'];
const SS: PatternSeg = ['scopeSpans', 'scope_spans', 'instrumentationLibrarySpans', 'instrumentation_library_spans'];
const SPANS: Pattern = [RS, '*', SS, '*', ['spans'], '*'];
export const OTLP_PATTERNS: Pattern[] = [SPANS, [['result'], ...SPANS], [['trace'], ...SPANS]];

const BATCH = 512;
type Obj = Record<string, unknown>;
interface Pending {
  rs: Obj;
  ss: Obj;
  spans: unknown[];
}

export class OtlpStreamReader {
  private readonly pending = new Map<Obj, Pending>(); // by scopeSpans object
  private count = 0;
  private roots = 0;

  constructor(
    readonly out: TraceCollector,
    private readonly origin: SpanOrigin = 'otlp',
  ) {}

  get spansRead(): number {
    return this.count;
  }

  onEvent(ev: JsonEvent): void {
    switch (ev.type) {
      case 'element': {
        const n = ev.parents.length;
        const ss = ev.parents[n - 2];
        const rs = ev.parents[n - 4];
        if (!isObject(ss) || !isObject(rs)) return;
        let p = this.pending.get(ss);
        if (!p) this.pending.set(ss, (p = { rs, ss, spans: [] }));
        p.spans.push(ev.value);
        // Resource and scope usually come before the spans; when they do, decode as we go.
        if (p.spans.length >= BATCH && 'resource' in rs && hasScope(ss)) this.flush(p);
        break;
      }
      case 'stray':
        this.diag({
          code: 'otlp-malformed',
          severity: 'warning',
          message: `${ev.path.join('.')} is ${describe(ev.value)}, not an object; it was skipped`,
        });
        break;
      case 'close':
        if (!isObject(ev.value)) break;
        if (this.pending.has(ev.value) && 'resource' in (this.pending.get(ev.value) as Pending).rs)
          this.flush(this.pending.get(ev.value) as Pending);
        // A resource that came after its spans: everything under it can go now.
        for (const p of this.pending.values()) if (p.rs === ev.value) this.flush(p);
        break;
      case 'end':
        this.roots++;
        this.flushAll();
        this.checkRoot(ev.value);
        break;
      case 'error':
        this.flushAll();
        this.diag({
          code: 'otlp-malformed',
          severity: 'error',
          message: `the OTLP JSON is malformed at byte ${ev.offset}: ${ev.message}`,
        });
        break;
    }
  }

  /**
   * A whole answer already parsed, when it has the plain shape (`{"resourceSpans": [...]}`, or Jaeger api_v3's
   * `{"result": {"resourceSpans": [...]}}`, every resource an object with `scopeSpans` of objects with `spans` of
   * objects): decoded scope by scope as its events would be. False, with nothing read, for any other shape; the
   * caller then scans it. A FindTraces answer scanned event by event took 40 to 200 ms of the burst's only thread.
   */
  readPlain(v: unknown): boolean {
    const keys = (o: Obj) => Object.keys(o).join(',');
    const top = isObject(v) && keys(v) === 'result' ? v.result : v;
    if (!isObject(top) || keys(top) !== 'resourceSpans' || !Array.isArray(top.resourceSpans)) return false;
    const scopes: [Obj, Obj, unknown[]][] = [];
    for (const rs of top.resourceSpans) {
      if (!isObject(rs) || !Array.isArray(rs.scopeSpans)) return false;
      if (Object.keys(rs).some((k) => !['resource', 'schemaUrl', 'scopeSpans'].includes(k))) return false;
      for (const ss of rs.scopeSpans) {
        if (!isObject(ss) || !Array.isArray(ss.spans) || !ss.spans.every(isObject)) return false;
        if ('instrumentationLibrary' in ss || 'instrumentation_library' in ss) return false;
        scopes.push([rs, ss, ss.spans]);
      }
    }
    this.roots++;
    for (const [rs, ss, spans] of scopes) if (spans.length) this.flush({ rs, ss, spans: [...spans] });
    return true;
  }

  /** Decodes a whole OTLP-like value (already parsed). */
  readValue(v: unknown): void {
    const norm = normalizeOtlpJson(v, { idEncoding: 'auto' });
    this.take(norm);
    if (!norm.recognized) this.notOtlp(v);
  }

  private flushAll(): void {
    for (const p of [...this.pending.values()]) this.flush(p);
  }

  private flush(p: Pending): void {
    if (!p.spans.length) {
      this.pending.delete(p.ss);
      return;
    }
    const ss: Obj = { ...p.ss, spans: p.spans };
    const rs: Obj = { resource: p.rs.resource, schemaUrl: p.rs.schemaUrl ?? p.rs.schema_url, scopeSpans: [ss] };
    const explicit = layeredIds(p.spans);
    p.spans = [];
    this.pending.delete(p.ss);
    this.take(normalizeOtlpJson({ resourceSpans: [rs] }, { idEncoding: 'auto' }), explicit);
  }

  private take(norm: ReturnType<typeof normalizeOtlpJson>, explicit?: Set<string>): void {
    const { items, diagnostics } = otlpToTracedSpans(norm.resourceSpans, this.origin);
    for (const { traceId, span } of items) {
      if (explicit?.has(span.spanId)) explicitLayer.add(span);
      this.out.add(traceId, span);
    }
    this.count += items.length;
    for (const d of diagnostics) if (d.code !== 'otlp-empty') this.diag(d);
    for (const problem of norm.problems) {
      if (/no resourceSpans|not a list|expected a JSON object/.test(problem)) continue; // reported by checkRoot
      this.diag({ code: 'otlp-problem', severity: /skipped/.test(problem) ? 'warning' : 'info', message: problem });
    }
  }

  private checkRoot(v: unknown): void {
    const top = isObject(v) && isObject(v.result) ? v.result : isObject(v) && isObject(v.trace) ? v.trace : v;
    if (
      isObject(top) &&
      (Array.isArray(top.resourceSpans) || Array.isArray(top.resource_spans) || Array.isArray(top.batches))
    )
      return;
    if (isObject(top) && Object.keys(top).length === 0) return;
    this.notOtlp(v);
  }

  private notOtlp(v: unknown): void {
    this.diag({
      code: 'otlp-malformed',
      severity: 'error',
      message:
        `this is not OTLP JSON: expected {"resourceSpans":[...]} (or "batches", or Jaeger's ` +
        `{"result":...}), found ${describe(v)}${this.roots > 1 ? ` in value #${this.roots}` : ''}`,
    });
  }

  private diag(d: Diagnostic): void {
    this.out.diag(undefined, d);
  }
}

/** Ids (as the decoder will write them) of spans that carry `kubetrace.layer`: their layer is a fact, not a guess. */
function layeredIds(spans: unknown[]): Set<string> {
  const out = new Set<string>();
  for (const s of spans) {
    if (!isObject(s) || !Array.isArray(s.attributes)) continue;
    if (!s.attributes.some((a) => isObject(a) && a.key === 'kubetrace.layer')) continue;
    const id = s.spanId ?? s.span_id;
    if (typeof id !== 'string') continue;
    out.add(id.toLowerCase());
    if (id.length === 12) out.add(Buffer.from(id, 'base64').toString('hex'));
  }
  return out;
}

function hasScope(ss: Obj): boolean {
  return 'scope' in ss || 'instrumentationLibrary' in ss || 'instrumentation_library' in ss;
}
