// Which logs a burst follows, decided once before its first request as probe/collect.ts decides for one probe: the
// controller's access log when Kubetrace can read it (nginx's by find-line.ts, another proxy's by its format's
// parser), and the logs of every backend pod that may answer. Also how a found access line becomes ingress spans.
import { parsesAccessLog, readsAccessLog } from '../controllers';
import { parserFor } from '../ingest/controller-log/formats';
import type { KubeRequester } from '../kube/request';
import { nginxBatch, type NginxBatchContext } from '../probe/feeds';
import { logIsOn } from '../probe/proxy-log';
import type { Resolved } from '../probe/resolve';
import type { SpanBatch } from '../trace/model';
import { AppLogReader } from './app-log-reader';
import { ControllerLogReader, type FoundLine } from './log-reader';

/**
 * nginx's log, another proxy's, or `maybe`: a log that is off by default showed no access line before the burst,
 * so the burst's own first lines decide (BurstCollector).
 */
export type IngressMode = 'nginx' | 'proxy' | 'maybe';

export async function openLogs(
  r: Resolved,
  api: KubeRequester,
  signal: AbortSignal,
): Promise<{ ingress?: IngressMode; log?: ControllerLogReader; openAppLog?: () => AppLogReader }> {
  const module = r.controller.module;
  const since = new Date();
  let ingress: IngressMode | undefined;
  let log: ControllerLogReader | undefined;
  if (module && r.controller.pods.length) {
    const other = module.family !== 'nginx' && parsesAccessLog(module);
    if (!other && readsAccessLog(module)) ingress = 'nginx';
    else if (other)
      ingress =
        readsAccessLog(module) ||
        (await logIsOn(api, r.controller.pods, module.accessLog.container, module.accessLog.format, signal))
          ? 'proxy'
          : 'maybe';
    if (ingress)
      log = new ControllerLogReader({
        api,
        pods: r.controller.pods,
        container: module.accessLog.container,
        since,
        signal,
        ...(ingress !== 'nginx' ? { format: module.accessLog.format } : {}),
      });
  }
  const pods = servedBackends(r).flatMap((b) =>
    r.snapshot.pods
      .filter((p) => p.metadata.namespace === r.backendNamespace && b.endpoints.some((e) => e.pod === p.metadata.name))
      .map((pod) => ({ pod, service: b.service?.name ?? '' })),
  );
  const openAppLog = pods.length ? () => new AppLogReader({ api, pods, since, signal }) : undefined;
  return { ingress, log, openAppLog };
}

/** The ingress spans of a request's access line, as probe/feeds.ts (nginx) and probe/proxy-log.ts (others) build them. */
export function ingressBatch(line: FoundLine, ctx: NginxBatchContext, r: Resolved): SpanBatch {
  if ('hit' in line) return nginxBatch(line.hit, line.texts, line.pod, ctx);
  const module = r.controller.module!;
  const batch = parserFor(module.accessLog.format).spans(line.record, {
    traceId: ctx.traceId,
    parentSpanId: ctx.rootSpanId,
    clientWindow: ctx.clientWindow,
    service: module.id,
    controllerPod: line.pod.metadata.name,
    controllerNode: line.pod.spec?.nodeName,
    podByAddr: ctx.podByAddr,
  });
  const server = batch.spans.find((s) => s.kind === 'server' && s.layer === 'ingress');
  if (server) Object.assign(server.attributes, ctx.serverAttributes, { 'kubetrace.log.matchedBy': 'request-id' });
  return batch;
}

/** The chosen backend and every other backend of its rule that gets traffic (a weighted split). */
export function servedBackends(r: Resolved) {
  const { choice } = r;
  const others = (choice.route?.backends ?? []).filter(
    (b) => b !== choice.backend && b.service && (b.weight === undefined || b.weight > 0),
  );
  return [...(choice.backend ? [choice.backend] : []), ...others];
}
