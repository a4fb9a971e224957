// A common access line's numbers for the breakdown (`import --summary`) taken straight from its times: what
// measureRequest and summarizeRequest (measure.ts) give for its trace, without making the trace. The line's five spans
// are all the ingress's, so its layer time is its whole duration; its critical path (core/ingest/nginx-log/plain.ts)
// gives the nginx span the time before the try and each phase with a length all of its own. Making, finishing and
// walking the trace was most of reading such a line. test/unit/plain-measure.test.ts compares the two on random lines.
import { LAYERS } from '../../protocol/vocabulary';
import { plainLine } from '../ingest/nginx-log/plain';
import { urlPath } from '../ingest/nginx-log/spans';
import type { AccessLogRecord } from '../ingest/nginx-log/types';
import { BEFORE_UPSTREAM, httpStatus, spanKey, type RequestMeasure, type SpanKey } from './measure';
import type { RequestSummary } from './model';

const SERVICE = 'ingress-nginx';
const NAMES = ['nginx', 'upstream.attempt', 'upstream.connect', 'upstream.header', 'upstream.response'];
const KEYS = NAMES.map((n) => spanKey('ingress', SERVICE, n));
const BEFORE = spanKey('ingress', SERVICE, `nginx${BEFORE_UPSTREAM}`);
const INGRESS = LAYERS.indexOf('ingress');

const ms = (ns: bigint): number => Number(ns) / 1e6;

export interface PlainRequest {
  measure: RequestMeasure;
  summary: RequestSummary;
}

/** The request's measure and summary when the line is of the common kind, else undefined (it goes the usual way). */
export function plainMeasure(rec: AccessLogRecord): PlainRequest | undefined {
  const plain = plainLine(rec);
  if (!plain) return undefined;
  const { nginx, attempt } = plain;
  const windows = [nginx, attempt, ...plain.phases];
  const start = nginx.startUnixNano;
  const total = nginx.endUnixNano > start ? nginx.endUnixNano - start : 0n;
  // As summarizeRequest reads it from the span's attributes.
  const status = httpStatus(rec.status);
  const summary: RequestSummary = {
    traceId: plain.traceId,
    startUnixNano: String(start),
    durationMs: ms(total),
    complete: true,
    newConnection: false,
  };
  if (status !== undefined) summary.status = status;
  if (rec.method) summary.method = rec.method;
  if (rec.uri !== undefined) summary.path = urlPath(rec.uri);

  // Owned time per span, in the critical path's order: nginx before the try (the try ends with nginx, so a try of
  // no length leaves nginx all of it), then each phase. The try's own section is empty.
  const owned: [number, bigint][] = [[0, attempt.startUnixNano - start]];
  for (let k = 2; k < 5; k++) owned.push([k, windows[k].endUnixNano - windows[k].startUnixNano]);
  const layerMs = LAYERS.map(() => 0);
  const measure: RequestMeasure = {
    durationMs: ms(total),
    startNs: start,
    layerMs,
    spans: [],
    owned: new Map<SpanKey, number>(),
    retried: [],
  };
  let covered = 0n;
  for (const [k, d] of owned) {
    if (d <= 0n) continue;
    covered += d;
    measure.owned.set(KEYS[k], ms(d));
  }
  layerMs[INGRESS] = ms(covered);
  for (let k = 0; k < 5; k++) {
    const w = windows[k];
    measure.spans.push([KEYS[k], w.endUnixNano > w.startUnixNano ? ms(w.endUnixNano - w.startUnixNano) : 0]);
  }
  measure.spans.push([BEFORE, ms(attempt.startUnixNano - start)]);
  measure.pod = plain.try.addr as string;
  measure.status = status;
  if (status !== undefined && status >= 500) {
    // nginx answered 5xx itself: its one try answered below 500. No error line was attached, yet measureRequest
    // sets the key (test/unit/plain-measure.test.ts compares the two whole).
    measure.failedLayer = 'ingress';
    measure.error = undefined;
  }
  return { measure, summary };
}
