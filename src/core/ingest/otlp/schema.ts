// The OTLP trace messages as a protobufjs JSON descriptor. Field numbers follow opentelemetry-proto
// (opentelemetry/proto/{collector/trace,trace,common,resource}/v1/*.proto); field names are the
// lowerCamelCase JSON names so decoded messages already carry the OTLP/JSON keys.
// Kept in code rather than .proto files so the bundle needs no file access at run time.
import protobuf from 'protobufjs';

const rep = (type: string, id: number) => ({ rule: 'repeated', type, id });
const one = (type: string, id: number) => ({ type, id });

const descriptor = {
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: rep('ResourceSpans', 1) } },
    ExportTraceServiceResponse: { fields: { partialSuccess: one('ExportTracePartialSuccess', 1) } },
    ExportTracePartialSuccess: { fields: { rejectedSpans: one('int64', 1), errorMessage: one('string', 2) } },
    ResourceSpans: {
      fields: {
        resource: one('Resource', 1),
        scopeSpans: rep('ScopeSpans', 2),
        schemaUrl: one('string', 3),
        // Removed from the current proto (now `reserved 1000`) but still sent by old SDKs.
        instrumentationLibrarySpans: rep('InstrumentationLibrarySpans', 1000),
      },
    },
    ScopeSpans: {
      fields: { scope: one('InstrumentationScope', 1), spans: rep('Span', 2), schemaUrl: one('string', 3) },
    },
    InstrumentationLibrarySpans: {
      fields: {
        instrumentationLibrary: one('InstrumentationLibrary', 1),
        spans: rep('Span', 2),
        schemaUrl: one('string', 3),
      },
    },
    InstrumentationLibrary: { fields: { name: one('string', 1), version: one('string', 2) } },
    InstrumentationScope: {
      fields: {
        name: one('string', 1),
        version: one('string', 2),
        attributes: rep('KeyValue', 3),
        droppedAttributesCount: one('uint32', 4),
      },
    },
    Resource: { fields: { attributes: rep('KeyValue', 1), droppedAttributesCount: one('uint32', 2) } },
    Span: {
      fields: {
        traceId: one('bytes', 1),
        spanId: one('bytes', 2),
        traceState: one('string', 3),
        parentSpanId: one('bytes', 4),
        name: one('string', 5),
        kind: one('int32', 6), // enum SpanKind; int32 has the same varint encoding and keeps unknown values
        startTimeUnixNano: one('fixed64', 7),
        endTimeUnixNano: one('fixed64', 8),
        attributes: rep('KeyValue', 9),
        droppedAttributesCount: one('uint32', 10),
        events: rep('Event', 11),
        droppedEventsCount: one('uint32', 12),
        links: rep('Link', 13),
        droppedLinksCount: one('uint32', 14),
        status: one('Status', 15),
        flags: one('fixed32', 16),
      },
    },
    Event: {
      fields: {
        timeUnixNano: one('fixed64', 1),
        name: one('string', 2),
        attributes: rep('KeyValue', 3),
        droppedAttributesCount: one('uint32', 4),
      },
    },
    Link: {
      fields: {
        traceId: one('bytes', 1),
        spanId: one('bytes', 2),
        traceState: one('string', 3),
        attributes: rep('KeyValue', 4),
        droppedAttributesCount: one('uint32', 5),
        flags: one('fixed32', 6),
      },
    },
    // Field 1 was `deprecated_code` before OTLP 0.9 (now reserved); still read for old senders.
    Status: { fields: { deprecatedCode: one('int32', 1), message: one('string', 2), code: one('int32', 3) } },
    KeyValue: { fields: { key: one('string', 1), value: one('AnyValue', 2) } },
    AnyValue: {
      oneofs: {
        value: {
          oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
        },
      },
      fields: {
        stringValue: one('string', 1),
        boolValue: one('bool', 2),
        intValue: one('int64', 3),
        doubleValue: one('double', 4),
        arrayValue: one('ArrayValue', 5),
        kvlistValue: one('KeyValueList', 6),
        bytesValue: one('bytes', 7),
      },
    },
    ArrayValue: { fields: { values: rep('AnyValue', 1) } },
    KeyValueList: { fields: { values: rep('KeyValue', 1) } },
    // google.rpc.Status, the OTLP/HTTP error body (details omitted: we never send any).
    RpcStatus: { fields: { code: one('int32', 1), message: one('string', 2) } },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ExportTraceServiceRequest = root.lookupType('ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('RpcStatus');
