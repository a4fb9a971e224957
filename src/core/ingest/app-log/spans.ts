// App-log lines → span events on an existing app span, or a derived server span for an uninstrumented app.
import { newSpanId as randomSpanId } from '../../ids';
import type { Attributes, Span, SpanEvent } from '../../trace/model';
import type { AppLogLine } from './types';

const ATTR_VALUE_MAX = 4096;

export function appLogEvents(lines: AppLogLine[]): SpanEvent[] {
  const events = lines.map((l) => {
    const attributes: Record<string, unknown> = { 'log.record.original': cap(l.raw) };
    if (l.level) attributes['log.severity'] = l.level;
    if (l.message) attributes['log.message'] = cap(l.message);
    if (l.timeUnixNano === undefined) attributes['kubetrace.time_unknown'] = true;
    for (const [k, v] of Object.entries(l.fields)) attributes[`log.field.${k}`] = cap(v);
    return { timeUnixNano: String(l.timeUnixNano ?? 0n), name: l.message ? cap(l.message, 200) : 'log', attributes };
  });
  return events.sort((a, b) =>
    BigInt(a.timeUnixNano) < BigInt(b.timeUnixNano) ? -1 : BigInt(a.timeUnixNano) > BigInt(b.timeUnixNano) ? 1 : 0,
  );
}

export interface DerivedSpanContext {
  traceId: string;
  parentSpanId?: string;
  service: string;
  pod?: string;
  node?: string;
  newSpanId?: () => string;
  fallbackWindow?: { startUnixNano: bigint; endUnixNano: bigint };
}

/**
 * A server span for an app with no tracing, built from its request line: `time` is the request start and
 * `duration_ms` its length (the sandbox apps' convention). Without a time it goes at the start of
 * `fallbackWindow` and says its placement is approximate.
 */
export function derivedAppSpan(line: AppLogLine, ctx: DerivedSpanContext): Span {
  const dur =
    line.durationMs !== undefined && Number.isFinite(line.durationMs) && line.durationMs >= 0
      ? BigInt(Math.round(line.durationMs * 1e6))
      : undefined;
  let start: bigint;
  let end: bigint;
  let placement: 'exact' | 'approximate' | 'unknown' = 'exact';
  if (line.timeUnixNano !== undefined) {
    start = line.timeUnixNano;
    end = start + (dur ?? 0n);
    if (dur === undefined) placement = 'approximate';
  } else if (ctx.fallbackWindow) {
    start = ctx.fallbackWindow.startUnixNano;
    const room = ctx.fallbackWindow.endUnixNano - start;
    end = start + (dur === undefined || dur > room ? (room > 0n ? room : 0n) : dur);
    placement = 'approximate';
  } else {
    start = 0n;
    end = dur ?? 0n;
    placement = 'unknown';
  }

  const attrs: Attributes = { 'kubetrace.derived_from': 'app-log', 'kubetrace.placement': placement };
  if (line.method) attrs['http.request.method'] = line.method;
  if (line.route) attrs['http.route'] = line.route;
  if (line.path) attrs['url.path'] = line.path;
  if (line.status !== undefined) attrs['http.response.status_code'] = line.status;
  if (line.requestId) attrs['kubetrace.request_id'] = line.requestId;
  if (line.traceparent) attrs['kubetrace.traceparent'] = line.traceparent;
  if (line.durationMs !== undefined) attrs['kubetrace.duration_ms'] = line.durationMs;
  if (ctx.pod) attrs['kubetrace.pod'] = ctx.pod;
  if (ctx.node) attrs['kubetrace.node'] = ctx.node;
  attrs['log.record.original'] = cap(line.raw);

  const span: Span = {
    spanId: (ctx.newSpanId ?? randomSpanId)(),
    name: spanName(line),
    service: ctx.service,
    layer: 'app',
    kind: 'server',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(end),
    status: line.status !== undefined && line.status >= 500 ? 'error' : 'unset',
    attributes: attrs,
    events: [],
    links: [],
    origin: 'app-log',
  };
  if (ctx.parentSpanId) span.parentSpanId = ctx.parentSpanId;
  return span;
}

// Semconv HTTP server span name: `{method} {http.route}`, `HTTP` when the method is unknown.
function spanName(line: AppLogLine): string {
  const method = line.method && /^[A-Z]{1,20}$/.test(line.method) ? line.method : 'HTTP';
  return line.route ? `${method} ${cap(line.route, 200)}` : method;
}

const cap = (s: string, max = ATTR_VALUE_MAX) => (s.length > max ? `${s.slice(0, max)}…` : s);
