// One request of a burst as the report lists it (RequestSummary), and the filter the panel narrows a set with.
import type { Sent } from '../probe/send';
import type { Trace } from '../trace/model';
import type { RequestFilter, RequestSummary } from './model';

export function requestSummary(trace: Trace, sent: Sent, method: string, complete: boolean): RequestSummary {
  const root = trace.spans.find((s) => s.spanId === sent.ids.rootSpanId);
  const start = root ? BigInt(root.startTimeUnixNano) : sent.clientWindow.startUnixNano;
  const end = root ? BigInt(root.endTimeUnixNano) : sent.clientWindow.endUnixNano;
  const out: RequestSummary = {
    traceId: trace.traceId,
    startUnixNano: String(start),
    durationMs: Number(end - start) / 1e6,
    complete,
    newConnection: sent.res.newConnection,
    method,
    path: sent.hop.path,
  };
  if (sent.res.status !== undefined) out.status = sent.res.status;
  if (sent.res.error) out.error = sent.res.error.message;
  // The pod that served it: the last upstream attempt's (retries go elsewhere), else the app's own server span.
  const attempts = trace.spans.filter((s) => s.name === 'upstream.attempt');
  const pod =
    attempts[attempts.length - 1]?.attributes['kubetrace.pod'] ??
    trace.spans.find((s) => s.layer === 'app' && s.kind === 'server')?.attributes['kubetrace.pod'];
  if (typeof pod === 'string') out.pod = pod;
  return out;
}

export function matches(r: RequestSummary, f: RequestFilter | undefined): boolean {
  if (!f) return true;
  if (f.status !== undefined) {
    const s = r.status;
    if (
      typeof f.status === 'number'
        ? s !== f.status
        : f.status === 'error'
          ? !(s === undefined || s >= 500)
          : s === undefined || `${Math.floor(s / 100)}xx` !== f.status
    )
      return false;
  }
  if (f.path !== undefined && !(r.path ?? '').includes(f.path)) return false;
  if (f.upstream !== undefined && r.pod !== f.upstream) return false;
  if (f.fromUnixNano !== undefined && BigInt(r.startUnixNano) < BigInt(f.fromUnixNano)) return false;
  if (f.toUnixNano !== undefined && BigInt(r.startUnixNano) > BigInt(f.toUnixNano)) return false;
  return true;
}
