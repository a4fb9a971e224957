// One request of a burst as the report lists it (RequestSummary).
import type { Sent } from '../probe/send';
import type { Trace } from '../trace/model';
import type { RequestSummary } from './model';

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
