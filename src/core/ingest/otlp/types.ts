// Canonical OTLP trace shapes, as OTLP/JSON writes them (opentelemetry-proto, trace/v1 + common/v1):
// lowerCamelCase keys, ids as lowercase hex (imports may keep other ids as given), int64 as decimal strings,
// enums as integers. Every decoder in this folder produces exactly these shapes, so consumers read one form.

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string; // int64 as a decimal string
  doubleValue?: number;
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  bytesValue?: string; // base64, as proto3 JSON writes bytes
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpResource {
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpInstrumentationScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

/** SpanKind numbers from trace.proto: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4 | 5;
/** StatusCode numbers from trace.proto: 0 unset, 1 ok, 2 error. */
export type OtlpStatusCode = 0 | 1 | 2;

export interface OtlpStatus {
  message?: string;
  code?: OtlpStatusCode;
}

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string; // absent (never all zeros) when the span is a root
  flags?: number;
  name: string;
  kind?: OtlpSpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: OtlpEvent[];
  droppedEventsCount?: number;
  links?: OtlpLink[];
  droppedLinksCount?: number;
  status?: OtlpStatus;
}

export interface OtlpScopeSpans {
  scope?: OtlpInstrumentationScope;
  spans: OtlpSpan[];
  schemaUrl?: string;
}

export interface OtlpResourceSpans {
  resource?: OtlpResource;
  scopeSpans: OtlpScopeSpans[];
  schemaUrl?: string;
}

/** Thrown by the protobuf decoder on bytes that are not an ExportTraceServiceRequest. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}
