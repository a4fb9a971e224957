// When a gathered trace can be called complete without waiting for a quiet period (docs/ARCHITECTURE.md,
// "When a trace is complete"): its span tree is closed.
//
// Why this is safe: a tracing SDK exports a span when it ends, and a process exports its spans in the order they
// end, so by the time a span arrives every child it waited for has arrived from the same process (children end
// inside their parent). What can still be missing is another process's part: a parent in another service (its id
// is named but absent), or the server side of a call (a client span with no child yet). A call whose callee is not
// instrumented is never answered: a longer quiet period decides for it (src/core/probe/gather.ts).
import type { Span } from './model';

const TRACED_ORIGINS = new Set(['otlp', 'jaeger', 'tempo', 'zipkin']);

/**
 * `closed`: every named parent is present and every traced client span of an HTTP or RPC call has a child (the
 * callee's server span). `pending`: not closed, and something is known to be on its way (a named parent, or the
 * answer to a call). `open`: not closed, with nothing known to come: a proxy that tried more than one upstream (which
 * attempts an app answered is not written in the spans' links), so only the quiet period can decide.
 */
export type TreeState = 'closed' | 'pending' | 'open';

export function treeState(spans: readonly Span[]): TreeState {
  if (!spans.length) return 'open';
  const ids = new Set<string>();
  const parents = new Set<string>();
  let attempts = 0;
  for (const s of spans) {
    ids.add(s.spanId);
    if (s.parentSpanId) parents.add(s.parentSpanId);
    if (s.name === 'upstream.attempt') attempts++;
  }
  for (const s of spans) {
    if (s.parentSpanId && !ids.has(s.parentSpanId)) return 'pending';
    if (awaitsAnswer(s) && !parents.has(s.spanId)) return 'pending';
  }
  return attempts > 1 ? 'open' : 'closed';
}

/** A client span that called another service over HTTP or RPC; a database or queue client is not answered by a span. */
function awaitsAnswer(s: Span): boolean {
  if (s.kind !== 'client' || !TRACED_ORIGINS.has(s.origin)) return false;
  const a = s.attributes;
  if (a['db.system'] !== undefined || a['db.system.name'] !== undefined || a['messaging.system'] !== undefined)
    return false;
  return (
    a['http.request.method'] !== undefined ||
    a['http.method'] !== undefined ||
    a['rpc.system'] !== undefined ||
    a['url.full'] !== undefined
  );
}
