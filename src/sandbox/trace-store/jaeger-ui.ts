// OTLP resourceSpans -> the JSON of Jaeger's classic UI API (`GET /api/traces/{id}`), following the mapping of
// Jaeger's OTLP translator: span kind, status and scope become tags, parents CHILD_OF references, links
// FOLLOWS_FROM references, events logs with an "event" field, one process per resource.
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans } from '../../core/ingest/otlp/types';
import { serviceName } from './store';

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64' | 'binary';
  value: string | number | boolean;
}
interface JaegerRef {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: JaegerRef[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings: string[] | null;
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

const KIND_TAGS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Jaeger prints trace ids without the high 64 bits when they are zero (model.TraceID.String). */
const jaegerTraceId = (hex: string): string => (/^0{16}[0-9a-f]{16}$/.test(hex) ? hex.slice(16) : hex);
const micros = (nanos: string): number => Number(BigInt(nanos) / 1000n);

export function toJaegerTrace(traceId: string, resourceSpans: OtlpResourceSpans[]): JaegerTrace {
  const processes: JaegerTrace['processes'] = {};
  const spans: JaegerSpan[] = [];
  resourceSpans.forEach((rs, i) => {
    const processID = `p${i + 1}`;
    processes[processID] = {
      serviceName: serviceName(rs.resource),
      tags: toTags((rs.resource?.attributes ?? []).filter((kv) => kv.key !== 'service.name')),
    };
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        const tags = toTags(s.attributes ?? []);
        if (ss.scope?.name) tags.push({ key: 'otel.scope.name', type: 'string', value: ss.scope.name });
        if (ss.scope?.version) tags.push({ key: 'otel.scope.version', type: 'string', value: ss.scope.version });
        const kind = KIND_TAGS[s.kind ?? 0];
        if (kind) tags.push({ key: 'span.kind', type: 'string', value: kind });
        if (s.status?.code === 1) tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
        if (s.status?.code === 2) {
          tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
          tags.push({ key: 'error', type: 'bool', value: true });
        }
        if (s.status?.message) tags.push({ key: 'otel.status_description', type: 'string', value: s.status.message });
        if (s.traceState) tags.push({ key: 'w3c.tracestate', type: 'string', value: s.traceState });
        const references: JaegerRef[] = [];
        if (s.parentSpanId)
          references.push({ refType: 'CHILD_OF', traceID: jaegerTraceId(s.traceId), spanID: s.parentSpanId });
        for (const l of s.links ?? [])
          references.push({ refType: 'FOLLOWS_FROM', traceID: jaegerTraceId(l.traceId), spanID: l.spanId });
        const start = BigInt(s.startTimeUnixNano);
        const end = BigInt(s.endTimeUnixNano);
        spans.push({
          traceID: jaegerTraceId(s.traceId),
          spanID: s.spanId,
          flags: s.flags ? s.flags & 0xff : 1,
          operationName: s.name,
          references,
          startTime: micros(s.startTimeUnixNano),
          duration: end > start ? Number((end - start) / 1000n) : 0,
          tags,
          logs: (s.events ?? []).map((e) => ({
            timestamp: micros(e.timeUnixNano),
            fields: [{ key: 'event', type: 'string', value: e.name }, ...toTags(e.attributes ?? [])],
          })),
          processID,
          warnings: null,
        });
      }
    }
  });
  return { traceID: jaegerTraceId(traceId), spans, processes, warnings: null };
}

function toTags(kvs: OtlpKeyValue[]): JaegerTag[] {
  return kvs.map((kv) => toTag(kv.key, kv.value ?? {}));
}

function toTag(key: string, v: OtlpAnyValue): JaegerTag {
  if (v.stringValue !== undefined) return { key, type: 'string', value: v.stringValue };
  if (v.boolValue !== undefined) return { key, type: 'bool', value: v.boolValue };
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return { key, type: 'int64', value: Number.isSafeInteger(n) ? n : v.intValue };
  }
  if (v.doubleValue !== undefined) return { key, type: 'float64', value: v.doubleValue };
  if (v.bytesValue !== undefined) return { key, type: 'binary', value: v.bytesValue };
  return { key, type: 'string', value: JSON.stringify(plain(v)) };
}

function plain(v: OtlpAnyValue | undefined): unknown {
  if (!v) return null;
  if (v.arrayValue) return v.arrayValue.values.map(plain);
  if (v.kvlistValue) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)]));
  return (
    v.stringValue ??
    v.boolValue ??
    (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
    v.doubleValue ??
    v.bytesValue ??
    null
  );
}
