// An Envoy/Istio/Envoy Gateway access record -> `envoy` server span (START_TIME + DURATION) and, when an upstream
// answered, one `upstream.attempt` lasting x-envoy-upstream-service-time. Envoy logs no time for when the upstream
// request started, so the attempt is placed right after the start (placement approximate) and said so.
import type { Diagnostic, Span, SpanBatch } from '../../trace/model';
import type { SpanContext } from '../controller-log/formats';
import { makeSpan, msToNs, peerAttributes, putDefined, requestAttributes } from '../controller-log/span-kit';
import type { EnvoyRecord } from './parse';

// Envoy's response flags (docs: access log, %RESPONSE_FLAGS%), short form -> what happened.
const FLAGS: Record<string, string> = {
  UH: 'no healthy upstream',
  UF: 'upstream connection failure',
  UO: 'upstream overflow (circuit breaker)',
  NR: 'no route configured',
  URX: 'upstream retry limit exceeded',
  NC: 'upstream cluster not found',
  DT: 'request or connection exceeded max duration',
  DC: 'downstream connection termination',
  LH: 'local service failed health check',
  UT: 'upstream request timeout',
  LR: 'connection local reset',
  UR: 'upstream remote reset',
  UC: 'upstream connection termination',
  DI: 'request delayed by fault injection',
  FI: 'request aborted by fault injection',
  RL: 'rate limited locally',
  UAEX: 'denied by the external authorization service',
  RLSE: 'rate limit service error',
  IH: 'strictly-checked header had an invalid value',
  SI: 'stream idle timeout',
  DPE: 'downstream HTTP protocol error',
  UPE: 'upstream HTTP protocol error',
  UMSDR: 'upstream max stream duration reached',
  OM: 'overload manager terminated the request',
  DF: 'DNS resolution failed',
  DO: 'drop overload',
  DR: 'downstream remote reset',
};

export function responseFlagReasons(flags: string[]): string[] {
  return flags.map((f) => FLAGS[f] ?? `response flag ${f}`);
}

export function envoySpans(rec: EnvoyRecord, ctx: SpanContext): SpanBatch {
  const service = ctx.service ?? 'envoy';
  const diagnostics: Diagnostic[] = [];
  const start = BigInt(rec.startUnixMs) * 1_000_000n;
  const end = start + (rec.durationMs !== undefined ? msToNs(rec.durationMs) : 0n);
  const attrs = requestAttributes({
    method: rec.method,
    path: rec.path,
    protocol: rec.protocol,
    status: rec.status || undefined,
    userAgent: rec.userAgent,
    host: rec.authority,
    bytesSent: rec.bytesSent,
  });
  putDefined(attrs, {
    'envoy.request_id': rec.requestId,
    'envoy.response_flags': rec.responseFlags.join(',') || undefined,
    'envoy.response_code_details': rec.responseCodeDetails,
    'envoy.connection_termination_details': rec.connectionTerminationDetails,
    'envoy.upstream_transport_failure_reason': rec.upstreamTransportFailureReason,
    'envoy.upstream_cluster': rec.upstreamCluster,
    'envoy.route_name': rec.routeName,
    'envoy.x_forwarded_for': rec.forwardedFor,
    'client.address': rec.downstreamRemoteAddress?.replace(/:\d+$/, ''),
    'http.request.body.size': rec.bytesReceived,
  });
  attrs['kubetrace.log.format'] = rec.format;
  attrs['kubetrace.placement'] = rec.durationMs !== undefined ? 'exact' : 'unknown';
  if (ctx.controllerPod) attrs['kubetrace.pod'] = ctx.controllerPod;
  const reasons = responseFlagReasons(rec.responseFlags);
  if (reasons.length) attrs['envoy.response_flags_reason'] = reasons.join('; ');
  const failed = rec.status === 0 || rec.status >= 500;
  const server = makeSpan(ctx, {
    name: 'envoy',
    service,
    kind: 'server',
    start,
    end,
    attributes: attrs,
    error: failed,
  });
  const spans: Span[] = [server];
  if (reasons.length)
    diagnostics.push({
      code: 'envoy-response-flags',
      severity: failed ? 'error' : 'warning',
      spanId: server.spanId,
      message:
        `Envoy flagged the request ${rec.responseFlags.join(',')}: ${reasons.join('; ')}` +
        `${rec.responseCodeDetails ? ` (${rec.responseCodeDetails})` : ''}.`,
    });
  if (rec.upstreamHost) {
    const dur = rec.upstreamServiceTimeMs !== undefined ? msToNs(rec.upstreamServiceTimeMs) : end - start;
    const attempt = makeSpan(ctx, {
      name: 'upstream.attempt',
      service,
      kind: 'client',
      start,
      end: start + (dur > end - start ? end - start : dur),
      parent: server.spanId,
      attributes: {
        'kubetrace.upstream.attempt': 1,
        'envoy.upstream_host': rec.upstreamHost,
        'kubetrace.placement': 'approximate',
        ...peerAttributes(rec.upstreamHost, ctx),
      },
      error: failed,
    });
    if (rec.upstreamServiceTimeMs !== undefined)
      attempt.attributes['envoy.upstream_service_time'] = rec.upstreamServiceTimeMs;
    if (rec.status) attempt.attributes['http.response.status_code'] = rec.status;
    spans.push(attempt);
  }
  return { spans, diagnostics };
}
