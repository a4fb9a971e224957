// What one probe showed about a route, reduced to the things a migration can break: the answer (status, headers,
// body, redirect), who served it, what the app received, TLS, and the time per layer.
import { createHash } from 'node:crypto';
import type { ProbeOutcome } from '../probe/types';
import type { Layer, Span } from '../trace/model';
import { layerDurations } from '../../protocol/compare';

export interface ProbeFacts {
  traceId: string;
  /** The Host the probe sent (each route's own unless the user set one). */
  host: string;
  /** The HTTP status, or the transport error's code when there was no answer. */
  status: number | string;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  bodyBytes: number;
  bodySha256: string;
  redirect?: string;
  /** The app-layer services that served the request, sorted. */
  services: string[];
  /** The pods (or upstream addresses when the trace names no pod) that served it, sorted. */
  pods: string[];
  /** `http.request.header.*` attributes of the first app server span: what the app says it received. */
  received: Record<string, string>;
  /** Whether the app's spans joined the probe's trace (traceparent propagated end to end). */
  propagated: boolean;
  tls?: { protocol?: string; subject?: string };
  layers: Partial<Record<Layer | 'total', number>>;
}

const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
const sorted = (s: Iterable<string>) => [...new Set(s)].sort();

export function probeFacts(o: ProbeOutcome): ProbeFacts {
  const spans = o.trace.spans;
  const root = spans.find((s) => s.layer === 'client' && !s.parentSpanId) ?? spans[0];
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.response.headers)) headers[k.toLowerCase()] = v;
  const app = spans.filter((s) => s.layer === 'app');
  const appServers = app.filter((s) => s.kind === 'server');
  const pods = app.map((s) => str(s.attributes['kubetrace.pod']) ?? str(s.attributes['k8s.pod.name']));
  const upstreams = spans
    .filter((s) => s.layer === 'ingress' && s.attributes['kubetrace.upstream.attempt'] !== undefined)
    .map((s) => str(s.attributes['server.address']));
  const named = pods.filter((p): p is string => !!p);
  const status = o.response.status ?? o.response.error?.code ?? 'no answer';
  const size = root?.attributes['http.response.body.size'];
  const tlsProtocol = str(root?.attributes['tls.protocol.version']);
  const tlsSubject = str(root?.attributes['tls.server.subject']);
  return {
    traceId: o.trace.traceId,
    host: o.choice.host,
    status,
    headers,
    bodyBytes: typeof size === 'number' ? size : Buffer.byteLength(o.response.body),
    bodySha256: createHash('sha256').update(o.response.body).digest('hex'),
    redirect: typeof status === 'number' && status >= 300 && status < 400 ? headers['location'] : undefined,
    services: sorted(appServers.map((s) => s.service)),
    pods: sorted(named.length ? named : upstreams.filter((u): u is string => !!u)),
    received: receivedHeaders(appServers[0]),
    propagated: app.length > 0,
    tls: tlsProtocol || tlsSubject ? { protocol: tlsProtocol, subject: tlsSubject } : undefined,
    layers: measuredLayers(o.trace),
  };
}

const HEADER = 'http.request.header.';

function receivedHeaders(span: Span | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!span) return out;
  for (const [k, v] of Object.entries(span.attributes))
    if (k.startsWith(HEADER)) out[k.slice(HEADER.length).toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/** A layer whose spans last 0 ms was not timed (a log format without `$request_time`): unknown, not instant. */
function measuredLayers(trace: ProbeOutcome['trace']): ProbeFacts['layers'] {
  const out: ProbeFacts['layers'] = {};
  for (const [k, v] of Object.entries(layerDurations(trace)) as [Layer | 'total', number][]) if (v > 0) out[k] = v;
  return out;
}
