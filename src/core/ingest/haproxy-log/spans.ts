// An HAProxy httplog record -> `haproxy` server span, one `upstream.attempt` to the server, and under it `queue` (Tw),
// `upstream.connect` (Tc), `upstream.header` (Tr) and `upstream.response` (the rest of Ta), placed from [%tr]
// (the first request byte) with TR first. Steps with -1 were never reached and get no span.
import type { Diagnostic, Span, SpanBatch } from '../../trace/model';
import type { SpanContext } from '../controller-log/formats';
import { makeSpan, msToNs, peerAttributes, requestAttributes } from '../controller-log/span-kit';
import type { HaproxyRecord } from './parse';

const CAUSE: Record<string, string> = {
  C: 'the client aborted',
  S: 'the server aborted or refused',
  P: 'HAProxy aborted (a filter or a rule)',
  L: 'HAProxy answered locally',
  R: 'a resource ran out (memory, sockets, ports)',
  I: 'an internal error',
  D: 'the server was marked down',
  U: 'the connection was closed on another server going down',
  K: 'an administrator killed the session',
  c: 'the client timed out',
  s: 'the server timed out',
};
const STATE: Record<string, string> = {
  R: 'waiting for the request',
  Q: 'queued',
  C: 'connecting to the server',
  H: 'waiting for the response headers',
  D: 'sending the response body',
  L: 'sending the last data',
  T: 'tarpitted',
};

/** `sD--` -> "the server timed out while sending the response body". */
export function terminationReason(tsc: string): string | undefined {
  const cause = CAUSE[tsc[0]];
  if (!cause) return undefined;
  const state = STATE[tsc[1]];
  return state ? `${cause} while ${state}` : cause;
}

export function haproxySpans(rec: HaproxyRecord, ctx: SpanContext): SpanBatch {
  const service = ctx.service ?? 'haproxy';
  const diagnostics: Diagnostic[] = [];
  const start = BigInt(rec.startUnixMs) * 1_000_000n;
  const t = rec.timers;
  // Ta covers TR+Tw+Tc+Tr; a line where it does not (damaged, or edited) is stretched so the phases still nest.
  let steps = 0;
  for (const x of [t.TR, t.Tw, t.Tc, t.Tr]) {
    if (x < 0) break;
    steps += x;
  }
  const total = msToNs(Math.max(t.Ta >= 0 ? t.Ta : 0, steps));
  const attrs = requestAttributes({
    method: rec.method,
    path: rec.uri,
    protocol: rec.protocol,
    status: rec.status,
    client: rec.client,
    bytesSent: rec.bytes,
  });
  Object.assign(attrs, {
    'client.port': rec.clientPort,
    'haproxy.frontend': rec.frontend,
    'haproxy.backend': rec.backend,
    'haproxy.server': rec.server,
    'haproxy.timers': `${t.TR}/${t.Tw}/${t.Tc}/${t.Tr}/${rec.logasap ? '+' : ''}${t.Ta}`,
    'haproxy.termination_state': rec.termination,
    'haproxy.retries': rec.counters.rc,
    'haproxy.queue.server': rec.queues.sq,
    'haproxy.queue.backend': rec.queues.bq,
    'haproxy.request': rec.request,
    'kubetrace.log.format': 'haproxy-httplog',
    'kubetrace.placement': 'exact',
  });
  if (rec.capturedRequest !== undefined) attrs['haproxy.captured_request_headers'] = rec.capturedRequest;
  if (ctx.controllerPod) attrs['kubetrace.pod'] = ctx.controllerPod;
  const reason = terminationReason(rec.termination);
  if (reason) attrs['haproxy.termination_reason'] = reason;
  const server = makeSpan(ctx, {
    name: 'haproxy',
    service,
    kind: 'server',
    start,
    end: start + total,
    attributes: attrs,
    error: rec.status >= 500 || rec.status < 0,
  });
  const spans: Span[] = [server];
  // `L` is HAProxy answering itself (stats, Prometheus, redirects): normal unless the status says otherwise.
  if (reason && (rec.termination[0] !== 'L' || rec.status >= 400))
    diagnostics.push({
      code: 'haproxy-termination',
      severity: rec.status >= 500 || rec.status < 0 ? 'error' : 'warning',
      spanId: server.spanId,
      message: `HAProxy ended the request with state ${rec.termination}: ${reason}.`,
    });
  if (t.Ta >= 0 && steps > t.Ta)
    diagnostics.push({
      code: 'haproxy-timers-inconsistent',
      severity: 'warning',
      spanId: server.spanId,
      message: `TR+Tw+Tc+Tr (${steps} ms) exceed Ta (${t.Ta} ms); the span is stretched to ${steps} ms.`,
    });
  if (rec.logasap)
    diagnostics.push({
      code: 'haproxy-logasap',
      severity: 'info',
      spanId: server.spanId,
      message: 'Ta is written as +N (option logasap): the line was written before the response ended.',
    });
  // Applets (<PROMEX>, <STATS>, <CACHE>) and <NOSRV> reach no server.
  if (rec.server.startsWith('<') || t.TR < 0) {
    if (rec.server === '<NOSRV>')
      diagnostics.push({
        code: 'haproxy-no-server',
        severity: rec.status >= 500 ? 'error' : 'info',
        spanId: server.spanId,
        message: `No server was chosen in backend ${rec.backend} (<NOSRV>)${rec.status >= 0 ? `; HAProxy answered ${rec.status}` : ''}.`,
        hint: 'Check that the backend has servers that are up (ready endpoints behind the Service).',
      });
    return { spans, diagnostics };
  }
  let cursor = start + msToNs(t.TR);
  const attempt = makeSpan(ctx, {
    name: 'upstream.attempt',
    service,
    kind: 'client',
    start: cursor,
    end: start + total,
    parent: server.spanId,
    attributes: {
      'kubetrace.upstream.attempt': 1,
      'haproxy.server': rec.server,
      ...peerAttributes(serverAddress(rec.server), ctx),
    },
    error: rec.status >= 500 || rec.status < 0,
  });
  if (rec.status >= 0) attempt.attributes['http.response.status_code'] = rec.status;
  if (rec.counters.rc > 0) attempt.attributes['haproxy.retries'] = rec.counters.rc;
  spans.push(attempt);
  const phase = (name: string, ms: number) => {
    if (ms < 0) return false;
    const end = cursor + msToNs(ms);
    spans.push(makeSpan(ctx, { name, service, kind: 'internal', start: cursor, end, parent: attempt.spanId }));
    cursor = end;
    return true;
  };
  if (phase('queue', t.Tw) && phase('upstream.connect', t.Tc) && phase('upstream.header', t.Tr) && t.Ta >= 0) {
    const end = start + total;
    if (end > cursor)
      spans.push(
        makeSpan(ctx, {
          name: 'upstream.response',
          service,
          kind: 'internal',
          start: cursor,
          end,
          parent: attempt.spanId,
        }),
      );
  }
  return { spans, diagnostics };
}

// HAProxy Ingress names servers after the endpoint (`10.47.0.15:7272`); the HAProxy Tech controller uses SRV_xxx.
function serverAddress(server: string): string | undefined {
  return /^[\d.]+:\d+$|^\[[0-9a-f:]+\]:\d+$/i.test(server) ? server : undefined;
}
