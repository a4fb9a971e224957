// The access-log feed of a controller whose log is not nginx's (HAProxy today): its registry format's parser
// (`parserFor`, src/core/ingest/controller-log/formats.ts) reads the data-plane pod's log, and the probe's line is
// found as docs/ARCHITECTURE.md says: by the request id the line carries, else by method + path + status inside the
// probe's time window.
import { readPodLog, type PodLogLine } from '../kube/logs';
import type { Pod } from '../kube/objects';
import type { FormatId } from '../controllers';
import { parserFor, type ProxyLogParser } from '../ingest/controller-log/formats';
import type { SpanBatch } from '../trace/model';
import type { SpanFeed } from './gather';
import type { MatchedBy, ProbeLineKeys } from './find-line';
import type { NginxLogState, ProbeIds } from './feeds';

// HAProxy's [%tr] has milliseconds but the line is written at the end; allow a second either way, as for nginx.
const SLACK_MS = 1000;
const bare = (p: string | undefined) => (p ?? '').split('?')[0];

/** The same keys the nginx line matcher uses (find-line.ts). */
export type ProxyLineKeys = ProbeLineKeys;

export interface ProxyLine {
  batch: SpanBatch;
  by: MatchedBy;
  candidates: number;
}

/**
 * The probe's line among `lines` (oldest first; the newest match wins, as after redirects), turned into spans by
 * `spansOf`. Only lines the parser reads are considered; the request id first, then the time window.
 */
export function findProxyLine(
  lines: string[],
  parser: ProxyLogParser,
  k: ProxyLineKeys,
  spansOf: (record: unknown) => SpanBatch,
): ProxyLine | undefined {
  const inWindow: SpanBatch[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const r = parser.parse(lines[i]);
    if (!('record' in r)) continue;
    const id = parser.requestId(r.record);
    if (id && (id === k.requestId || id === k.traceId))
      return { batch: spansOf(r.record), by: 'request-id', candidates: 1 };
    if (id) continue; // another request's line
    const t = parser.timeUnixMs(r.record);
    if (t === undefined || t < k.window.startMs - SLACK_MS || t > k.window.endMs + SLACK_MS) continue;
    // Method, path and status as the format's span builder reads them, so every format is matched alike.
    const batch = spansOf(r.record);
    const a = batch.spans.find((s) => s.kind === 'server')?.attributes ?? {};
    if (a['http.request.method'] !== k.method || bare(String(a['url.path'] ?? '')) !== bare(k.path)) continue;
    if (k.status !== undefined && a['http.response.status_code'] !== k.status) continue;
    inWindow.push(batch);
  }
  return inWindow.length ? { batch: inWindow[0], by: 'time', candidates: inWindow.length } : undefined;
}

export function proxyLogFeed(o: {
  api: Parameters<typeof readPodLog>[0];
  pods: Pod[];
  ids: ProbeIds;
  since: Date;
  clientWindow: { startUnixNano: bigint; endUnixNano: bigint };
  podByAddr: (addr: string) => { pod: string; namespace?: string; node?: string; service?: string } | undefined;
  state: NginxLogState;
  request: { method: string; path: string; status?: number };
  format: FormatId;
  /** The registry module's id, the spans' service. */
  service: string;
  serverAttributes?: Record<string, string>;
  container?: string;
  /** What adds the request id to this controller's log, for the time-match hint. */
  setting: string;
}): SpanFeed {
  const parser = parserFor(o.format);
  let found: SpanBatch | undefined;
  const toMs = (n: bigint) => Number(n / 1_000_000n);
  return {
    name: `${o.service} access log`,
    async poll(signal): Promise<SpanBatch> {
      // Once found the line never changes: later polls return the same spans (same ids), so the trace goes quiet.
      if (found) return found;
      for (const pod of o.pods) {
        const lines: PodLogLine[] = await readPodLog(o.api, pod.metadata.namespace ?? 'default', pod.metadata.name, {
          sinceTime: new Date(o.since.getTime() - 1000),
          signal,
          ...(o.container && pod.spec?.containers?.some((c) => c.name === o.container)
            ? { container: o.container }
            : {}),
        });
        const spansOf = (record: unknown) =>
          parser.spans(record, {
            traceId: o.ids.traceId,
            parentSpanId: o.ids.rootSpanId,
            clientWindow: o.clientWindow,
            service: o.service,
            controllerPod: pod.metadata.name,
            controllerNode: pod.spec?.nodeName,
            podByAddr: o.podByAddr,
          });
        const hit = findProxyLine(
          lines.map((l) => l.text),
          parser,
          {
            requestId: o.ids.requestId,
            traceId: o.ids.traceId,
            ...o.request,
            window: { startMs: toMs(o.clientWindow.startUnixNano), endMs: toMs(o.clientWindow.endUnixNano) },
          },
          spansOf,
        );
        if (!hit) continue;
        o.state.lines = lines;
        o.state.pod = pod;
        return (found = finish(hit, o));
      }
      return { spans: [], diagnostics: [] };
    },
  };
}

function finish(hit: ProxyLine, o: { serverAttributes?: Record<string, string>; setting: string }): SpanBatch {
  const { batch } = hit;
  const server = batch.spans.find((s) => s.kind === 'server' && s.layer === 'ingress');
  if (server) Object.assign(server.attributes, o.serverAttributes, { 'kubetrace.log.matchedBy': hit.by });
  if (hit.by === 'time')
    batch.diagnostics.push({
      code: 'matched-by-time',
      severity: hit.candidates > 1 ? 'warning' : 'info',
      spanId: server?.spanId,
      message:
        `the access-log line was matched by method, path, status and time ` +
        `(${hit.candidates} candidate${hit.candidates === 1 ? '' : 's'}): the log carries no request id`,
      hint: `log the request id: ${o.setting}`,
    });
  return batch;
}

/**
 * Whether a data plane whose access log is off by default has it on: the last lines of its first pod's log hold
 * one its format's parser reads (a request that passed before the probe, or the probe's own). A log that cannot be
 * read counts as off; the probe goes on without the ingress layer.
 */
export async function logIsOn(
  api: Parameters<typeof readPodLog>[0],
  pods: Pod[],
  container: string,
  format: FormatId,
  signal?: AbortSignal,
): Promise<boolean> {
  const pod = pods[0];
  if (!pod) return false;
  const parser = parserFor(format);
  try {
    const lines = await readPodLog(api, pod.metadata.namespace ?? 'default', pod.metadata.name, {
      tailLines: 200,
      signal,
      ...(pod.spec?.containers?.some((c) => c.name === container) ? { container } : {}),
    });
    return lines.some((l) => 'record' in parser.parse(l.text));
  } catch {
    return false;
  }
}
