// OTLP protobuf <-> the canonical OTLP/JSON shapes (types.ts). Decoding is in decode.ts (a direct pass over
// protobufjs's Reader); encoding uses the reflected types of schema.ts.
import type { OtlpAnyValue, OtlpKeyValue, OtlpResourceSpans } from './types';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from './schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- decoded protobufjs messages are untyped */
type Msg = any;
interface LongBits {
  low: number;
  high: number;
}
type Int64 = LongBits | number;

export { decodeOtlpProtobuf, decodeOtlpSpanBytes, type DecodeResult } from './decode';
export { uint64ToDecimal } from './int64';

/** Signed 64-bit (a protobufjs Long) to a decimal string. */
function i64(v: Int64): string {
  if (typeof v === 'number') return String(v);
  return BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)).toString();
}

// ---- encoding (tests, bench, Tempo-style protobuf answers) ----

/** Encodes canonical resourceSpans as an ExportTraceServiceRequest. Ids that are not hex are sent as their UTF-8 bytes. */
export function encodeOtlpProtobuf(resourceSpans: OtlpResourceSpans[]): Uint8Array {
  const msg = {
    resourceSpans: resourceSpans.map((rs) => ({
      resource: rs.resource && {
        attributes: (rs.resource.attributes ?? []).map(encodeKv),
        droppedAttributesCount: rs.resource.droppedAttributesCount,
      },
      schemaUrl: rs.schemaUrl,
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: ss.scope && { ...ss.scope, attributes: (ss.scope.attributes ?? []).map(encodeKv) },
        schemaUrl: ss.schemaUrl,
        spans: ss.spans.map((s) => ({
          traceId: idBytes(s.traceId),
          spanId: idBytes(s.spanId),
          parentSpanId: s.parentSpanId ? idBytes(s.parentSpanId) : undefined,
          traceState: s.traceState,
          flags: s.flags,
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: s.startTimeUnixNano,
          endTimeUnixNano: s.endTimeUnixNano,
          attributes: (s.attributes ?? []).map(encodeKv),
          droppedAttributesCount: s.droppedAttributesCount,
          events: (s.events ?? []).map((e) => ({
            timeUnixNano: e.timeUnixNano,
            name: e.name,
            attributes: (e.attributes ?? []).map(encodeKv),
            droppedAttributesCount: e.droppedAttributesCount,
          })),
          droppedEventsCount: s.droppedEventsCount,
          links: (s.links ?? []).map((l) => ({
            traceId: idBytes(l.traceId),
            spanId: idBytes(l.spanId),
            traceState: l.traceState,
            attributes: (l.attributes ?? []).map(encodeKv),
            droppedAttributesCount: l.droppedAttributesCount,
            flags: l.flags,
          })),
          droppedLinksCount: s.droppedLinksCount,
          status: s.status,
        })),
      })),
    })),
  };
  return ExportTraceServiceRequest.encode(msg).finish();
}

function encodeKv(kv: OtlpKeyValue): Msg {
  return { key: kv.key, value: kv.value ? encodeValue(kv.value) : undefined };
}

function encodeValue(v: OtlpAnyValue): Msg {
  if (v.stringValue !== undefined) return { stringValue: v.stringValue };
  if (v.boolValue !== undefined) return { boolValue: v.boolValue };
  if (v.intValue !== undefined) return { intValue: v.intValue };
  if (v.doubleValue !== undefined) return { doubleValue: v.doubleValue };
  if (v.bytesValue !== undefined) return { bytesValue: Buffer.from(v.bytesValue, 'base64') };
  if (v.arrayValue) return { arrayValue: { values: v.arrayValue.values.map(encodeValue) } };
  if (v.kvlistValue) return { kvlistValue: { values: v.kvlistValue.values.map(encodeKv) } };
  return {};
}

function idBytes(id: string): Buffer {
  return /^(?:[0-9a-fA-F]{2})+$/.test(id) ? Buffer.from(id, 'hex') : Buffer.from(id, 'utf8');
}

/** The OTLP/HTTP success body for protobuf requests; empty when nothing was rejected. */
export function encodeExportResponse(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  return ExportTraceServiceResponse.encode(partial ? { partialSuccess: partial } : {}).finish();
}

export function decodeExportResponse(buf: Uint8Array): {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
} {
  const m: Msg = ExportTraceServiceResponse.decode(buf);
  if (!m.partialSuccess) return {};
  return {
    partialSuccess: { rejectedSpans: i64(m.partialSuccess.rejectedSpans), errorMessage: m.partialSuccess.errorMessage },
  };
}

/** google.rpc.Status in protobuf, the OTLP/HTTP error body for protobuf requests. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode({ code, message }).finish();
}

export function decodeRpcStatus(buf: Uint8Array): { code: number; message: string } {
  const m: Msg = RpcStatus.decode(buf);
  return { code: m.code, message: m.message };
}
