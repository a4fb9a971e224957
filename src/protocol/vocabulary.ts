// The trace model's closed lists, as runtime values: the one place they are written. Types derive from them, and the
// validators, the readers and the webview iterate them. They live in src/protocol because the webview may import only
// src/protocol, and src/core imports them from here (docs/ARCHITECTURE.md, "The trace model").

export const LAYERS = ['client', 'ingress', 'app', 'downstream'] as const;
export const SPAN_KINDS = ['client', 'server', 'internal', 'producer', 'consumer'] as const;
export const SPAN_STATUSES = ['unset', 'ok', 'error'] as const;
export const ORIGINS = [
  'probe',
  'nginx-log',
  'nginx-debug',
  'otlp',
  'jaeger',
  'tempo',
  'zipkin',
  'app-log',
  'import',
] as const;
export const SOURCE_KINDS = ['nginx', 'app', 'ingress-yaml', 'nginx-conf', 'haproxy'] as const;
export const SEVERITIES = ['info', 'warning', 'error'] as const;

export type Layer = (typeof LAYERS)[number];
export type SpanKind = (typeof SPAN_KINDS)[number];
export type SpanStatus = (typeof SPAN_STATUSES)[number];
export type SpanOrigin = (typeof ORIGINS)[number];
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type Severity = (typeof SEVERITIES)[number];

/** Narrows a string to one of a list's members. */
export function isOneOf<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (list as readonly string[]).includes(v);
}
