// Plain-words diagnostics for what a probe saw, or did not see.
import type { ControllerInfo } from '../kube/controller';
import type { Diagnostic, Span } from '../trace/model';
import type { Gathered } from './gather';
import type { ExchangeResult } from './http';
import type { Target } from './target';

export function responseDiagnostics(
  res: ExchangeResult,
  target: Pick<Target, 'kind' | 'address' | 'port'>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (res.error) {
    const where = `${target.address}:${target.port}${target.kind === 'port-forward' ? ' (port-forward)' : ''}`;
    const tlsHint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(res.error.code)
      ? 'pass --cacert with the CA that issued the ingress certificate, or --insecure to skip verification'
      : undefined;
    out.push({
      code: 'probe-failed',
      severity: 'error',
      message: `the probe to ${where} failed: ${res.error.message} (${res.error.code})`,
      hint:
        tlsHint ??
        (target.kind === 'port-forward'
          ? 'the port-forward may have dropped; try again or use --via lb'
          : 'is the load-balancer address reachable from here? try --via port-forward'),
    });
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) {
    out.push({
      code: 'backend-unreachable',
      severity: 'error',
      message: `the ingress answered ${res.status}: it could not get an answer from the backend`,
      hint: res.status === 503 ? 'the Service may have no ready endpoints' : 'check the backend pods and their port',
    });
  }
  return out;
}

export interface MissingContext {
  controller: ControllerInfo;
  service?: string;
  backendsFound: boolean;
  requestId: string;
  via: Target['kind'];
}

export function missingLayerDiagnostics(got: Gathered, ctx: MissingContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (got.missing.includes('ingress')) {
    const title = ctx.controller.module?.title ?? 'ingress-nginx';
    const pods = ctx.controller.pods.map((p) => p.metadata.name).join(', ') || 'the controller pods';
    out.push({
      code: 'no-access-log-line',
      severity: 'warning',
      message:
        `no ${title} access-log line for this probe (request id ${ctx.requestId}, ` +
        `its User-Agent marker, or its method, path and status in time) was found in ${pods}`,
      hint:
        (ctx.controller.module ? `${ctx.controller.module.accessLog.setting}; ` : '') +
        'the line may not be flushed yet, or another replica served the request',
    });
  }
  // A provisional span (from the app's log line) means the app answered; app-spans-missing says the rest.
  const provisional = got.results.some((r) => r.spans.some((s) => s.attributes['kubetrace.provisional'] === true));
  if (got.missing.includes('app') && !provisional) {
    out.push({
      code: 'no-app-spans',
      severity: 'warning',
      message: `no spans or log lines from ${ctx.service ?? 'the backend'} arrived within ${Math.round(got.waitedMs)} ms`,
      hint: ctx.backendsFound
        ? 'is the app instrumented and exporting to the trace backend? its logs should carry the X-Request-ID'
        : 'no trace backend was found (Jaeger 16686, Tempo 3200, Zipkin 9411): set kubetrace.traceBackend, or log the X-Request-ID',
    });
  }
  return out;
}

/** Checks app spans and app log lines against the probe's ids. */
export function propagationDiagnostics(
  spans: Span[],
  appLog: { traceparent?: string; traceId?: string; service: string }[],
  traceId: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const l of appLog) {
    if (!l.traceparent || l.traceparent === '-') {
      out.push({
        code: 'traceparent-not-forwarded',
        severity: 'warning',
        message: `${l.service} received the request without a traceparent header`,
        hint:
          'the ingress did not forward it: check proxy_set_header / snippets ' +
          'that drop headers, or an OTel module with otel_trace_context ignore',
      });
    } else if (!l.traceparent.includes(traceId)) {
      out.push({
        code: 'traceparent-replaced',
        severity: 'warning',
        message: `${l.service} received a different traceparent (${l.traceparent})`,
        hint: 'something between the client and the app started a new trace (e.g. the ingress OTel module with trust-incoming-span off)',
      });
    }
    if (l.traceId && l.traceId !== traceId) {
      out.push({
        code: 'backend-other-trace',
        severity: 'warning',
        message: `${l.service}'s spans are in another trace (${l.traceId})`,
        hint: 'the app does not use the incoming traceparent: check its propagator configuration (W3C tracecontext)',
      });
    }
  }
  return out;
}
