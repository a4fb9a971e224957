// The trace model. Its names are what other tools read (OTel attribute names, Jaeger/OTLP on export); the closed lists
// (layers, kinds, statuses, origins, source kinds, severities) are runtime values in src/protocol/vocabulary.ts.
import type { Layer, Severity, SourceKind, SpanKind, SpanOrigin, SpanStatus } from '../../protocol/vocabulary';

export type { Layer, Severity, SourceKind, SpanKind, SpanOrigin, SpanStatus } from '../../protocol/vocabulary';
export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

export interface SourceRef {
  kind: SourceKind;
  path: string;
  line?: number;
  endLine?: number;
  function?: string;
}

export interface Step {
  phase: string;
  message: string;
  /** The module that wrote the line when it is not nginx core's (e.g. `lua-nginx-module`). */
  module?: string;
  source?: SourceRef;
  ambiguous?: SourceRef[];
}

export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: Record<string, unknown>;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Record<string, unknown>;
}

export interface Span {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  layer: Layer;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  origin: SpanOrigin;
  source?: SourceRef;
  moreSources?: SourceRef[];
  sourceReason?: string;
  steps?: Step[];
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  spanId?: string;
}

/**
 * The time one span owns on the critical path: `index` is the span's position in `Trace.spans`, so a repeated
 * span id (imports keep them) stays unambiguous.
 */
export interface CriticalSection {
  spanId: string;
  index: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

export interface Trace {
  traceId: string;
  spans: Span[];
  /** Root first, then in time order; sections never overlap and lie inside the root. */
  criticalPath: CriticalSection[];
  diagnostics: Diagnostic[];
}

/** What every span source returns: spans in the model, plus what it could not read. Sources never throw on bad data. */
export interface SpanBatch {
  spans: Span[];
  diagnostics: Diagnostic[];
}
