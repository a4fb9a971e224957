// When the proxy starts a new trace instead of continuing the probe's (ingress-nginx's module with trust-incoming-span
// off, ngx_otel_module without `otel_trace_context propagate`), the proxy's and the app's spans land in that other
// trace and the probe's own trace has no app layer. Find that trace, by the trace id the app logged, else by the
// probe's marks in a search of the request's time window, else by being the only traced request of the proxy then.
import { spanController } from '../controllers';
import { canFindTraces, fetchTrace, findTraces, type Backend } from '../ingest/backend';
import type { Diagnostic, Span } from '../trace/model';
import type { Gathered } from './gather';

export interface SplitSearch {
  backend: Backend;
  probeTraceId: string;
  /** Trace ids the app logged for this request (its log line's trace_id). */
  loggedTraceIds: string[];
  /** Services to search by, most likely first: the app's, then the proxy's. */
  services: string[];
  window: { startUnixNano: bigint; endUnixNano: bigint };
  signal?: AbortSignal;
}

export interface SplitTrace {
  traceId: string;
  spans: Span[];
  by: 'the trace id the app logged' | "the probe's marker" | 'time (the only traced request of the proxy then)';
}

const SLACK_NS = 1_000_000_000n;

export async function findSplitTrace(o: SplitSearch): Promise<SplitTrace | undefined> {
  const opts = { timeoutMs: 2000, signal: o.signal, isComplete: () => true, pollIntervalMs: 0, once: true };
  for (const id of [...new Set(o.loggedTraceIds)].filter((x) => x && x !== o.probeTraceId).slice(0, 3)) {
    const got = await fetchTrace(o.backend, id, opts);
    if (got.spans.length) return { traceId: id, spans: got.spans, by: 'the trace id the app logged' };
  }
  if (!canFindTraces(o.backend)) return undefined;
  const candidates = new Map<string, Span[]>();
  for (const service of o.services.slice(0, 2)) {
    const found = await findTraces(
      o.backend,
      {
        service,
        startMin: o.window.startUnixNano - SLACK_NS,
        startMax: o.window.endUnixNano + SLACK_NS,
        limit: 20,
      },
      { timeoutMs: 2000, signal: o.signal },
    );
    for (const [id, spans] of found.traces) if (id !== o.probeTraceId) candidates.set(id, spans);
  }
  for (const [id, spans] of candidates)
    if (spans.some((s) => mentions(s, o.probeTraceId))) return { traceId: id, spans, by: "the probe's marker" };
  const proxied = [...candidates].filter(([, spans]) => spans.some((s) => s.kind === 'server' && spanController(s)));
  if (proxied.length === 1)
    return { traceId: proxied[0][0], spans: proxied[0][1], by: 'time (the only traced request of the proxy then)' };
  return undefined;
}

/** The probe's trace id in an attribute: X-Request-ID, the User-Agent marker, the `kubetrace=` query parameter. */
function mentions(s: Span, traceId: string): boolean {
  for (const v of Object.values(s.attributes))
    if (typeof v === 'string' ? v.includes(traceId) : Array.isArray(v) && v.some((x) => x.includes(traceId)))
      return true;
  return false;
}

/**
 * Brings a split trace into the probe's: its spans join the gathered ones (assembly merges the proxy's span with its
 * access-log span), the probe's root span links to it, and a diagnostic names the setting that keeps one trace.
 */
export async function linkSplitTrace(o: {
  got: Gathered;
  client: Span[];
  rootSpanId: string;
  search: SplitSearch;
  proxy: string;
  propagation?: string;
}): Promise<Diagnostic[]> {
  const found = await findSplitTrace(o.search).catch(() => undefined);
  if (!found) return [];
  o.got.results.push({ spans: found.spans, diagnostics: [] });
  const ids = new Set(found.spans.map((s) => s.spanId));
  const root = found.spans.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) ?? found.spans[0];
  o.client
    .find((s) => s.spanId === o.rootSpanId)
    ?.links.push({ traceId: found.traceId, spanId: root.spanId, attributes: { 'kubetrace.link': 'split trace' } });
  if (found.spans.some((s) => !spanController(s))) o.got.missing = o.got.missing.filter((l) => l !== 'app');
  return [
    {
      code: 'trace-split',
      severity: 'warning',
      spanId: o.rootSpanId,
      message:
        `${o.proxy} started a new trace (${found.traceId}) instead of continuing the probe's; its spans are ` +
        `shown here, linked from the probe span, found by ${found.by}`,
      hint:
        o.propagation ??
        'make the proxy continue the incoming traceparent (W3C trace context) instead of starting its own',
    },
  ];
}
