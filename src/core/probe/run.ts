// A whole probe: resolve the Ingress, send one traced request, gather every layer's spans, assemble the trace.
import { readFileSync } from 'node:fs';
import { KubetraceError, UsageError } from '../errors';
import { newSpanId, newTraceId, traceparent } from '../ids';
import { findController } from '../kube/controller';
import { KubeApiError } from '../kube/errors';
import { isSandbox } from '../kube/sandbox';
import { missingPermissions, probeNeeds } from '../kube/permissions';
import type { LoadedKubeconfig } from '../kube/load';
import { KINDS, kindPath } from '../kube/list';
import type { Ingress, Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { readRouteTree } from '../kube/route-tree';
import { assemble } from '../trace/assemble';
import type { Diagnostic, Layer, Span, SpanEvent, Trace } from '../trace/model';
import { choose, type ProbeChoice } from './choose';
import { gather, type SpanFeed } from './gather';
import { exchange, type ExchangeResult } from './http';
import { appLogFeed, nginxLogFeed, podIndex, PROVISIONAL, type NginxLogState } from './feeds';
import { backendFeeds } from './backend';
import { clientSpans } from './spans';
import { chooseTarget, loadBalancerTarget, type Target } from './target';
import { nextHop } from './redirects';
import { curlRequest, type CurlRequest } from './curl';
import { missingLayerDiagnostics, propagationDiagnostics, responseDiagnostics } from './diagnose';

export interface ProbeOptions {
  config: LoadedKubeconfig;
  api: KubeRequester;
  namespace: string;
  name: string;
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  via?: 'lb' | 'port-forward';
  insecure?: boolean;
  caFiles?: string[];
  timeoutMs?: number;
  traceBackend?: string;
  /** Required for a non-GET probe or one with a body outside the sandbox. */
  confirmed?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Test hook: how long to wait for spans after the response. */
  maxWaitMs?: number;
}

export interface ProbeOutcome {
  trace: Trace;
  choice: ProbeChoice;
  target: { kind: Target['kind']; address: string; port: number; scheme: 'http' | 'https' };
  url: string;
  response: {
    status?: number;
    headers: Record<string, string>;
    body: string;
    bodyTruncated: boolean;
    error?: { code: string; message: string };
  };
  /** The controller pod's log lines around the probe, for the nginx execution path. */
  controllerLog: { pod?: Pod; lines: string[] };
  timings: { exchangeMs: number; readyMs: number; complete: boolean };
  /** The live Ingresses, for linking the matched rule when its manifest is not in the workspace. */
  ingresses: Ingress[];
  /** The request as Copy as curl shows it (src/core/probe/curl.ts renders it with fresh ids). */
  curl: CurlRequest;
}

export async function runProbe(o: ProbeOptions): Promise<ProbeOutcome> {
  const progress = o.onProgress ?? (() => {});
  const method = (o.method ?? 'GET').toUpperCase();
  if ((method !== 'GET' || o.body?.length) && !isSandbox(o.config) && !o.confirmed) {
    throw new UsageError(
      `a ${method}${o.body?.length ? ' with a body' : ''} probe changes things on a real cluster; confirm it`,
      'add --yes to send it',
    );
  }
  progress(`reading Ingress ${o.namespace}/${o.name}`);
  const ingress = await o.api
    .json<Ingress>({ path: kindPath(KINDS.ingresses, o.namespace, o.name), signal: o.signal })
    .catch((e: unknown) => {
      if (e instanceof KubeApiError && e.status === 404)
        throw new KubeApiError(
          `Ingress ${o.namespace}/${o.name} not found`,
          `list the Ingresses with \`kubetrace ingresses -n ${o.namespace}\``,
          404,
          'NotFound',
        );
      throw e;
    });
  const tree = await readRouteTree(o.api, { fallbackNamespace: o.namespace, signal: o.signal });
  const entry = tree.entries.find((e) => e.kind === 'Ingress' && e.namespace === o.namespace && e.name === o.name);
  if (!entry) throw new KubetraceError(`Ingress ${o.namespace}/${o.name} is not visible in the listing`);
  const choice = choose(entry, { host: o.host, path: o.path });
  if (choice.backend?.resource)
    throw new KubetraceError(
      `the path ${choice.path} goes to a ${choice.backend.resource.kind} resource backend, which Kubetrace does not probe`,
    );
  const controller = findController(tree.snapshot, ingress);
  const tlsHost = entry.tls.some((t) =>
    t.hosts.some((h) => h === choice.host || (h.startsWith('*.') && choice.host.endsWith(h.slice(1)))),
  );
  const scheme: 'http' | 'https' = tlsHost ? 'https' : 'http';

  const diagnostics: Diagnostic[] = tree.notices.map((n) => ({
    code: 'limited-listing',
    severity: 'info' as const,
    message: n,
  }));
  if (choice.backend?.service && !choice.backend.missing && !choice.backend.endpoints.some((e) => e.ready)) {
    diagnostics.push({
      code: 'no-ready-endpoints',
      severity: 'warning',
      message: `service ${choice.backend.service?.name} has no ready endpoints`,
      hint: 'nginx will answer 503; check the pods behind the service',
    });
  }
  if (choice.backend?.missing)
    diagnostics.push({
      code: 'backend-missing',
      severity: 'warning',
      message: `service ${choice.backend.service?.name} does not exist`,
      hint: 'fix the Ingress backend or create the Service',
    });
  if (!controller.isIngressNginx) {
    diagnostics.push({
      code: 'no-ingress-spans',
      severity: 'info',
      message: `no ingress-layer spans for controller ${controller.controller ?? 'unknown'} yet`,
      hint: 'Kubetrace reads ingress-nginx access logs; other controllers show client and app spans only',
    });
  }

  // A namespace-restricted user cannot see the controller pods; check the chart's namespace so the gap is named.
  const controllerNs =
    controller.pods[0]?.metadata.namespace ??
    controller.service?.metadata.namespace ??
    (controller.isIngressNginx ? 'ingress-nginx' : undefined);
  const needs = probeNeeds(controllerNs, o.namespace);
  const missing = await missingPermissions(o.api, needs);
  if (missing.length) {
    diagnostics.push({
      code: 'missing-permission',
      severity: 'warning',
      message: `missing permission: ${missing.map((m) => `${m.verb} ${m.label}`).join(', ')}`,
      hint: 'the trace will lack what those give (logs, port-forward); see README, "RBAC" for the minimal ClusterRole',
    });
  }

  progress(
    o.via === 'port-forward' || !ingress.status?.loadBalancer?.ingress?.length
      ? 'opening a port-forward to the controller'
      : 'sending the probe',
  );
  const target = await chooseTarget({ config: o.config, ingress, controller, scheme, via: o.via });
  const ids = { traceId: newTraceId(), rootSpanId: newSpanId(), requestId: '' };
  ids.requestId = ids.traceId;
  const headers: Record<string, string> = {
    'user-agent': 'kubetrace-probe/0.1',
    accept: '*/*',
    ...Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    traceparent: traceparent(ids.traceId, ids.rootSpanId),
    'x-request-id': ids.requestId,
  };
  const ca = [...(o.caFiles ?? []).map((f) => readFileSync(f)), ...clusterCa(o.config)];
  const started = new Date();
  let res: ExchangeResult;
  // Redirects on the same host are followed (at most 5), e.g. ingress-nginx's 308 from http to https;
  // another host never is, and the trace says so. The spans describe the last exchange.
  let hop = { scheme, port: target.port, path: choice.path };
  let sent = headers; // loses its secret headers when a redirect changes the origin
  const redirects: SpanEvent[] = [];
  try {
    for (;;) {
      res = await exchange({
        scheme: hop.scheme,
        address: target.address,
        port: hop.port,
        host: choice.host,
        method,
        path: hop.path,
        headers: sent,
        body: o.body,
        ca,
        insecure: o.insecure,
        timeoutMs: o.timeoutMs ?? 10_000,
        signal: o.signal,
      });
      const next = nextHop(
        res,
        hop,
        choice.host,
        redirects.length,
        (s) =>
          target.kind === 'load-balancer'
            ? loadBalancerTarget(ingress, s)?.port
            : s === hop.scheme
              ? hop.port
              : undefined,
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
  } finally {
    if (target.forward) await target.forward.close().catch(() => {});
  }
  const finalScheme = hop.scheme;
  if (target.forward?.errors.length)
    diagnostics.push({
      code: 'port-forward-error',
      severity: 'error',
      message: target.forward.errors.join('; '),
      hint: 'the port-forward dropped or the pod refused the port',
    });
  diagnostics.push(...responseDiagnostics(res, target));
  const url = `${finalScheme}://${choice.host}${(finalScheme === 'https' && hop.port !== 443) || (finalScheme === 'http' && hop.port !== 80) ? `:${hop.port}` : ''}${hop.path}`;
  const client = clientSpans({
    traceId: ids.traceId,
    rootSpanId: ids.rootSpanId,
    req: {
      scheme: finalScheme,
      address: target.address,
      port: hop.port,
      host: choice.host,
      method,
      path: hop.path,
      headers: sent,
      timeoutMs: 0,
    },
    res,
    target: target.kind,
    url,
    events: redirects,
  });
  const clientWindow = { startUnixNano: res.times.start, endUnixNano: res.times.end ?? res.times.start };

  // Sources: nginx's access log, the backend pods' logs, and a trace backend when the cluster has one.
  const feeds: SpanFeed[] = [];
  const expected: Layer[] = ['client'];
  const nginxState: NginxLogState = { lines: [] };
  const svc = choice.backend?.service?.name;
  const backendNs = o.namespace;
  const podByAddr = podIndex(choice.backend?.endpoints ?? [], backendNs, svc ?? '');
  if (controller.isIngressNginx && controller.pods.length && !res.error?.code.startsWith('ECONNREFUSED')) {
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
      }),
    );
  } else if (controller.isIngressNginx && !controller.pods.length) {
    diagnostics.push({
      code: 'no-access-log-line',
      severity: 'warning',
      message:
        `the ingress-nginx controller pods${controllerNs ? ` (namespace ${controllerNs})` : ''} are not visible with ` +
        `these credentials, so their ` +
        `access log was not read: the trace has no ingress spans`,
      hint: 'grant list pods and get pods/log in the controller\'s namespace (see README, "RBAC")',
    });
  }
  const collectedSpans: Span[] = [];
  const bySource = new Map<string, Span[]>();
  const appLogSeen: { service: string; traceparent?: string; traceId?: string }[] = [];
  const backendPods = tree.snapshot.pods.filter(
    (p) => p.metadata.namespace === backendNs && choice.backend?.endpoints.some((e) => e.pod === p.metadata.name),
  );
  const backends = backendFeeds({
    api: o.api,
    snapshot: tree.snapshot,
    setting: o.traceBackend,
    traceId: ids.traceId,
    namespace: o.namespace,
  });
  feeds.push(...backends.feeds);
  diagnostics.push(...backends.diagnostics);
  if (svc && backendPods.length) {
    feeds.push(
      appLogFeed({
        api: o.api,
        pods: backendPods,
        service: svc,
        ids,
        since: started,
        otherSpans: () => collectedSpans,
        clientWindow,
        seen: appLogSeen,
        backendExpected: backends.feeds.length > 0,
      }),
    );
  }
  // No ready endpoint means nginx answered for the app (503): waiting for app spans would only run out the clock.
  const backendReady = !!choice.backend?.endpoints.some((e) => e.ready);
  if (
    svc &&
    (backends.feeds.length || backendPods.length) &&
    res.status !== undefined &&
    !choice.backend?.missing &&
    backendReady
  )
    expected.push('app');

  progress('collecting spans');
  const got = await gather({
    feeds,
    expected,
    initial: client,
    signal: o.signal,
    maxWaitMs: o.maxWaitMs,
    onResult: (name, r) => {
      bySource.set(name, r.spans);
      collectedSpans.splice(0, collectedSpans.length, ...[...bySource.values()].flat());
    },
  });
  diagnostics.push(
    ...got.diagnostics,
    ...missingLayerDiagnostics(got, {
      controller,
      service: svc,
      backendsFound: backends.feeds.length > 0,
      requestId: ids.requestId,
      via: target.kind,
    }),
    ...propagationDiagnostics(collectedSpans, appLogSeen, ids.traceId),
  );
  const trace = assemble([{ spans: client, diagnostics: [] }, ...got.results], {
    traceId: ids.traceId,
    rootSpanId: ids.rootSpanId,
    diagnostics,
  });
  for (const s of trace.spans) {
    if (s.attributes[PROVISIONAL] !== true) continue;
    delete s.attributes[PROVISIONAL];
    if (s.origin === 'app-log') {
      trace.diagnostics.push({
        code: 'app-spans-missing',
        severity: 'warning',
        spanId: s.spanId,
        message: `${s.service} logged this request as span ${s.spanId}, but its spans never reached the trace backend; the span shown comes from its log line`,
        hint: "check the app's OTLP exporter endpoint and that the backend receives (e.g. its logs)",
      });
    }
  }
  const begin = res.times.dnsStart ?? res.times.connectStart ?? res.times.start;
  const exchangeMs = Number((res.times.end ?? begin) - begin) / 1e6;
  return {
    trace,
    choice,
    url,
    target: { kind: target.kind, address: target.address, port: hop.port, scheme: finalScheme },
    response: {
      status: res.status,
      headers: res.headers,
      body: res.body.toString('utf8'),
      bodyTruncated: res.bodyTruncated,
      error: res.error,
    },
    controllerLog: { pod: nginxState.pod, lines: nginxState.lines.map((l) => l.text) },
    timings: { exchangeMs, readyMs: got.waitedMs, complete: got.complete },
    curl: curlRequest({
      method,
      url,
      target,
      headers,
      body: o.body,
      insecure: o.insecure,
      ca,
      probeTraceId: ids.traceId,
    }),
    ingresses: tree.snapshot.ingresses,
  };
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
