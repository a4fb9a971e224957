// A Traefik access record -> `traefik` server span (start + Duration) and, with the JSON format's OriginDuration,
// one `upstream.attempt` to ServiceURL lasting OriginDuration. Traefik does not log when the origin call started,
// so the attempt starts after the whole Overhead (placement approximate, and marked so). CLF gives only the total
// duration, so no attempt is invented for it.
import type { Diagnostic, Span, SpanBatch } from '../../trace/model';
import type { SpanContext } from '../controller-log/formats';
import { isSecretName } from '../../redact';
import { makeSpan, peerAttributes, putDefined, requestAttributes } from '../controller-log/span-kit';
import { secondsToNanoExact } from '../nginx-log/values';
import type { TraefikRecord } from './parse';

export function traefikSpans(rec: TraefikRecord, ctx: SpanContext): SpanBatch {
  const service = ctx.service ?? 'traefik';
  const diagnostics: Diagnostic[] = [];
  const start = exactStart(rec);
  const end = start + rec.durationNs;
  const attrs = requestAttributes({
    method: rec.method,
    path: rec.path,
    protocol: rec.protocol,
    status: rec.status,
    client: rec.client,
    userAgent: rec.userAgent,
    host: rec.host,
    bytesSent: rec.size,
  });
  putDefined(attrs, {
    'traefik.router': rec.router,
    'traefik.service': rec.service,
    'traefik.service_url': rec.serviceUrl,
    'traefik.request_count': rec.requestCount,
    'traefik.retry_attempts': rec.retryAttempts,
    'traefik.origin_status': rec.originStatus,
    'traefik.trace_id': rec.traceId,
    'traefik.request_id': rec.requestId,
  });
  if (rec.overheadNs !== undefined) attrs['traefik.overhead_ms'] = Number(rec.overheadNs) / 1e6;
  for (const [k, v] of Object.entries(rec.headers)) if (!isSecretName(k)) attrs[`traefik.${k}`] = v;
  attrs['kubetrace.log.format'] = rec.format;
  attrs['kubetrace.placement'] = rec.format === 'traefik-json' ? 'exact' : 'approximate';
  if (ctx.controllerPod) attrs['kubetrace.pod'] = ctx.controllerPod;
  const failed = rec.status === undefined || rec.status >= 500;
  const server = makeSpan(ctx, {
    name: 'traefik',
    service,
    kind: 'server',
    start,
    end,
    attributes: attrs,
    error: failed,
  });
  const spans: Span[] = [server];
  if (rec.status === undefined)
    diagnostics.push({
      code: 'traefik-no-response',
      severity: 'warning',
      spanId: server.spanId,
      message: 'Traefik logged no status ("-"): no response was written to the client.',
    });
  if (rec.format === 'traefik-clf')
    diagnostics.push({
      code: 'traefik-placement-approximate',
      severity: 'info',
      spanId: server.spanId,
      message:
        "Traefik's CLF has the start to the second and only the total duration; the JSON format gives OriginDuration and Overhead.",
      hint: "Set accessLog.format=json in Traefik's static configuration.",
    });
  if (rec.originDurationNs !== undefined && (rec.serviceUrl || rec.originStatus !== undefined)) {
    const overhead = rec.overheadNs ?? rec.durationNs - rec.originDurationNs;
    const aStart = start + (overhead > 0n && overhead <= rec.durationNs ? overhead : 0n);
    const aEnd = aStart + rec.originDurationNs > end ? end : aStart + rec.originDurationNs;
    const attempt = makeSpan(ctx, {
      name: 'upstream.attempt',
      service,
      kind: 'client',
      start: aStart,
      end: aEnd,
      parent: server.spanId,
      attributes: {
        'kubetrace.upstream.attempt': (rec.retryAttempts ?? 0) + 1,
        'kubetrace.placement': 'approximate',
        ...peerAttributes(rec.serviceUrl, ctx),
      },
      error: rec.originStatus === undefined || rec.originStatus >= 500,
    });
    if (rec.serviceUrl) attempt.attributes['url.full'] = rec.serviceUrl;
    if (rec.originStatus !== undefined && rec.originStatus > 0)
      attempt.attributes['http.response.status_code'] = rec.originStatus;
    spans.push(attempt);
  }
  return { spans, diagnostics };
}

// StartUTC has nanoseconds (`2023-01-08T12:28:57.123456789Z`); Date.parse keeps only milliseconds.
function exactStart(rec: TraefikRecord): bigint {
  const ms = BigInt(rec.startUnixMs) * 1_000_000n;
  const m = rec.startUtc ? /\.(\d{1,9})(?:Z|[+-]\d{2}:?\d{2})$/.exec(rec.startUtc) : null;
  if (!m) return ms;
  const frac = secondsToNanoExact(`0.${m[1]}`) ?? 0n;
  return (ms / 1_000_000_000n) * 1_000_000_000n + frac;
}
