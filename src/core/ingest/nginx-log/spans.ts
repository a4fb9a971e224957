// AccessLogRecord → spans: `nginx` → `upstream.attempt` (one per $upstream_addr entry) → connect/header/response.
import type { Attributes, Diagnostic, SpanBatch, Span } from '../../trace/model';
import { parseAccessLogLine } from './parse';
import { classifyLine } from '../controller-log/classify';
import { pooledSpanId } from './pooled-ids';
import { placeAttempts, placeNginx, type NginxPlacement, type Window } from './placement';
import type { AccessLogRecord, UpstreamTry } from './types';
import { clip } from './values';

export interface NginxSpanContext {
  traceId: string;
  parentSpanId?: string;
  clientWindow?: Window;
  /** Default `ingress-nginx`. */
  service?: string;
  controllerPod?: string;
  controllerNode?: string;
  podByAddr?: (addr: string) => { pod: string; namespace?: string; node?: string; service?: string } | undefined;
  newSpanId?: () => string;
}

// nginx variables copied onto the nginx span as `nginx.<name>`, exactly as logged (an empty one is left out).
// One store per name written out, not a loop over a list of names: V8 keeps an object whose properties are added by
// computed name in its slow dictionary form once it has more than a dozen or so, and this one has about thirty.
// Adding them to that form was a third of making a line's spans. test/unit/nginx-log-spans.test.ts lists them.
function putNginxVars(attrs: Attributes, v: Record<string, string>): void {
  if (v.request) attrs['nginx.request'] = v.request;
  if (v.request_time) attrs['nginx.request_time'] = v.request_time;
  if (v.request_length) attrs['nginx.request_length'] = v.request_length;
  if (v.body_bytes_sent) attrs['nginx.body_bytes_sent'] = v.body_bytes_sent;
  if (v.time_local) attrs['nginx.time_local'] = v.time_local;
  if (v.msec) attrs['nginx.msec'] = v.msec;
  if (v.req_id) attrs['nginx.req_id'] = v.req_id;
  if (v.remote_user) attrs['nginx.remote_user'] = v.remote_user;
  if (v.the_real_ip) attrs['nginx.the_real_ip'] = v.the_real_ip;
  if (v.proxy_upstream_name) attrs['nginx.proxy_upstream_name'] = v.proxy_upstream_name;
  if (v.proxy_alternative_upstream_name)
    attrs['nginx.proxy_alternative_upstream_name'] = v.proxy_alternative_upstream_name;
  if (v.upstream_addr) attrs['nginx.upstream_addr'] = v.upstream_addr;
  if (v.upstream_status) attrs['nginx.upstream_status'] = v.upstream_status;
  if (v.upstream_response_time) attrs['nginx.upstream_response_time'] = v.upstream_response_time;
  if (v.upstream_connect_time) attrs['nginx.upstream_connect_time'] = v.upstream_connect_time;
  if (v.upstream_header_time) attrs['nginx.upstream_header_time'] = v.upstream_header_time;
  if (v.upstream_response_length) attrs['nginx.upstream_response_length'] = v.upstream_response_length;
  if (v.namespace) attrs['nginx.namespace'] = v.namespace;
  if (v.ingress_name) attrs['nginx.ingress_name'] = v.ingress_name;
  if (v.service_name) attrs['nginx.service_name'] = v.service_name;
  if (v.service_port) attrs['nginx.service_port'] = v.service_port;
  if (v.http_referer) attrs['nginx.http_referer'] = v.http_referer;
}

export function nginxSpansFromRecord(rec: AccessLogRecord, ctx: NginxSpanContext): SpanBatch {
  const newId = ctx.newSpanId ?? pooledSpanId;
  const service = ctx.service ?? 'ingress-nginx';
  const diagnostics: Diagnostic[] = [];
  const where = placeNginx(rec, ctx.clientWindow);
  const nginxId = newId();
  const attrs = nginxAttributes(rec, ctx, where);

  const nginx: Span = {
    spanId: nginxId,
    name: 'nginx',
    service,
    layer: 'ingress',
    kind: 'server',
    startTimeUnixNano: String(where.startUnixNano),
    endTimeUnixNano: String(where.endUnixNano),
    status: rec.status !== undefined && rec.status >= 500 ? 'error' : 'unset',
    attributes: attrs,
    events: [],
    links: [],
    origin: 'nginx-log',
  };
  if (ctx.parentSpanId) nginx.parentSpanId = ctx.parentSpanId;
  const spans: Span[] = [nginx];

  if (where.placement !== 'exact') {
    diagnostics.push({
      code: where.placement === 'approximate' ? 'nginx-placement-approximate' : 'nginx-placement-unknown',
      severity: 'info',
      spanId: nginxId,
      message: `The nginx span's position is ${where.placement}: ${where.how}.`,
      hint: 'Add `$upstream_connect_time $upstream_header_time $msec` to the end of log-format-upstream for exact timings.',
    });
  }
  for (const w of rec.warnings)
    diagnostics.push({ code: 'nginx-log-suspicious', severity: 'warning', message: w, spanId: nginxId });

  const { attempts, scaled } = placeAttempts(rec.upstreams, where);
  if (scaled) attrs['kubetrace.placement.scaled'] = true;
  rec.upstreams.forEach((t, i) => {
    const p = attempts[i];
    const attempt = attemptSpan(t, i, rec, ctx, newId(), nginxId, service, p);
    spans.push(attempt);
    if (p.connect) spans.push(phaseSpan('upstream.connect', p.connect, newId(), attempt, i));
    if (p.header) {
      const h = phaseSpan('upstream.header', p.header, newId(), attempt, i);
      if (p.headerMissing) {
        h.status = 'error';
        h.attributes['kubetrace.upstream.header_received'] = false;
      }
      spans.push(h);
    }
    if (p.response) spans.push(phaseSpan('upstream.response', p.response, newId(), attempt, i));
    diagnostics.push(...attemptDiagnostics(t, i, rec, attempt.spanId));
  });

  if (rec.upstreams.length === 0 && rec.status !== undefined && [502, 503, 504].includes(rec.status)) {
    diagnostics.push({
      code: 'nginx-upstream-unreached',
      severity: 'warning',
      spanId: nginxId,
      message: `nginx answered ${rec.status} without reaching any upstream ($upstream_addr is "-").`,
      hint: 'Check that the Service has ready endpoints and that the ingress-nginx controller log has no balancer errors.',
    });
  }
  return { spans, diagnostics };
}

/** `$uri` (or the request's target) without its query: the span's `url.path`. */
export const urlPath = (uri: string): string => {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
};

/** The nginx span's attributes: the request as OpenTelemetry names it, then nginx's variables as logged. */
export function nginxAttributes(rec: AccessLogRecord, ctx: NginxSpanContext, where: NginxPlacement): Attributes {
  const attrs: Attributes = {};
  if (rec.method) attrs['http.request.method'] = rec.method;
  if (rec.uri !== undefined) {
    const path = urlPath(rec.uri);
    attrs['url.path'] = path;
    if (path.length < rec.uri.length) attrs['url.query'] = rec.uri.slice(path.length + 1);
  }
  if (rec.protocol)
    attrs['network.protocol.version'] = rec.protocol.startsWith('HTTP/') ? rec.protocol.slice(5) : rec.protocol;
  if (rec.status !== undefined) attrs['http.response.status_code'] = rec.status;
  if (rec.remoteAddr) attrs['network.peer.address'] = rec.remoteAddr;
  if (rec.userAgent) attrs['user_agent.original'] = rec.userAgent;
  if (rec.bodyBytesSent !== undefined) attrs['http.response.body.size'] = rec.bodyBytesSent;
  putNginxVars(attrs, rec.vars);
  for (const k in rec.extra) attrs[`nginx.${k}`] = rec.extra[k];
  attrs['kubetrace.log.format'] = rec.format;
  attrs['kubetrace.placement'] = where.placement;
  if (ctx.controllerPod) attrs['kubetrace.pod'] = ctx.controllerPod;
  if (ctx.controllerNode) attrs['kubetrace.node'] = ctx.controllerNode;
  return attrs;
}

function attemptSpan(
  t: UpstreamTry,
  i: number,
  rec: AccessLogRecord,
  ctx: NginxSpanContext,
  id: string,
  parent: string,
  service: string,
  p: Window,
): Span {
  const attrs = attemptAttributes(t, i, ctx);
  const unreached = t.status === undefined && rec.status !== undefined && (rec.status === 502 || rec.status === 504);
  return {
    spanId: id,
    parentSpanId: parent,
    name: 'upstream.attempt',
    service,
    layer: 'ingress',
    kind: 'client',
    startTimeUnixNano: String(p.startUnixNano),
    endTimeUnixNano: String(p.endUnixNano),
    status: (t.status !== undefined && t.status >= 500) || unreached ? 'error' : 'unset',
    attributes: attrs,
    events: [],
    links: [],
    origin: 'nginx-log',
  };
}

/** An upstream try's attributes: its place among the tries, its address and what it answered. */
export function attemptAttributes(t: UpstreamTry, i: number, ctx: NginxSpanContext): Attributes {
  const attrs: Attributes = { 'kubetrace.upstream.attempt': i + 1 };
  if (t.group > 0) attrs['kubetrace.upstream.redirect_group'] = t.group;
  if (t.addr) {
    attrs['nginx.upstream_addr'] = t.addr;
    const hp = splitHostPort(t.addr);
    if (hp) {
      attrs['server.address'] = hp.host;
      attrs['network.peer.address'] = hp.host;
      if (hp.port !== undefined) {
        attrs['server.port'] = hp.port;
        attrs['network.peer.port'] = hp.port;
      }
    }
    const pod = safePodByAddr(ctx, t.addr);
    if (pod) {
      attrs['kubetrace.pod'] = pod.pod;
      if (pod.namespace) attrs['kubetrace.namespace'] = pod.namespace;
      if (pod.node) attrs['kubetrace.node'] = pod.node;
      if (pod.service) attrs['kubetrace.service'] = pod.service;
    }
  }
  if (t.status !== undefined) {
    attrs['http.response.status_code'] = t.status;
    attrs['nginx.upstream_status'] = String(t.status);
  }
  if (t.responseTime !== undefined) attrs['nginx.upstream_response_time'] = t.responseTime;
  if (t.connectTime !== undefined) attrs['nginx.upstream_connect_time'] = t.connectTime;
  if (t.headerTime !== undefined) attrs['nginx.upstream_header_time'] = t.headerTime;
  if (t.responseLength !== undefined) attrs['nginx.upstream_response_length'] = t.responseLength;
  return attrs;
}

function phaseSpan(name: string, w: Window, id: string, attempt: Span, i: number): Span {
  return {
    spanId: id,
    parentSpanId: attempt.spanId,
    name,
    service: attempt.service,
    layer: 'ingress',
    kind: 'internal',
    startTimeUnixNano: String(w.startUnixNano),
    endTimeUnixNano: String(w.endUnixNano),
    status: 'unset',
    attributes: { 'kubetrace.upstream.attempt': i + 1 },
    events: [],
    links: [],
    origin: 'nginx-log',
  };
}

function attemptDiagnostics(t: UpstreamTry, i: number, rec: AccessLogRecord, spanId: string): Diagnostic[] {
  const who = t.addr ?? 'an unknown upstream';
  const last = i === rec.upstreams.length - 1;
  if (t.status === undefined && t.addr === null) {
    return [
      {
        code: 'nginx-upstream-unreached',
        severity: 'warning',
        spanId,
        message: `Attempt ${i + 1}: nginx logged no upstream address or status${rec.status ? ` and answered ${rec.status}` : ''}.`,
        hint: 'nginx never reached a peer; check endpoints and the controller error log.',
      },
    ];
  }
  if (
    t.status !== undefined &&
    t.status >= 500 &&
    t.connectTime === undefined &&
    t.headerTime === undefined &&
    rec.vars.upstream_connect_time !== undefined
  ) {
    return [
      {
        code: 'nginx-upstream-unreached',
        severity: last ? 'error' : 'warning',
        spanId,
        message: `Attempt ${i + 1} to ${who} never connected (nginx recorded ${t.status}).`,
        hint: 'The pod may not be listening on that port, or a NetworkPolicy blocks the controller.',
      },
    ];
  }
  if (t.status === 504 && t.headerTime === undefined && rec.vars.upstream_header_time !== undefined) {
    return [
      {
        code: 'nginx-upstream-timeout',
        severity: last ? 'error' : 'warning',
        spanId,
        message: `Attempt ${i + 1} to ${who} sent no response header within ${t.responseTime ?? '?'} s (nginx recorded 504).`,
        hint: 'The backend is slow or stuck; compare with proxy-read-timeout / proxy_read_timeout.',
      },
    ];
  }
  if (t.status !== undefined && t.status >= 500 && !last) {
    return [
      {
        code: 'nginx-upstream-retried',
        severity: 'warning',
        spanId,
        message: `Attempt ${i + 1} to ${who} failed with ${t.status}; nginx tried the next upstream.`,
      },
    ];
  }
  return [];
}

function safePodByAddr(ctx: NginxSpanContext, addr: string) {
  try {
    return ctx.podByAddr?.(addr);
  } catch {
    return undefined;
  }
}

/** `10.0.0.1:80`, `[fd00::1]:8080`, `unix:/sock` (no port), or an upstream group name. */
export function splitHostPort(addr: string): { host: string; port?: number } | undefined {
  const v6 = /^\[([^\]]+)\]:(\d{1,5})$/.exec(addr);
  if (v6) return { host: v6[1], port: Number(v6[2]) };
  const v4 = /^([^:\s]+):(\d{1,5})$/.exec(addr);
  if (v4) return { host: v4[1], port: Number(v4[2]) };
  if (addr.startsWith('unix:')) return { host: addr };
  return undefined;
}

export interface FoundRecord {
  record?: AccessLogRecord;
  line?: string;
  lineNumber?: number;
  unparsed: { lineNumber: number; line: string; error: string }[];
}

/**
 * The access-log line whose `$req_id` is `reqId`. Other lines of a controller pod's log (banner, klog, the error
 * log merged into it, stream lines) are skipped by the import's classifier; lines that look like nginx access-log
 * lines but do not parse are returned in `unparsed`.
 */
export function findRecordByRequestId(lines: Iterable<string>, reqId: string): FoundRecord {
  const unparsed: FoundRecord['unparsed'] = [];
  let n = 0;
  for (const line of lines) {
    n++;
    const c = classifyLine(line);
    if (c.kind !== 'access' || c.family !== 'nginx-log') continue;
    const mentions = reqId !== '' && line.includes(reqId);
    const r = parseAccessLogLine(line);
    if ('error' in r) {
      unparsed.push({ lineNumber: n, line: clip(line, 2000), error: r.error });
      continue;
    }
    if (mentions && r.record.reqId === reqId) return { record: r.record, line, lineNumber: n, unparsed };
  }
  return { unparsed };
}
