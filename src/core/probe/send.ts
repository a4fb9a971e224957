// Stage 2 of a probe: open the target, send the traced request (following same-host redirects), make the client spans.
import { readFileSync } from 'node:fs';
import { newSpanId, newTraceId, traceparent } from '../ids';
import type { LoadedKubeconfig } from '../kube/load';
import type { Diagnostic, Span, SpanEvent } from '../trace/model';
import { responseDiagnostics } from './diagnose';
import type { ProbeIds } from './feeds';
import type { Connections } from './connections';
import { exchange, type AbortList, type ExchangeRequest, type ExchangeResult } from './http';
import { probeUserAgent, withQueryMark } from './mark';
import { nextHop } from './redirects';
import type { Resolved } from './resolve';
import { clientSpans } from './spans';
import type { Target } from './target';
import type { ProbeOptions } from './types';

export interface Sent {
  ids: ProbeIds;
  target: Target;
  headers: Record<string, string>;
  /** The CA certificates the request trusted (besides the system roots), for Copy as curl. */
  ca: Buffer[];
  res: ExchangeResult;
  /** The last exchange's scheme, port and path (after redirects). */
  hop: { scheme: 'http' | 'https'; port: number; path: string };
  url: string;
  client: Span[];
  clientWindow: { startUnixNano: bigint; endUnixNano: bigint };
  /** When the request left, to read logs from just before it. */
  started: Date;
  diagnostics: Diagnostic[];
}

export async function sendProbe(o: ProbeOptions, r: Resolved, progress: (m: string) => void): Promise<Sent> {
  progress(r.viaPortForward ? 'opening a port-forward to the controller' : 'sending the probe');
  const target = await r.openTarget();
  let sent: Sent;
  try {
    sent = await sendOnTarget(o, r, target, { ca: probeCa(o) });
  } finally {
    if (target.forward) await target.forward.close().catch(() => {});
  }
  sent.diagnostics.push(...forwardDiagnostics(target), ...responseDiagnostics(sent.res, target));
  return sent;
}

/** A probe's ids: a fresh trace id, which is also its request id, and the span id of its `probe` span. */
export function newProbeIds(): ProbeIds {
  const traceId = newTraceId();
  return { traceId, rootSpanId: newSpanId(), requestId: traceId };
}

/** The CA certificates a probe trusts besides the system roots: --cacert files and the cluster CA. */
export function probeCa(o: Pick<ProbeOptions, 'caFiles' | 'config'>): Buffer[] {
  return [...(o.caFiles ?? []).map((f) => readFileSync(f)), ...clusterCa(o.config)];
}

export function forwardDiagnostics(target: Target): Diagnostic[] {
  if (!target.forward?.errors.length) return [];
  return [
    {
      code: 'port-forward-error',
      severity: 'error',
      message: target.forward.errors.join('; '),
      hint: 'the port-forward dropped or the pod refused the port',
    },
  ];
}

/**
 * One marked request on an open target (a burst reuses the target and, with `pool`, its connections): fresh ids,
 * the marks of docs/ARCHITECTURE.md, same-host redirects, and the client spans.
 */
export async function sendOnTarget(
  o: ProbeOptions,
  r: Resolved,
  target: Target,
  conn: { ca: Buffer[]; pool?: Connections; ids?: ProbeIds; aborts?: AbortList },
): Promise<Sent> {
  const ids = conn.ids ?? newProbeIds();
  const headers = probeHeaders(ids, r.extraHeaders, o.headers);
  const ca = conn.ca;
  const diagnostics: Diagnostic[] = [];
  const started = new Date();
  const host = r.choice.host;
  let res: ExchangeResult;
  // Redirects on the same host are followed (at most 5), e.g. ingress-nginx's 308 from http to https;
  // another host never is, and the trace says so. The spans describe the last exchange.
  const marked = o.mark === 'query' || r.controller.module?.queryMark === true;
  let hop = {
    scheme: r.scheme,
    port: target.port,
    path: marked ? withQueryMark(r.choice.path, ids.traceId) : r.choice.path,
  };
  const redirects: SpanEvent[] = [];
  let sent = headers; // loses its secret headers when a redirect changes the origin
  // The request of the current hop, as sent and as its client spans describe it.
  const request = (): ExchangeRequest => ({
    scheme: hop.scheme,
    address: target.address,
    port: hop.port,
    host,
    method: r.method,
    path: hop.path,
    headers: sent,
    body: o.body,
    timeoutMs: o.timeoutMs ?? 10_000,
  });
  for (;;) {
    const req = request();
    req.ca = ca;
    req.insecure = o.insecure;
    req.signal = o.signal;
    req.pool = conn.pool;
    req.aborts = conn.aborts;
    res = await exchange(req);
    const next = nextHop(
      res,
      hop,
      host,
      redirects.length,
      (s) => (target.kind === 'load-balancer' ? r.loadBalancerPort(s) : s === hop.scheme ? hop.port : undefined),
      sent,
    );
    if (!next) break;
    if ('stop' in next) {
      diagnostics.push(next.stop);
      break;
    }
    redirects.push(next.event);
    if (next.note) diagnostics.push(next.note);
    hop = next.hop;
    sent = next.headers;
  }
  const defaultPort = hop.scheme === 'https' ? 443 : 80;
  const url = `${hop.scheme}://${host}${hop.port !== defaultPort ? `:${hop.port}` : ''}${hop.path}`;
  // Built when first asked for: a burst asks only after its last answer, so the time between one answer and the next
  // request stays short.
  const makeClient = () =>
    clientSpans({
      traceId: ids.traceId,
      rootSpanId: ids.rootSpanId,
      req: request(),
      res,
      target: target.kind,
      url,
      events: redirects,
      userHeaders: o.headers,
    });
  const clientWindow = { startUnixNano: res.times.start, endUnixNano: res.times.end ?? res.times.start };
  return new SentProbe(ids, target, headers, ca, res, hop, url, clientWindow, started, diagnostics, makeClient);
}

// A class rather than an object literal with a getter: a burst makes one per request, and the literal cost its
// client twice the memory.
class SentProbe implements Sent {
  private made?: Span[];

  constructor(
    readonly ids: ProbeIds,
    readonly target: Target,
    readonly headers: Record<string, string>,
    readonly ca: Buffer[],
    readonly res: ExchangeResult,
    readonly hop: Sent['hop'],
    readonly url: string,
    readonly clientWindow: Sent['clientWindow'],
    readonly started: Date,
    readonly diagnostics: Diagnostic[],
    private readonly make: () => Span[],
  ) {}

  get client(): Span[] {
    return (this.made ??= this.make());
  }
}

/**
 * The probe's headers, in the order they go out: its user agent, then the route's and the user's (names lower-cased,
 * a later one replacing an earlier one of the same name), then its trace context, which nothing replaces.
 */
export function probeHeaders(ids: ProbeIds, ...more: (Record<string, string> | undefined)[]): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': probeUserAgent(ids.traceId), accept: '*/*' };
  for (const m of more)
    if (m)
      for (const k of Object.keys(m)) {
        const name = k.toLowerCase();
        // Assigned, `__proto__` would set the object's prototype and the header would be lost.
        if (name === '__proto__')
          Object.defineProperty(headers, name, { value: m[k], enumerable: true, writable: true });
        else headers[name] = m[k];
      }
  headers.traceparent = traceparent(ids.traceId, ids.rootSpanId);
  headers['x-request-id'] = ids.requestId;
  return headers;
}

/** Clusters often issue ingress certificates from the cluster CA; trust it along with the system roots. */
function clusterCa(config: LoadedKubeconfig): Buffer[] {
  const cluster = config.kc.getCurrentCluster();
  try {
    if (cluster?.caData) return [Buffer.from(cluster.caData, 'base64')];
    if (cluster?.caFile) return [readFileSync(cluster.caFile)];
  } catch {
    /* an unreadable CA is reported by the API calls themselves */
  }
  return [];
}
