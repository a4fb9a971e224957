// Stage 3 of a probe: set up the span feeds (the controller's access log, the backend's logs, a trace backend)
// for the layers the probe expects, and gather until the trace is complete.
import type { Diagnostic, Layer, Span } from '../trace/model';
import { chooseTraceBackend, traceFeeds } from './backend';
import { linkSplitTrace } from './split';
import { missingLayerDiagnostics, propagationDiagnostics } from './diagnose';
import { appLogFeed, nginxLogFeed, podIndex, type NginxLogState } from './feeds';
import { gather, type Gathered, type SpanFeed } from './gather';
import type { Resolved } from './resolve';
import { parsesAccessLog, readsAccessLog, richerTraceHint } from '../controllers';
import { logIsOn, proxyLogFeed } from './proxy-log';
import type { ControllerInfo } from '../kube/controller';
import type { ExchangeResult } from './http';
import type { Sent } from './send';
import type { ProbeOptions } from './types';

export interface Collected {
  got: Gathered;
  /** The controller log lines around the probe, for the nginx execution path. */
  nginxState: NginxLogState;
  diagnostics: Diagnostic[];
}

export async function collectSpans(
  o: ProbeOptions,
  r: Resolved,
  s: Sent,
  progress: (m: string) => void,
): Promise<Collected> {
  const { choice, controller } = r;
  const { ids, res, clientWindow, started } = s;
  const diagnostics: Diagnostic[] = [];
  const feeds: SpanFeed[] = [];
  const expected: Layer[] = ['client'];
  const nginxState: NginxLogState = { lines: [] };
  const svc = choice.backend?.service?.name;
  const backendNs = r.backendNamespace;
  // A weighted rule sends each request to one of its backends (nginx's split_clients, Envoy's weighted clusters):
  // the app may be any of them, so the logs and addresses of every backend with traffic are read.
  const others = (choice.route?.backends ?? []).filter(
    (b) => b !== choice.backend && b.service && (b.weight === undefined || b.weight > 0),
  );
  const served = [...(choice.backend ? [choice.backend] : []), ...others];
  const indexes = served.map((b) => podIndex(b.endpoints, backendNs, b.service?.name ?? ''));
  const podByAddr = (addr: string) => indexes.map((f) => f(addr)).find(Boolean);
  const module = controller.module;
  const readable = !!module && readsAccessLog(module);
  // A log the registry can read but that is off by default is looked for when the pod's log shows it is on.
  const other = !!module && module.family !== 'nginx' && parsesAccessLog(module) && controller.pods.length > 0;
  const refused = !!res.error?.code.startsWith('ECONNREFUSED');
  const logOn =
    other &&
    !refused &&
    (readable ||
      (await logIsOn(o.api, controller.pods, module.accessLog.container, module.accessLog.format, o.signal)));
  if (module && other && logOn) {
    expected.push('ingress');
    feeds.push(
      proxyLogFeed({
        api: o.api,
        pods: controller.pods,
        ids,
        since: started,
        clientWindow,
        podByAddr,
        state: nginxState,
        request: { method: r.method, path: s.hop.path, status: res.status },
        format: module.accessLog.format,
        service: module.id,
        serverAttributes: ingressAttributes(controller),
        container: module.accessLog.container,
        setting: module.accessLog.setting,
      }),
    );
  } else if (module && other && !refused) {
    diagnostics.push({
      code: 'no-ingress-spans',
      severity: 'info',
      message: `no ingress-layer spans from ${module.title}: its pods log no access lines (off with its defaults)`,
      hint: richerTraceHint(module),
    });
  } else if (module && expectsIngress(r, res)) {
    expected.push('ingress');
    feeds.push(
      nginxLogFeed({
        api: o.api,
        pods: controller.pods,
        ids,
        since: started,
        clientWindow,
        podByAddr,
        state: nginxState,
        request: { method: r.method, path: s.hop.path, status: res.status },
        service: module.id,
        serverAttributes: ingressAttributes(controller),
        container: module.accessLog.container,
        ...(module.id === 'ingress-nginx' ? {} : { timingSetting: module.accessLog.setting }),
      }),
    );
  } else if (module && readable && !controller.pods.length) {
    diagnostics.push({
      code: 'no-access-log-line',
      severity: 'warning',
      message:
        `the ${module.title} ${r.route.kind === 'HTTPRoute' ? 'data-plane' : 'controller'}` +
        ` pods${r.controllerNs ? ` (namespace ${r.controllerNs})` : ''} ` +
        `are not visible with these credentials, so their access log was not read: the trace has no ingress spans`,
      hint: 'grant list pods and get pods/log in the controller\'s namespace (see README, "RBAC")',
    });
  }
  const collectedSpans: Span[] = [];
  const bySource = new Map<string, Span[]>();
  const appLogSeen: { service: string; traceparent?: string; traceId?: string }[] = [];
  const podsOf = (b: (typeof served)[number]) =>
    r.snapshot.pods.filter(
      (p) => p.metadata.namespace === backendNs && b.endpoints.some((e) => e.pod === p.metadata.name),
    );
  const backendPods = served.flatMap(podsOf);
  const chosen = chooseTraceBackend({
    api: o.api,
    snapshot: r.snapshot,
    setting: o.traceBackend,
    namespace: o.namespace,
  });
  const backends = { feeds: traceFeeds(chosen.backends, ids.traceId) };
  feeds.push(...backends.feeds);
  diagnostics.push(...chosen.diagnostics);
  for (const b of served) {
    const pods = podsOf(b);
    if (!b.service || !pods.length) continue;
    feeds.push(
      appLogFeed({
        api: o.api,
        pods,
        service: b.service.name,
        ids,
        since: started,
        otherSpans: () => collectedSpans,
        clientWindow,
        seen: appLogSeen,
        backendExpected: backends.feeds.length > 0,
      }),
    );
  }
  if (expectsApp(r, res, backends.feeds.length > 0 || backendPods.length > 0)) expected.push('app');

  progress('collecting spans');
  const got = await gather({
    feeds,
    expected,
    initial: s.client,
    signal: o.signal,
    maxWaitMs: o.maxWaitMs,
    onResult: (name, batch) => {
      bySource.set(name, batch.spans);
      collectedSpans.splice(0, collectedSpans.length, ...[...bySource.values()].flat());
    },
  });
  // No app spans in the probe's trace, or the app logged another trace id: the proxy may have started its own trace.
  const backend = chosen.backends[0];
  if (backend && (got.missing.includes('app') || appLogSeen.some((l) => l.traceId && l.traceId !== ids.traceId)))
    diagnostics.push(
      ...(await linkSplitTrace({
        got,
        client: s.client,
        rootSpanId: ids.rootSpanId,
        proxy: controller.module?.title ?? 'the ingress proxy',
        propagation: controller.module?.propagation,
        search: {
          backend,
          probeTraceId: ids.traceId,
          loggedTraceIds: appLogSeen.map((l) => l.traceId ?? ''),
          services: [...served.map((b) => b.service?.name ?? ''), controller.module?.id ?? ''].filter(Boolean),
          window: clientWindow,
          signal: o.signal,
        },
      })),
    );
  diagnostics.push(
    ...got.diagnostics,
    ...missingLayerDiagnostics(got, {
      controller,
      service: svc,
      backendsFound: backends.feeds.length > 0,
      requestId: ids.requestId,
      via: s.target.kind,
    }),
    ...propagationDiagnostics(collectedSpans, appLogSeen, ids.traceId),
  );
  return { got, nginxState, diagnostics };
}

/** The ingress layer is expected when the controller's access log can be read and the request reached it. */
export function expectsIngress(r: Resolved, res: ExchangeResult): boolean {
  const module = r.controller.module;
  return (
    !!module && readsAccessLog(module) && r.controller.pods.length > 0 && !res.error?.code.startsWith('ECONNREFUSED')
  );
}

/** The app layer is expected when something can give its spans (a trace backend, its logs) and it answered. */
export function expectsApp(r: Resolved, res: ExchangeResult, hasSpanFeed: boolean): boolean {
  const b = r.choice.backend;
  // No ready endpoint means nginx answered for the app (503): waiting for app spans would only run out the clock.
  const backendReady = !!b?.endpoints.some((e) => e.ready);
  return !!b?.service?.name && hasSpanFeed && res.status !== undefined && !b.missing && backendReady;
}

/** The ingress server span names its controller and the class or Gateway it served the request for. */
export function ingressAttributes(c: ControllerInfo): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.controller) out['kubetrace.controller'] = c.controller;
  if (c.gateway) out['kubetrace.gateway'] = c.gateway;
  else if (c.ingressClass) out['kubetrace.ingressClass'] = c.ingressClass;
  return out;
}
