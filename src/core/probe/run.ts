// A whole probe, as four stages, each returning its data and its diagnostics:
// resolve (Ingress or HTTPRoute: route, choice, controller, target) -> send (the traced request)
// -> collect (gather spans) -> finish (assemble).
import type { Diagnostic } from '../trace/model';
import { collectSpans } from './collect';
import { finishTrace } from './finish';
import { resolveIngress, type Resolved } from './resolve';
import { resolveHTTPRoute } from './resolve-route';
import { routeKind } from './route-ref';
import { curlRequest } from './curl';
import { sendProbe } from './send';
import type { ProbeOptions, ProbeOutcome } from './types';

export type { ProbeOptions, ProbeOutcome } from './types';

export async function runProbe(o: ProbeOptions): Promise<ProbeOutcome> {
  const progress = o.onProgress ?? (() => {});
  const kind = await routeKind(o.api, { kind: o.kind, namespace: o.namespace, name: o.name }, o.signal);
  const resolved = kind === 'HTTPRoute' ? await resolveHTTPRoute(o, progress) : await resolveIngress(o, progress);
  return probeResolved(o, resolved, progress);
}

/** Sends, collects and assembles a probe whose route is already resolved. */
export async function probeResolved(
  o: ProbeOptions,
  r: Resolved,
  progress: (m: string) => void,
): Promise<ProbeOutcome> {
  const sent = await sendProbe(o, r, progress);
  const collected = await collectSpans(o, r, sent, progress);
  const diagnostics: Diagnostic[] = [...r.diagnostics, ...sent.diagnostics, ...collected.diagnostics];
  const trace = finishTrace(sent, collected, diagnostics);
  const { res, hop, target } = sent;
  const begin = res.times.dnsStart ?? res.times.connectStart ?? res.times.start;
  const exchangeMs = Number((res.times.end ?? begin) - begin) / 1e6;
  return {
    trace,
    choice: r.choice,
    url: sent.url,
    target: { kind: target.kind, address: target.address, port: hop.port, scheme: hop.scheme },
    response: {
      status: res.status,
      headers: res.headers,
      body: res.body.toString('utf8'),
      bodyTruncated: res.bodyTruncated,
      error: res.error,
    },
    controllerLog: { pod: collected.nginxState.pod, lines: collected.nginxState.lines.map((l) => l.text) },
    timings: { exchangeMs, readyMs: collected.got.waitedMs, complete: collected.got.complete },
    curl: curlRequest({
      method: r.method,
      url: sent.url,
      target,
      headers: sent.headers,
      body: o.body,
      insecure: o.insecure,
      ca: sent.ca,
      probeTraceId: sent.ids.traceId,
    }),
    ingresses: r.ingresses,
  };
}
