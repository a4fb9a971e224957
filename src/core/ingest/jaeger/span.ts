// One Jaeger UI-API span ({traceID, spanID, operationName, references, startTime, duration, tags, logs, processID})
// to a model span. The process (service and its tags) is filled in later, when the trace's `processes` is known.
import type { Attributes, Diagnostic, Span, SpanKind, SpanLink, SpanOrigin, SpanStatus } from '../../trace/model';
import { guessLayer, isLayer, explicitLayer } from '../../io/group';
import { describe, idString, isObject, microsToNano } from '../../io/values';
import { readTags } from './tags';

export interface PendingSpan {
  traceId: string;
  span: Span;
  processID?: string;
  process?: Record<string, unknown>;
}

const KINDS: Record<string, SpanKind> = {
  client: 'client',
  server: 'server',
  producer: 'producer',
  consumer: 'consumer',
  internal: 'internal',
};

/** Converts one raw span; returns undefined (with a diagnostic) only for values that are not span objects at all. */
export function jaegerSpan(
  raw: unknown,
  where: string,
  fallbackTraceId: string | undefined,
  origin: SpanOrigin,
  diag: (d: Diagnostic) => void,
): PendingSpan | undefined {
  if (!isObject(raw)) {
    diag({
      code: 'jaeger-bad-span',
      severity: 'warning',
      message: `${where} is ${describe(raw)}, not a span object; it was skipped`,
    });
    return undefined;
  }
  const traceId = idString(raw.traceID) ?? fallbackTraceId ?? '';
  let spanId = idString(raw.spanID);
  if (spanId === undefined) {
    spanId = `missing-span-id-${where}`;
    diag({
      code: 'jaeger-missing-span-id',
      severity: 'warning',
      message: `${where} has no spanID; it is kept as "${spanId}"`,
      spanId,
    });
  }
  const start = microsToNano(raw.startTime);
  if (start === undefined)
    diag({
      code: 'jaeger-bad-time',
      severity: 'warning',
      message: `span ${spanId} has no valid startTime (${describe(raw.startTime)}); it is placed at 0`,
      spanId,
    });
  const dur = raw.duration === undefined ? '0' : microsToNano(raw.duration);
  if (dur === undefined)
    diag({
      code: 'jaeger-bad-time',
      severity: 'warning',
      message: `span ${spanId} has an invalid duration (${describe(raw.duration)}); it is taken as 0`,
      spanId,
    });
  const startNs = start ?? '0';
  const endNs = (BigInt(startNs) + BigInt(dur ?? '0')).toString();

  const attributes: Attributes = {};
  if (readTags(raw.tags, attributes))
    diag({
      code: 'jaeger-bad-tag',
      severity: 'info',
      message: `span ${spanId} has tags that are not {key, type, value}; they were skipped`,
      spanId,
    });
  const { kind, status, layer } = takeSpecialTags(attributes);

  const span: Span = {
    spanId,
    name: typeof raw.operationName === 'string' ? raw.operationName : String(raw.operationName ?? ''),
    service: 'unknown',
    layer: layer ?? 'app',
    kind,
    startTimeUnixNano: startNs,
    endTimeUnixNano: endNs,
    status,
    attributes,
    events: readLogs(raw.logs, spanId, diag),
    links: [],
    origin,
  };
  if (layer) explicitLayer.add(span);
  readReferences(raw.references, span, traceId, diag);
  if (Array.isArray(raw.warnings)) {
    for (const w of raw.warnings)
      if (typeof w === 'string') diag({ code: 'jaeger-warning', severity: 'info', message: `Jaeger: ${w}`, spanId });
  }
  return {
    traceId,
    span,
    processID: idString(raw.processID),
    process: isObject(raw.process) ? raw.process : undefined,
  };
}

/** Tags that Jaeger uses for what the model has fields for; they move into those fields. */
function takeSpanKind(attributes: Attributes): SpanKind {
  const v = attributes['span.kind'];
  if (typeof v === 'string' && KINDS[v.toLowerCase()]) {
    delete attributes['span.kind'];
    return KINDS[v.toLowerCase()];
  }
  return 'internal';
}

function takeSpecialTags(attributes: Attributes): { kind: SpanKind; status: SpanStatus; layer?: Span['layer'] } {
  const kind = takeSpanKind(attributes);
  let status: SpanStatus = 'unset';
  const code = attributes['otel.status_code'];
  if (typeof code === 'string' && /^(ok|error)$/i.test(code)) {
    status = code.toLowerCase() as SpanStatus;
    delete attributes['otel.status_code'];
  }
  const err = attributes.error;
  if (err === true || err === 'true') {
    status = 'error';
    delete attributes.error;
  }
  const layerTag = attributes['kubetrace.layer'];
  let layer: Span['layer'] | undefined;
  if (isLayer(layerTag)) {
    layer = layerTag;
    delete attributes['kubetrace.layer'];
  }
  return { kind, status, layer };
}

function readLogs(logs: unknown, spanId: string, diag: (d: Diagnostic) => void): Span['events'] {
  if (!Array.isArray(logs)) return [];
  const out: Span['events'] = [];
  for (const log of logs) {
    const time = isObject(log) ? microsToNano(log.timestamp) : undefined;
    if (!isObject(log) || time === undefined) {
      diag({
        code: 'jaeger-bad-log',
        severity: 'info',
        message: `span ${spanId} has a log entry without a valid timestamp; it was skipped`,
        spanId,
      });
      continue;
    }
    const attributes: Attributes = {};
    readTags(log.fields, attributes);
    let name = 'log';
    // OTel span events reach Jaeger as logs whose `event` field holds the event name.
    if (typeof attributes.event === 'string') {
      name = attributes.event;
      delete attributes.event;
    }
    out.push({ timeUnixNano: time, name, attributes });
  }
  return out;
}

// CHILD_OF (or, failing that, FOLLOWS_FROM) in the same trace is the parent, as Jaeger's own model picks it.
// Every other reference is kept as a link; a FOLLOWS_FROM parent is also a link, so the relation survives.
function readReferences(refs: unknown, span: Span, traceId: string, diag: (d: Diagnostic) => void): void {
  if (refs === undefined || refs === null) return;
  if (!Array.isArray(refs)) {
    diag({
      code: 'jaeger-bad-reference',
      severity: 'warning',
      message: `span ${span.spanId} has references that are not a list`,
      spanId: span.spanId,
    });
    return;
  }
  const parsed: { type: string; traceId: string; spanId: string }[] = [];
  for (const r of refs) {
    const sid = isObject(r) ? idString(r.spanID) : undefined;
    if (!isObject(r) || sid === undefined) {
      diag({
        code: 'jaeger-bad-reference',
        severity: 'warning',
        message: `span ${span.spanId} has a reference without a spanID; it was skipped`,
        spanId: span.spanId,
      });
      continue;
    }
    const type = typeof r.refType === 'string' ? r.refType.toUpperCase() : 'CHILD_OF';
    parsed.push({ type, traceId: idString(r.traceID) ?? traceId, spanId: sid });
  }
  const same = (p: { traceId: string }) => p.traceId === traceId;
  const parent =
    parsed.find((p) => same(p) && p.type === 'CHILD_OF') ?? parsed.find((p) => same(p) && p.type === 'FOLLOWS_FROM');
  if (parent) span.parentSpanId = parent.spanId;
  for (const p of parsed) {
    if (p === parent && p.type === 'CHILD_OF') continue;
    const link: SpanLink = { traceId: p.traceId, spanId: p.spanId };
    if (p.type !== 'FOLLOWS_FROM') link.attributes = { 'jaeger.ref_type': p.type };
    span.links.push(link);
    if (!same(p)) {
      diag({
        code: 'reference-other-trace',
        severity: 'info',
        spanId: span.spanId,
        message: `span ${span.spanId} references span ${p.spanId} of another trace (${p.traceId}); kept as a link`,
      });
    }
  }
}

/** Fills service, process tags and layer once the trace's processes are known. Span tags win over process tags. */
export function applyProcess(p: PendingSpan, processes: unknown, diag: (d: Diagnostic) => void): void {
  const proc =
    p.process ??
    (p.processID !== undefined && isObject(processes) && isObject(processes[p.processID])
      ? (processes[p.processID] as Record<string, unknown>)
      : undefined);
  const { span } = p;
  if (!proc) {
    if (p.processID !== undefined || p.process !== undefined) {
      diag({
        code: 'jaeger-missing-process',
        severity: 'warning',
        spanId: span.spanId,
        message: `span ${span.spanId} names process "${p.processID}", which the trace does not list; its service is "unknown"`,
      });
    }
  } else {
    if (typeof proc.serviceName === 'string') span.service = proc.serviceName;
    const resource: Attributes = {};
    readTags(proc.tags, resource);
    for (const [k, v] of Object.entries(resource)) if (!(k in span.attributes)) span.attributes[k] = v;
  }
  if (!explicitLayer.has(span)) span.layer = guessLayer(span.service, span.name, span.kind, span.attributes);
}
