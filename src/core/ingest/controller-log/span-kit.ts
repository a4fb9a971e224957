// Small builders shared by the non-nginx proxies' span makers (HAProxy, Envoy/Istio, Traefik): the server span,
// one upstream attempt and its phases, all in BigInt nanoseconds.
import type { Attributes, Span } from '../../trace/model';
import { pooledSpanId } from '../nginx-log/pooled-ids';
import { splitHostPort } from '../nginx-log/spans';
import type { SpanContext } from './formats';

export const MS = 1_000_000n;

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

export function makeSpan(
  ctx: SpanContext,
  o: {
    name: string;
    service: string;
    kind: Span['kind'];
    start: bigint;
    end: bigint;
    parent?: string;
    attributes?: Attributes;
    error?: boolean;
  },
): Span {
  const s: Span = {
    spanId: (ctx.newSpanId ?? pooledSpanId)(),
    name: o.name,
    service: o.service,
    layer: 'ingress',
    kind: o.kind,
    startTimeUnixNano: String(o.start < 0n ? 0n : o.start),
    endTimeUnixNano: String(o.end < o.start ? o.start : o.end),
    status: o.error ? 'error' : 'unset',
    attributes: o.attributes ?? {},
    events: [],
    links: [],
    // The access log of a proxy that is not nginx: 'import' is the origin for spans made from other files.
    origin: 'import',
  };
  const parent = o.parent ?? ctx.parentSpanId;
  if (parent) s.parentSpanId = parent;
  return s;
}

/** Request attributes common to every format. */
export function requestAttributes(r: {
  method?: string;
  path?: string;
  protocol?: string;
  status?: number;
  client?: string;
  userAgent?: string;
  host?: string;
  bytesSent?: number;
}): Attributes {
  const a: Attributes = {};
  if (r.method) a['http.request.method'] = r.method;
  if (r.path !== undefined) {
    const q = r.path.indexOf('?');
    a['url.path'] = q < 0 ? r.path : r.path.slice(0, q);
    if (q >= 0) a['url.query'] = r.path.slice(q + 1);
  }
  if (r.protocol) a['network.protocol.version'] = r.protocol.replace(/^HTTP\//, '');
  if (r.status !== undefined && r.status >= 0) a['http.response.status_code'] = r.status;
  if (r.client) a['client.address'] = r.client;
  if (r.userAgent) a['user_agent.original'] = r.userAgent;
  if (r.host) a['server.address'] = r.host;
  if (r.bytesSent !== undefined) a['http.response.body.size'] = r.bytesSent;
  return a;
}

/** `10.0.0.7:8080` (or a URL) as peer attributes, plus the pod behind it when the probe knows it. */
export function peerAttributes(addr: string | undefined, ctx: SpanContext): Attributes {
  const a: Attributes = {};
  if (!addr) return a;
  const m = /^[a-z]+:\/\/([^/]+)/i.exec(addr);
  const hostPort = m ? m[1] : addr;
  const hp = splitHostPort(hostPort);
  if (hp) {
    a['server.address'] = hp.host;
    a['network.peer.address'] = hp.host;
    if (hp.port !== undefined) {
      a['server.port'] = hp.port;
      a['network.peer.port'] = hp.port;
    }
  }
  try {
    const pod = ctx.podByAddr?.(hostPort);
    if (pod) {
      a['kubetrace.pod'] = pod.pod;
      if (pod.namespace) a['kubetrace.namespace'] = pod.namespace;
      if (pod.node) a['kubetrace.node'] = pod.node;
      if (pod.service) a['kubetrace.service'] = pod.service;
    }
  } catch {
    /* a lookup that fails only loses the pod name */
  }
  return a;
}

/** Sets the attributes whose value the log line had; a field the format lacks is left out, not invented. */
export function putDefined(attrs: Attributes, values: Record<string, string | number | undefined>): void {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) attrs[k] = v;
}

export const dashToUndef = (s: string | undefined): string | undefined =>
  s === undefined || s === '-' || s === '' ? undefined : s;

export function intOrUndef(s: string | undefined): number | undefined {
  if (s === undefined || !/^-?\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}
