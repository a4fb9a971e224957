// Model traces to Jaeger UI-API JSON ({"data":[trace...]}), the form the Jaeger UI's "JSON file" upload and
// Grafana's Jaeger trace import open. Written a span at a time so big traces never become one string.
import type { Span, Trace } from '../../trace/model';
import { nanoToMicros } from '../../io/values';
import { toTag, type JaegerTag } from './tags';

interface JaegerRef {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export function jaegerSpanJson(span: Span, traceId: string, processID: string): Record<string, unknown> {
  const start = nanoToMicros(span.startTimeUnixNano);
  const tags: JaegerTag[] = Object.entries(span.attributes).map(([k, v]) => toTag(k, v));
  tags.push({ key: 'span.kind', type: 'string', value: span.kind });
  if (span.status === 'error') {
    tags.push({ key: 'error', type: 'bool', value: true }, { key: 'otel.status_code', type: 'string', value: 'ERROR' });
  } else if (span.status === 'ok') {
    tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
  }
  tags.push({ key: 'kubetrace.layer', type: 'string', value: span.layer });
  return {
    traceID: traceId,
    spanID: span.spanId,
    operationName: span.name,
    references: references(span, traceId),
    startTime: start,
    // Durations from truncated start and end, so the end time survives in whole microseconds too.
    duration: Math.max(0, nanoToMicros(span.endTimeUnixNano) - start),
    tags,
    logs: span.events.map((e) => ({
      timestamp: nanoToMicros(e.timeUnixNano),
      fields: [
        { key: 'event', type: 'string', value: e.name },
        ...Object.entries(e.attributes).map(([k, v]) => toTag(k, v)),
      ],
    })),
    processID,
    warnings: null,
    flags: 1,
  };
}

// The parent is CHILD_OF, unless a link to the same span says it was FOLLOWS_FROM (how the reader keeps it).
// Other links become FOLLOWS_FROM references, as the OTel Jaeger translator writes them.
function references(span: Span, traceId: string): JaegerRef[] {
  const refs: JaegerRef[] = [];
  let parentLinkUsed = false;
  if (span.parentSpanId !== undefined) {
    const follows = span.links.some(
      (l) => l.spanId === span.parentSpanId && l.traceId === traceId && refType(l.attributes) === 'FOLLOWS_FROM',
    );
    parentLinkUsed = follows;
    refs.push({ refType: follows ? 'FOLLOWS_FROM' : 'CHILD_OF', traceID: traceId, spanID: span.parentSpanId });
  }
  for (const l of span.links) {
    if (
      parentLinkUsed &&
      l.spanId === span.parentSpanId &&
      l.traceId === traceId &&
      refType(l.attributes) === 'FOLLOWS_FROM'
    ) {
      parentLinkUsed = false;
      continue;
    }
    refs.push({ refType: refType(l.attributes), traceID: l.traceId, spanID: l.spanId });
  }
  return refs;
}

function refType(attrs: Record<string, unknown> | undefined): 'CHILD_OF' | 'FOLLOWS_FROM' {
  return attrs?.['jaeger.ref_type'] === 'CHILD_OF' ? 'CHILD_OF' : 'FOLLOWS_FROM';
}

/** Writes one trace object of Jaeger's `data` list: spans first, then the processes they name. */
export function writeJaegerTrace(trace: Trace, write: (s: string) => void): void {
  const processIds = new Map<string, string>();
  for (const s of trace.spans) if (!processIds.has(s.service)) processIds.set(s.service, `p${processIds.size + 1}`);
  write(`{"traceID":${JSON.stringify(trace.traceId)},"spans":[`);
  trace.spans.forEach((s, i) =>
    write((i ? ',\n' : '\n') + JSON.stringify(jaegerSpanJson(s, trace.traceId, processIds.get(s.service) as string))),
  );
  const processes: Record<string, { serviceName: string; tags: JaegerTag[] }> = {};
  for (const [service, id] of processIds) processes[id] = { serviceName: service, tags: [] };
  write(`],"processes":${JSON.stringify(processes)},"warnings":null}`);
}

export function writeJaegerJson(traces: Iterable<Trace>, write: (s: string) => void): void {
  write('{"data":[');
  let n = 0;
  for (const t of traces) {
    write(n++ ? ',\n' : '\n');
    writeJaegerTrace(t, write);
  }
  write('],"total":0,"limit":0,"offset":0,"errors":null}\n');
}
