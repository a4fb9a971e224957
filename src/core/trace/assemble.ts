// Builds one Trace from every source's spans: de-duplicate, give each span its layer, hang the app's
// server span under the nginx attempt that called it, attach orphans, correct clock skew, find the critical path.
import type { Diagnostic, Layer, Span, SpanBatch, Trace } from './model';
import { criticalPath } from './critical-path';
import { mergeIngressSpans } from './ingress-otel';
import { correctClockSkew } from './skew';
import { end, indexSpans, start } from './span-index';

export interface AssembleOptions {
  traceId: string;
  /** The client root span ("probe") when the trace comes from a probe. */
  rootSpanId?: string;
  /** Extra diagnostics from collection (missing layers, unreachable sources ...). */
  diagnostics?: Diagnostic[];
}

const ORIGIN_RANK: Record<Span['origin'], number> = {
  otlp: 9,
  jaeger: 8,
  tempo: 8,
  zipkin: 7,
  probe: 6,
  'nginx-log': 5,
  'nginx-debug': 4,
  'app-log': 2,
  import: 1,
};

export function assemble(results: SpanBatch[], opts: AssembleOptions): Trace {
  const diagnostics: Diagnostic[] = [...(opts.diagnostics ?? [])];
  const spans = mergeIngressSpans(dedupe(results.flatMap((r) => r.spans)));
  for (const r of results) diagnostics.push(...r.diagnostics);
  assignLayers(spans);
  attachAppToIngress(spans);
  attachOrphans(spans, opts.rootSpanId, diagnostics);
  diagnostics.push(...correctClockSkew(spans));
  spans.sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0));
  const path = criticalPath(spans, opts.rootSpanId);
  diagnostics.push(...path.diagnostics);
  return {
    traceId: opts.traceId,
    spans,
    criticalPath: path.sections,
    diagnostics: uniqueDiagnostics(diagnostics),
  };
}

/** Two sources may report one span (a store polled twice, Zipkin halves): keep the richer, merge attributes and events. */
function dedupe(spans: Span[]): Span[] {
  const byId = new Map<string, Span>();
  for (const s of spans) {
    const prev = byId.get(s.spanId);
    if (!prev) {
      byId.set(s.spanId, { ...s, attributes: { ...s.attributes }, events: [...s.events] });
      continue;
    }
    const [keep, other] =
      ORIGIN_RANK[s.origin] > ORIGIN_RANK[prev.origin]
        ? [{ ...s, attributes: { ...s.attributes }, events: [...s.events] }, prev]
        : [prev, s];
    keep.attributes = { ...other.attributes, ...keep.attributes };
    const seen = new Set(keep.events.map((e) => `${e.timeUnixNano}|${e.name}`));
    for (const e of other.events) if (!seen.has(`${e.timeUnixNano}|${e.name}`)) keep.events.push(e);
    byId.set(s.spanId, keep);
  }
  return [...byId.values()];
}

/**
 * `app` is the service of the pod nginx proxied to: the service whose span is a child of a client or ingress span.
 * Whatever that service calls is `downstream`.
 */
function assignLayers(spans: Span[]): void {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const edge = (s: Span) => s.layer === 'client' || s.layer === 'ingress';
  const appServices = new Set<string>();
  for (const s of spans) {
    if (edge(s)) continue;
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    if (p && edge(p)) appServices.add(s.service);
    if (s.attributes['kubetrace.app'] === true) appServices.add(s.service);
  }
  for (const s of spans) {
    if (edge(s)) continue;
    const layer: Layer = appServices.size === 0 || appServices.has(s.service) ? 'app' : 'downstream';
    s.layer = layer;
  }
}

/**
 * The app's server span carries the probe's span as parent (nginx forwards traceparent untouched), or the proxy's own
 * traced span; show it under nginx's attempt.
 */
function attachAppToIngress(spans: Span[]): void {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const attempts = spans.filter((s) => s.name === 'upstream.attempt').sort((a, b) => (start(a) < start(b) ? -1 : 1));
  if (!attempts.length) return;
  for (const s of spans) {
    if (s.layer !== 'app') continue;
    const p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    // Under the probe (nginx passed traceparent on), or under a proxy's own traced span: either way the attempt
    // that forwarded the request is the closer parent.
    if (p && p.layer !== 'client' && !(p.layer === 'ingress' && p.kind === 'server')) continue;
    const holder = attempts.find((a) => start(a) <= start(s) && end(s) <= end(a)) ?? attempts[attempts.length - 1];
    if (s.parentSpanId) s.attributes['kubetrace.parent.original'] = s.parentSpanId;
    s.parentSpanId = holder.spanId;
  }
}

function attachOrphans(spans: Span[], rootSpanId: string | undefined, diagnostics: Diagnostic[]): void {
  const tree = indexSpans(spans);
  const root = rootSpanId ? tree.byId.get(rootSpanId) : undefined;
  if (!root) return;
  const firstOf = (layer: Layer) =>
    spans.find(
      (s) =>
        s.layer === layer && s !== root && (!s.parentSpanId || tree.byId.has(s.parentSpanId)) && s.kind === 'server',
    );
  for (const s of tree.roots) {
    if (s === root) continue;
    const holder =
      s.layer === 'downstream'
        ? (firstOf('app') ?? firstOf('ingress'))
        : s.layer === 'app'
          ? firstOf('ingress')
          : undefined;
    const parent = holder && holder !== s ? holder : root;
    if (s.parentSpanId) {
      s.attributes['kubetrace.parent.original'] = s.parentSpanId;
      diagnostics.push({
        code: 'orphan-span',
        severity: 'info',
        spanId: s.spanId,
        message: `${s.service} "${s.name}" names a parent span that never arrived; it is shown under ${parent.service} "${parent.name}"`,
      });
    }
    s.parentSpanId = parent.spanId;
  }
}

function uniqueDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.code}|${d.spanId ?? ''}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
