// The trace model. DESIGN.md ("Trace model") is the source of these names; other tools read them.

export type Layer = 'client' | 'ingress' | 'app' | 'downstream';
export type SpanKind = 'client' | 'server' | 'internal' | 'producer' | 'consumer';
export type SpanStatus = 'unset' | 'ok' | 'error';
export type SpanOrigin =
  'probe' | 'nginx-log' | 'nginx-debug' | 'otlp' | 'jaeger' | 'tempo' | 'zipkin' | 'app-log' | 'import';
export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

export interface SourceRef {
  kind: 'nginx' | 'app' | 'ingress-yaml' | 'nginx-conf';
  path: string;
  line?: number;
  endLine?: number;
  function?: string;
}

export interface Step {
  phase: string;
  message: string;
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

export type Severity = 'info' | 'warning' | 'error';

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  spanId?: string;
}

export interface Trace {
  traceId: string;
  spans: Span[];
  criticalPath: string[];
  diagnostics: Diagnostic[];
}

/** What every span source returns: spans in the model, plus what it could not read. Sources never throw on bad data. */
export interface SpanBatch {
  spans: Span[];
  diagnostics: Diagnostic[];
}
