// The span feeds of one probe: the controller's access log (and its debug lines), app logs, and a trace backend.
import { createHash } from 'node:crypto';
import type { KubeRequester } from '../kube/request';
import { readPodLog, type PodLogLine } from '../kube/logs';
import type { Pod } from '../kube/objects';
import type { Endpoint } from '../kube/routes';
import { nginxSpansFromRecord } from '../ingest/nginx-log/spans';
import { attachErrorLines } from '../ingest/controller-log/probe-errors';
import { appLogEvents, derivedAppSpan, matchAppLogLines, type AppLogLine } from '../ingest/app-log';
import type { Span, SpanBatch } from '../trace/model';
import type { SpanFeed } from './gather';
import { findProbeLine, type ProbeLine } from './find-line';

/** Marks a span derived from a log line of an app that exports real spans; the real one should replace it. */
export const PROVISIONAL = 'kubetrace.provisional';

export interface ProbeIds {
  traceId: string;
  rootSpanId: string;
  requestId: string;
}

/** Endpoint address -> pod, from the route tree, so `$upstream_addr` names a pod. */
export function podIndex(endpoints: Endpoint[], namespace: string, service: string) {
  const byAddr = new Map(endpoints.map((e) => [`${e.ip}:${e.port}`, e]));
  return (addr: string) => {
    const e = byAddr.get(addr);
    return e ? { pod: e.pod ?? e.ip, namespace, node: e.node, service } : undefined;
  };
}

export interface NginxLogState {
  lines: PodLogLine[];
  pod?: Pod;
}

export function nginxLogFeed(o: {
  api: KubeRequester;
  pods: Pod[];
  ids: ProbeIds;
  since: Date;
  clientWindow: { startUnixNano: bigint; endUnixNano: bigint };
  podByAddr: (addr: string) => { pod: string; namespace?: string; node?: string; service?: string } | undefined;
  state: NginxLogState;
  /** What the probe sent, to find its line when the format logs no request id. */
  request: { method: string; path: string; status?: number };
  /** The controller's name for the spans' service, and the attributes its server span carries. */
  service?: string;
  serverAttributes?: Record<string, string>;
  /** The access-log container of the data-plane pods. */
  container?: string;
  /** What turns on exact timings in this controller's log (its registry entry's access-log setting). */
  timingSetting?: string;
}): SpanFeed {
  // Once the line is found it never changes: later polls return the same spans (same ids), so the collector
  // sees nothing new and the trace can become complete.
  let found: SpanBatch | undefined;
  const toMs = (n: bigint) => Number(n / 1_000_000n);
  return {
    name: `${o.service ?? 'ingress-nginx'} access log`,
    async poll(signal): Promise<SpanBatch> {
      if (found) return found;
      for (const pod of o.pods) {
        const lines = await readPodLog(o.api, pod.metadata.namespace ?? 'ingress-nginx', pod.metadata.name, {
          sinceTime: new Date(o.since.getTime() - 1000),
          signal,
          ...(o.container && pod.spec?.containers?.some((c) => c.name === o.container)
            ? { container: o.container }
            : {}),
        });
        const texts = lines.map((l) => l.text);
        const hit = findProbeLine(texts, {
          requestId: o.ids.requestId,
          traceId: o.ids.traceId,
          ...o.request,
          window: { startMs: toMs(o.clientWindow.startUnixNano), endMs: toMs(o.clientWindow.endUnixNano) },
        });
        if (!hit) continue;
        o.state.lines = lines;
        o.state.pod = pod;
        const batch = nginxBatch(hit, texts, pod, { ...o, traceId: o.ids.traceId, rootSpanId: o.ids.rootSpanId });
        return (found = batch);
      }
      return { spans: [], diagnostics: [] };
    },
  };
}

export interface NginxBatchContext {
  traceId: string;
  rootSpanId: string;
  clientWindow: { startUnixNano: bigint; endUnixNano: bigint };
  podByAddr: (addr: string) => { pod: string; namespace?: string; node?: string; service?: string } | undefined;
  service?: string;
  serverAttributes?: Record<string, string>;
  /** For a controller other than ingress-nginx: the setting that gives its log exact upstream timings. */
  timingSetting?: string;
}

/** The ingress spans of one probe's access-log line, with the nginx error lines about it as events. */
export function nginxBatch(hit: ProbeLine, texts: string[], pod: Pod, o: NginxBatchContext): SpanBatch {
  const batch = nginxSpansFromRecord(hit.record, {
    traceId: o.traceId,
    parentSpanId: o.rootSpanId,
    clientWindow: o.clientWindow,
    controllerPod: pod.metadata.name,
    controllerNode: pod.spec?.nodeName,
    podByAddr: o.podByAddr,
    ...(o.service ? { service: o.service } : {}),
  });
  // nginx error lines about this request (written before its access line) become events on its spans.
  attachErrorLines(batch, hit.record, texts, hit.index);
  // The parser's hint names ingress-nginx's setting; another controller's log is changed elsewhere.
  if (o.timingSetting)
    for (const d of batch.diagnostics)
      if (d.code.startsWith('nginx-placement-')) d.hint = `For exact timings: ${o.timingSetting}.`;
  const server = batch.spans.find((s) => s.name === 'nginx' && s.kind === 'server');
  if (server) Object.assign(server.attributes, o.serverAttributes, { 'kubetrace.log.matchedBy': hit.by });
  if (hit.by === 'time')
    batch.diagnostics.push({
      code: 'matched-by-time',
      severity: hit.candidates > 1 ? 'warning' : 'info',
      spanId: server?.spanId,
      message:
        `the access-log line was matched by method, path, status and time ` +
        `(${hit.candidates} candidate${hit.candidates === 1 ? '' : 's'}): the log carries neither the request id nor the marker`,
      hint: 'add $request_id or $http_user_agent to the access-log format, or probe with --mark query',
    });
  return batch;
}

/** Log lines of the backend pods that carry the probe's ids: events on the app span, or a derived span when the app has none. */
export function appLogFeed(o: {
  api: KubeRequester;
  pods: Pod[];
  service: string;
  ids: ProbeIds;
  since: Date;
  otherSpans: () => Span[];
  clientWindow: { startUnixNano: bigint; endUnixNano: bigint };
  /** Filled with the matched lines' propagation facts, for diagnostics. */
  seen: { service: string; traceparent?: string; traceId?: string }[];
  /** Whether a trace backend is being read: only then can a logged span's real version still arrive. */
  backendExpected?: boolean;
}): SpanFeed {
  return {
    name: `${o.service} logs`,
    intervalMs: 40,
    async poll(signal): Promise<SpanBatch> {
      const spans: Span[] = [];
      for (const pod of o.pods) {
        const lines = await readPodLog(o.api, pod.metadata.namespace ?? 'default', pod.metadata.name, {
          sinceTime: new Date(o.since.getTime() - 1000),
          signal,
        });
        const matched = matchAppLogLines(
          lines.map((l) => l.text),
          { requestId: o.ids.requestId, traceId: o.ids.traceId },
        );
        if (!matched.length) continue;
        o.seen.splice(
          0,
          o.seen.length,
          ...matched
            .filter((m) => m.requestId === o.ids.requestId)
            .map((m) => ({
              service: o.service,
              traceparent: m.traceparent ?? m.fields.traceparent,
              traceId: m.traceId,
            })),
        );
        spans.push(appLogSpan(matched, { ...o, pod, existing: o.otherSpans() }));
      }
      return { spans, diagnostics: [] };
    },
  };
}

/**
 * One pod's matched log lines as a span of the probe's trace: events on the app's instrumented server span when the
 * trace has it, else a span derived from the lines (a burst builds them the same way, burst/collect.ts).
 */
export function appLogSpan(
  matched: AppLogLine[],
  o: {
    ids: ProbeIds;
    service: string;
    pod: Pod;
    existing: Span[];
    clientWindow: { startUnixNano: bigint; endUnixNano: bigint };
    backendExpected?: boolean;
  },
): Span {
  const existing = o.existing.find((s) => s.service === o.service && s.kind === 'server' && s.origin !== 'app-log');
  // Log lines join the instrumented span as events; the span itself comes from the trace backend.
  if (existing) return { ...existing, attributes: {}, events: appLogEvents(matched), origin: 'app-log' };
  // An instrumented app logs its span id: the derived span takes that id, so the real span replaces it when the
  // trace backend delivers, and it does not count as the app layer until then (provisional).
  const line = matched.find((m) => m.requestId === o.ids.requestId) ?? matched[0];
  const loggedId = line.spanId && /^[0-9a-f]{16}$/.test(line.spanId) ? line.spanId : undefined;
  // The same line gives the same id on every poll, so a re-read is not a "new" span.
  const spanId = loggedId ?? createHash('sha256').update(`${o.ids.traceId}\n${line.raw}`).digest('hex').slice(0, 16);
  const s = derivedAppSpan(line, {
    traceId: o.ids.traceId,
    parentSpanId: o.ids.rootSpanId,
    service: o.service,
    pod: o.pod.metadata.name,
    node: o.pod.spec?.nodeName,
    fallbackWindow: o.clientWindow,
    newSpanId: () => spanId,
  });
  if (loggedId && o.backendExpected !== false) s.attributes[PROVISIONAL] = true;
  s.events.push(...appLogEvents(matched));
  return s;
}
