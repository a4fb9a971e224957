// Client spans of a probe: `probe` with the children dns, connect, tls, request, ttfb, download (docs/ARCHITECTURE.md).
import { newSpanId } from '../ids';
import { isSecretHeader, redact } from '../redact';
import type { Span, SpanEvent } from '../trace/model';
import type { ExchangeRequest, ExchangeResult } from './http';

export interface ClientSpanInput {
  traceId: string;
  rootSpanId: string;
  req: ExchangeRequest;
  res: ExchangeResult;
  target: 'load-balancer' | 'port-forward';
  url: string;
  events?: SpanEvent[];
  /** The headers the user added (With Options, `-H`): recorded on the span, secrets redacted. */
  userHeaders?: Record<string, string>;
}

/** How much of a request body the span keeps, as text: enough to tell two probes apart. */
const BODY_PREVIEW = 512;

export function clientSpans(i: ClientSpanInput): Span[] {
  const t = i.res.times;
  // The probe's window is the network exchange: from the lookup or connection start to the last body byte.
  const begin = t.dnsStart ?? t.connectStart ?? t.start;
  const end = t.end ?? begin;
  // OpenTelemetry's HTTP client convention: any 4xx or 5xx answer is an error for the client that asked.
  const status = i.res.error || (i.res.status ?? 0) >= 400 ? 'error' : 'ok';
  const root: Span = {
    spanId: i.rootSpanId,
    name: 'probe',
    service: 'client',
    layer: 'client',
    kind: 'client',
    startTimeUnixNano: String(begin),
    endTimeUnixNano: String(end),
    status,
    attributes: {
      'http.request.method': i.req.method,
      'url.full': i.url,
      'url.path': i.req.path.split('?')[0],
      'server.address': i.req.host,
      'server.port': i.req.port,
      'network.peer.address': i.res.remoteAddress ?? i.req.address,
      'kubetrace.probe.target': i.target,
    },
    events: i.events ?? [],
    links: [],
    origin: 'probe',
    sourceReason: 'the probe is sent by Kubetrace itself; its phases have no source in your code',
  };
  for (const [k, v] of Object.entries(i.userHeaders ?? {}))
    root.attributes[`http.request.header.${k.toLowerCase()}`] = isSecretHeader(k) ? '[redacted]' : redact(v);
  if (i.req.body?.length) {
    root.attributes['http.request.body.size'] = i.req.body.length;
    const text = i.req.body.subarray(0, BODY_PREVIEW).toString('utf8');
    root.attributes['kubetrace.request.body'] = redact(text) + (i.req.body.length > BODY_PREVIEW ? '…' : '');
  }
  if (i.res.status !== undefined) root.attributes['http.response.status_code'] = i.res.status;
  if (i.res.bodyBytes) root.attributes['http.response.body.size'] = i.res.bodyBytes;
  if (i.res.tls?.protocol) root.attributes['tls.protocol.version'] = i.res.tls.protocol;
  if (i.res.tls?.peerSubject) root.attributes['tls.server.subject'] = i.res.tls.peerSubject;
  if (i.res.error) {
    root.attributes['error.type'] = i.res.error.code;
    root.events.push({
      timeUnixNano: String(end),
      name: 'exception',
      attributes: { 'exception.type': i.res.error.code, 'exception.message': i.res.error.message },
    });
  }
  const spans: Span[] = [root];
  const child = (name: string, s?: bigint, e?: bigint, attrs: Record<string, string | number> = {}) => {
    if (s === undefined || e === undefined || e < s) return;
    spans.push({
      spanId: newSpanId(),
      parentSpanId: root.spanId,
      name,
      service: 'client',
      layer: 'client',
      kind: 'internal',
      startTimeUnixNano: String(s),
      endTimeUnixNano: String(e),
      status: 'unset',
      attributes: attrs,
      events: [],
      links: [],
      origin: 'probe',
      sourceReason: 'a client phase of the probe, measured by Kubetrace',
    });
  };
  child('dns', t.dnsStart, t.dnsEnd, { 'server.address': i.req.address });
  child('connect', t.connectStart, t.connectEnd, {
    'network.peer.address': i.res.remoteAddress ?? i.req.address,
    'network.peer.port': i.res.remotePort ?? i.req.port,
  });
  if (i.req.scheme === 'https')
    child('tls', t.connectEnd, t.tlsEnd, i.res.tls?.protocol ? { 'tls.protocol.version': i.res.tls.protocol } : {});
  const sent = t.tlsEnd ?? t.connectEnd ?? t.requestStart;
  child('request', sent, t.requestEnd);
  child('ttfb', t.requestEnd, t.firstByte);
  child('download', t.firstByte, t.end, { 'http.response.body.size': i.res.bodyBytes });
  return spans;
}
