// The spans made from the access log of a proxy that is not nginx (HAProxy, Envoy, Traefik: their span builders in
// src/core/ingest/*-log/spans.ts): they share nginx's span names (upstream.attempt, upstream.connect, ...) but not
// its code, so no nginx function may be claimed for them. Known by their server span: an ingress server span named
// after its proxy, not `nginx`, that carries the log format it came from; its descendants follow it.
import type { Span } from '../trace/model';

export function otherProxySpanIds(spans: readonly Span[]): Set<string> {
  return new Set(otherProxySpanFormats(spans).keys());
}

/** The same spans, each with the log format of its server span (`haproxy-httplog`, ...): which proxy's code it is. */
export function otherProxySpanFormats(spans: readonly Span[]): Map<string, string> {
  const out = new Map<string, string>();
  const children = new Map<string, Span[]>();
  for (const s of spans) {
    if (!s.parentSpanId) continue;
    const list = children.get(s.parentSpanId);
    if (list) list.push(s);
    else children.set(s.parentSpanId, [s]);
  }
  const roots = spans.filter(
    (s) =>
      s.layer === 'ingress' &&
      s.kind === 'server' &&
      s.name !== 'nginx' &&
      typeof s.attributes['kubetrace.log.format'] === 'string',
  );
  const stack = roots.map((s) => ({ s, format: String(s.attributes['kubetrace.log.format']) }));
  while (stack.length) {
    const { s, format } = stack.pop()!;
    if (out.has(s.spanId)) continue;
    out.set(s.spanId, format);
    // Only the proxy's own spans: the app span hung under its attempt is the app's.
    for (const c of children.get(s.spanId) ?? [])
      if (c.layer === 'ingress' && c.service === s.service) stack.push({ s: c, format });
  }
  return out;
}
