// A proxy that traces itself (ingress-nginx's OpenTelemetry module, ngx_otel_module in NGINX Gateway Fabric and F5's
// controller, Envoy, Traefik) sends its own SERVER span per request, while Kubetrace also makes one from its access
// log. They are the same request: one ingress span, with the traced span's exact times and id (the app names it as
// its parent) and the log's upstream attempts under it. Recognized by the controller registry (scope, service
// pattern), never by a word in a service name.
import { spanController } from '../controllers';
import type { Span } from './model';

const TRACED = new Set<Span['origin']>(['otlp', 'jaeger', 'tempo', 'zipkin']);

/** Puts the proxies' own server spans in the ingress layer and merges each with its access-log span. */
export function mergeIngressSpans(spans: Span[]): Span[] {
  const traced = spans.filter((s) => s.kind === 'server' && TRACED.has(s.origin) && spanController(s));
  if (!traced.length) return spans;
  for (const s of traced) s.layer = 'ingress';
  const logged = spans.filter((s) => s.kind === 'server' && s.origin === 'nginx-log' && s.layer === 'ingress');
  const gone = new Set<Span>();
  const renamed = new Map<string, string>();
  for (const log of logged) {
    const own = closest(
      log,
      traced.filter((t) => !gone.has(t)),
    );
    if (!own) continue;
    gone.add(own);
    // The merged span keeps the traced span's id and times, the log's name and service (one service per ingress
    // group, so skew.ts sees the attempts as the same proxy's), and both spans' facts.
    renamed.set(log.spanId, own.spanId);
    Object.assign(log, {
      spanId: own.spanId,
      parentSpanId: own.parentSpanId ?? log.parentSpanId,
      startTimeUnixNano: own.startTimeUnixNano,
      endTimeUnixNano: own.endTimeUnixNano,
      status: own.status === 'unset' ? log.status : own.status,
      origin: own.origin,
      attributes: {
        ...log.attributes,
        ...own.attributes,
        'kubetrace.otel.name': own.name,
        'kubetrace.otel.service': own.service,
      },
      events: [...log.events, ...own.events],
      links: [...log.links, ...own.links],
    });
  }
  for (const s of spans) {
    const to = s.parentSpanId ? renamed.get(s.parentSpanId) : undefined;
    if (to) s.parentSpanId = to;
  }
  return spans.filter((s) => !gone.has(s));
}

/** The traced span that overlaps the log's span the most (the log has millisecond times), if any overlaps. */
function closest(log: Span, candidates: Span[]): Span | undefined {
  const ls = BigInt(log.startTimeUnixNano) - 1_000_000n;
  const le = BigInt(log.endTimeUnixNano) + 1_000_000n;
  let best: Span | undefined;
  let bestOverlap = 0n;
  for (const c of candidates) {
    const cs = BigInt(c.startTimeUnixNano);
    const ce = BigInt(c.endTimeUnixNano);
    const overlap = (ce < le ? ce : le) - (cs > ls ? cs : ls);
    if (overlap > bestOverlap || (!best && overlap >= 0n)) {
      best = c;
      bestOverlap = overlap;
    }
  }
  return best;
}
