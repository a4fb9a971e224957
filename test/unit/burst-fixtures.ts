// Hand-built requests for the breakdown tests: client -> nginx -> upstream.attempt -> orders -> inventory.
import type { Attributes, Layer, Span, SpanKind, Trace } from '../../src/core/trace/model';
import type { RequestSummary } from '../../src/core/burst/model';
import { criticalPath } from '../../src/core/trace/critical-path';

export const T0 = 1_795_773_600_000_000_000n;
export const at = (ms: number) => String(T0 + BigInt(Math.round(ms * 1e6)));

export function span(
  spanId: string,
  parentSpanId: string | undefined,
  p: { name: string; service: string; layer: Layer; kind: SpanKind; s: number; e: number; attributes?: Attributes },
): Span {
  return {
    spanId,
    ...(parentSpanId !== undefined && { parentSpanId }),
    name: p.name,
    service: p.service,
    layer: p.layer,
    kind: p.kind,
    startTimeUnixNano: at(p.s),
    endTimeUnixNano: at(p.e),
    status: 'unset',
    attributes: p.attributes ?? {},
    events: [],
    links: [],
    origin: 'otlp',
  };
}

export function withPath(traceId: string, spans: Span[]): Trace {
  return { traceId, spans, criticalPath: criticalPath(spans).sections, diagnostics: [] };
}

export interface ShopRequest {
  /** Whole request in ms, starting at `start`; inventory's `SELECT stock` takes total - 40 ms. */
  total: number;
  start?: number;
  status?: number;
  pod?: string;
  /** Pods of tries before the last one (retries). */
  retriedPods?: string[];
  /** No app spans: nginx answered itself (e.g. 502 with no upstream reached). */
  noApp?: boolean;
  path?: string;
}

let n = 0;
export const traceIdOf = (i: number) => (i + 1).toString(16).padStart(32, '0');

/**
 * probe [0,T] > nginx [5,T-5] > attempt(s) > orders [12,T-12] > inventory `SELECT stock` [20,T-20]. Critical path:
 * client 10 ms, ingress 14, app 16, downstream T-40.
 */
export function shopRequest(r: ShopRequest): { trace: Trace; request: RequestSummary } {
  const id = traceIdOf(n++);
  const s0 = r.start ?? 0;
  const T = r.total;
  const status = r.status ?? 200;
  const spans: Span[] = [
    span('a1', undefined, { name: 'probe', service: 'client', layer: 'client', kind: 'client', s: s0, e: s0 + T }),
    span('a2', 'a1', {
      name: 'nginx',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'server',
      s: s0 + 5,
      e: s0 + T - 5,
      attributes: {
        'http.response.status_code': status,
        'url.path': r.path ?? '/orders',
        'http.request.method': 'GET',
      },
    }),
  ];
  const retried = r.retriedPods ?? [];
  retried.forEach((pod, k) =>
    spans.push(
      span(`r${k}`, 'a2', {
        name: 'upstream.attempt',
        service: 'ingress-nginx',
        layer: 'ingress',
        kind: 'client',
        s: s0 + 6 + k,
        e: s0 + 7 + k,
        attributes: {
          'kubetrace.pod': pod,
          'nginx.upstream_addr': `10.0.0.${k}:8080`,
          'http.response.status_code': 502,
        },
      }),
    ),
  );
  const attemptAttrs: Attributes = { 'nginx.upstream_addr': '10.0.0.9:8080' };
  if (r.pod) attemptAttrs['kubetrace.pod'] = r.pod;
  if (!r.noApp) attemptAttrs['http.response.status_code'] = status;
  spans.push(
    span('a3', 'a2', {
      name: 'upstream.attempt',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'client',
      s: s0 + 10,
      e: s0 + T - 10,
      attributes: attemptAttrs,
    }),
  );
  if (!r.noApp)
    spans.push(
      span('a4', 'a3', {
        name: 'GET /orders',
        service: 'orders',
        layer: 'app',
        kind: 'server',
        s: s0 + 12,
        e: s0 + T - 12,
      }),
      span('a5', 'a4', {
        name: 'SELECT stock',
        service: 'inventory',
        layer: 'downstream',
        kind: 'client',
        s: s0 + 20,
        e: s0 + T - 20,
      }),
    );
  const trace = withPath(id, spans);
  const request: RequestSummary = {
    traceId: id,
    startUnixNano: at(s0),
    durationMs: T,
    status,
    complete: true,
    newConnection: false,
    method: 'GET',
    path: r.path ?? '/orders',
  };
  return { trace, request };
}
