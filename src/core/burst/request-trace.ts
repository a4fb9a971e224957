// One request of a burst while its spans arrive (Pending), once its trace is decided (Decided), and the trace
// assembled from it: what burst/collect.ts keeps per request, apart from how it reads the feeds.
import { appLogSpan } from '../probe/feeds';
import type { ProbeIds } from '../probe/feeds';
import { responseDiagnostics } from '../probe/diagnose';
import { assembleProbe } from '../probe/finish';
import type { Sent } from '../probe/send';
import type { Target } from '../probe/target';
import type { Diagnostic, Layer, Span, SpanBatch, Trace } from '../trace/model';
import type { AppLines } from './app-log-reader';
import type { FoundLine } from './log-reader';

export interface Pending {
  ids: ProbeIds;
  sent?: Sent;
  answeredAt?: number;
  line?: FoundLine;
  ingress?: SpanBatch;
  app?: Span[];
  /** The backend pods' log lines about this request, as they arrived. */
  appLogs?: AppLines[];
  /** Its app spans form a closed tree with the client's: the trace backend need not be asked again. */
  appSettled?: boolean;
  /** The spans built from appLogs, and what they were built from (rebuilt only when that changes). */
  logSpans?: { from: string; spans: Span[] };
  lastNew: number;
  spanCount: number;
  /** Whether the trace backend was read after the answer: a closed tree counts only then. */
  readAfterAnswer?: boolean;
}

/** A request whose trace is decided (complete, or given up on), waiting to be assembled. */
export interface Decided {
  p: Pending & { sent: Sent };
  logSpans: Span[];
  missing: Layer[];
  complete: boolean;
}

/** The request's app-log spans, built as a probe builds them (probe/feeds.ts), one per pod that logged it. */
export function appLogSpans(p: Pending & { sent: Sent }, backendExpected: boolean): Span[] {
  if (!p.appLogs?.length) return [];
  const from = `${p.appLogs.length}/${p.app?.length ?? 0}`;
  if (p.logSpans?.from === from) return p.logSpans.spans;
  const spans = p.appLogs.map((a) =>
    appLogSpan(a.lines, {
      ids: p.ids,
      service: a.service,
      pod: a.pod,
      existing: p.app ?? [],
      clientWindow: p.sent.clientWindow,
      backendExpected,
    }),
  );
  p.logSpans = { from, spans };
  return spans;
}

/** The decided request's trace, as a probe assembles its own (probe/finish.ts), saying what it lacks if incomplete. */
export function assemble({ p, logSpans, missing, complete }: Decided, target: Target): Trace {
  const sent = p.sent;
  const diagnostics: Diagnostic[] = [...sent.diagnostics, ...responseDiagnostics(sent.res, target)];
  if (!complete)
    diagnostics.push({
      code: 'burst-trace-incomplete',
      severity: 'warning',
      message: missing.length
        ? `no ${missing.join(' or ')} spans arrived for this request before the burst stopped waiting`
        : 'spans were still arriving when the burst stopped waiting',
      hint: 'the burst waits a few seconds after its last answer; the trace shows what arrived by then',
    });
  const results: SpanBatch[] = [];
  if (p.ingress) results.push(p.ingress);
  if (p.app) results.push({ spans: p.app, diagnostics: [] });
  if (logSpans.length) results.push({ spans: logSpans, diagnostics: [] });
  return assembleProbe(p.ids, sent.client, results, diagnostics);
}
