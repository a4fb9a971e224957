// Canonical OTLP <-> the Kubetrace trace model (src/core/trace/model.ts).
import type {
  AttributeValue,
  Attributes,
  Diagnostic,
  Layer,
  SpanBatch,
  Span,
  SpanKind,
  SpanOrigin,
  SpanStatus,
  Trace,
} from '../../trace/model';
import type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanKind,
  OtlpStatusCode,
} from './types';
import { LAYERS, isOneOf } from '../../../protocol/vocabulary';

const KINDS: SpanKind[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NUMBERS: Record<SpanKind, OtlpSpanKind> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUSES: SpanStatus[] = ['unset', 'ok', 'error'];

// Attribute names that carry OTLP fields the model has no slot for; Jaeger uses the same names.
const SCOPE_NAME = 'otel.scope.name';
const SCOPE_VERSION = 'otel.scope.version';
const STATUS_MESSAGE = 'otel.status_description';
// Written by spansToOtlp so an exported trace re-imports with its layers; consumed on read.
const LAYER_ATTR = 'kubetrace.layer';

export function otlpToSpans(resourceSpans: OtlpResourceSpans[], origin: SpanOrigin): SpanBatch {
  const { items, diagnostics } = otlpToTracedSpans(resourceSpans, origin);
  return { spans: items.map((i) => i.span), diagnostics };
}

/** Like otlpToSpans, with each span's trace id (the model's Span has none; a file may hold many traces). */
export function otlpToTracedSpans(
  resourceSpans: OtlpResourceSpans[],
  origin: SpanOrigin,
): { items: { traceId: string; span: Span }[]; diagnostics: Diagnostic[] } {
  const items: { traceId: string; span: Span }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const rs of resourceSpans) {
    const resAttrs = flattenAttributes(rs.resource?.attributes);
    const svc = resAttrs['service.name'];
    const service = typeof svc === 'string' && svc ? svc : 'unknown_service';
    const fromResource: Attributes = {};
    if (typeof resAttrs['k8s.pod.name'] === 'string') fromResource['kubetrace.pod'] = resAttrs['k8s.pod.name'];
    if (typeof resAttrs['k8s.node.name'] === 'string') fromResource['kubetrace.node'] = resAttrs['k8s.node.name'];
    for (const ss of rs.scopeSpans) {
      const scope: Attributes = {};
      if (ss.scope?.name) scope[SCOPE_NAME] = ss.scope.name;
      if (ss.scope?.version) scope[SCOPE_VERSION] = ss.scope.version;
      for (const s of ss.spans)
        items.push({ traceId: s.traceId, span: toSpan(s, service, { ...fromResource, ...scope }, origin) });
    }
  }
  if (!items.length && resourceSpans.length) {
    diagnostics.push({ code: 'otlp-empty', severity: 'info', message: 'the OTLP data holds no spans' });
  }
  return { items, diagnostics };
}

function toSpan(s: OtlpSpan, service: string, extra: Attributes, origin: SpanOrigin): Span {
  const attributes: Attributes = { ...extra, ...flattenAttributes(s.attributes) };
  let layer: Layer = 'app';
  const l = attributes[LAYER_ATTR];
  if (isOneOf(LAYERS, l)) layer = l;
  delete attributes[LAYER_ATTR];
  if (s.status?.message) attributes[STATUS_MESSAGE] = s.status.message;
  const span: Span = {
    spanId: s.spanId,
    name: s.name,
    service,
    layer,
    kind: KINDS[s.kind ?? 0] ?? 'internal',
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    status: STATUSES[s.status?.code ?? 0] ?? 'unset',
    attributes,
    // Event and link attributes are free-form in the model, so structured values stay structured there.
    events: (s.events ?? []).map((e) => ({
      timeUnixNano: e.timeUnixNano,
      name: e.name,
      attributes: plainAttributes(e.attributes),
    })),
    links: (s.links ?? []).map((l2) => {
      const link: Span['links'][number] = { traceId: l2.traceId, spanId: l2.spanId };
      if (l2.attributes?.length) link.attributes = plainAttributes(l2.attributes);
      return link;
    }),
    origin,
  };
  if (s.parentSpanId) span.parentSpanId = s.parentSpanId;
  return span;
}

/** OTLP attributes to model attributes: scalars stay scalars, arrays become string[], kvlists JSON strings. */
export function flattenAttributes(kvs: OtlpKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  if (!kvs) return out;
  for (const kv of kvs) define(out, kv.key, flattenValue(kv.value));
  return out;
}

// Plain assignment of a key named "__proto__" would replace the object's prototype instead of adding the key.
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

function flattenValue(v: OtlpAnyValue | undefined): AttributeValue {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if (v.doubleValue !== undefined) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue)
    return v.arrayValue.values.map((x) => {
      const f = plain(x);
      return typeof f === 'string' ? f : JSON.stringify(f);
    });
  if (v.kvlistValue) return JSON.stringify(plain(v));
  return '';
}

function plainAttributes(kvs: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) define(out, kv.key, plain(kv.value));
  return out;
}

/** An AnyValue as plain JSON (kvlists as objects); used inside arrays and kvlists. */
function plain(v: OtlpAnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue;
  }
  if (v.doubleValue !== undefined) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return v.arrayValue.values.map(plain);
  if (v.kvlistValue) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)]));
  return null;
}

// ---- model -> OTLP (export) ----

/** Whole traces to OTLP: each trace's spans carry its id. */
export function tracesToOtlp(traces: Trace[]): OtlpResourceSpans[] {
  return traces.flatMap((t) => spansToOtlp(t.spans, t.traceId));
}

/**
 * Model spans to OTLP resourceSpans: one resource per service (with k8s.pod.name / k8s.node.name when the
 * spans carry kubetrace.pod / kubetrace.node), one scope per otel.scope.name. The model's spans have no
 * trace id, so pass the Trace's id (or use tracesToOtlp); without it traceId is "".
 */
export function spansToOtlp(spans: Span[], traceId = ''): OtlpResourceSpans[] {
  const resources = new Map<string, { rs: OtlpResourceSpans; scopes: Map<string, OtlpScopeSpans> }>();
  for (const span of spans) {
    const pod = span.attributes['kubetrace.pod'];
    const node = span.attributes['kubetrace.node'];
    const resKey = JSON.stringify([span.service, pod, node]);
    let res = resources.get(resKey);
    if (!res) {
      const attrs: OtlpKeyValue[] = [{ key: 'service.name', value: { stringValue: span.service } }];
      if (typeof pod === 'string') attrs.push({ key: 'k8s.pod.name', value: { stringValue: pod } });
      if (typeof node === 'string') attrs.push({ key: 'k8s.node.name', value: { stringValue: node } });
      res = { rs: { resource: { attributes: attrs }, scopeSpans: [] }, scopes: new Map() };
      resources.set(resKey, res);
    }
    const scopeName = typeof span.attributes[SCOPE_NAME] === 'string' ? (span.attributes[SCOPE_NAME] as string) : '';
    const scopeVersion =
      typeof span.attributes[SCOPE_VERSION] === 'string' ? (span.attributes[SCOPE_VERSION] as string) : '';
    const scopeKey = `${scopeName}\n${scopeVersion}`;
    let ss = res.scopes.get(scopeKey);
    if (!ss) {
      ss = { scope: {}, spans: [] };
      if (scopeName) ss.scope!.name = scopeName;
      if (scopeVersion) ss.scope!.version = scopeVersion;
      res.scopes.set(scopeKey, ss);
      res.rs.scopeSpans.push(ss);
    }
    ss.spans.push(fromSpan(span, traceId));
  }
  return [...resources.values()].map((r) => r.rs);
}

function fromSpan(span: Span, traceId: string): OtlpSpan {
  const attributes: OtlpKeyValue[] = [];
  let statusMessage: string | undefined;
  for (const [key, value] of Object.entries(span.attributes)) {
    if (key === SCOPE_NAME || key === SCOPE_VERSION) continue;
    if (key === STATUS_MESSAGE && typeof value === 'string') {
      statusMessage = value;
      continue;
    }
    attributes.push({ key, value: toAnyValue(value) });
  }
  attributes.push({ key: LAYER_ATTR, value: { stringValue: span.layer } });
  const out: OtlpSpan = {
    traceId,
    spanId: span.spanId,
    name: span.name,
    kind: KIND_NUMBERS[span.kind] ?? 1,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes,
  };
  if (span.parentSpanId) out.parentSpanId = span.parentSpanId;
  if (span.events.length) {
    out.events = span.events.map((e) => ({
      timeUnixNano: e.timeUnixNano,
      name: e.name,
      attributes: toKvs(e.attributes),
    }));
  }
  if (span.links.length) {
    out.links = span.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      ...(l.attributes ? { attributes: toKvs(l.attributes) } : {}),
    }));
  }
  const code = STATUSES.indexOf(span.status) as OtlpStatusCode;
  out.status = {};
  if (code > 0) out.status.code = code;
  if (statusMessage) out.status.message = statusMessage;
  return out;
}

function toKvs(attrs: Record<string, unknown>): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

export function toAnyValue(v: unknown, depth = 0): OtlpAnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (depth > 32 || v === null || v === undefined) return {};
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => toAnyValue(x, depth + 1)) } };
  if (typeof v === 'object')
    return { kvlistValue: { values: Object.entries(v).map(([key, x]) => ({ key, value: toAnyValue(x, depth + 1) })) } };
  return { stringValue: String(v) };
}
