// The common access line: one upstream try below 500 with its connect, header and response times, `$msec` and a
// request id that is a trace id, placed without scaling. Its trace is always the same five spans (nginx →
// upstream.attempt → connect, header, response, as nginxSpansFromRecord makes them) and its critical path follows
// from their times, so the big-log readers take what they need from the times alone: `import --json` writes the
// trace's JSON straight (src/cli/log-json-plain.ts), `import --summary` measures the request straight
// (core/burst/plain-measure.ts). Each is compared with the usual way on random lines by its test.
import { isTraceId } from '../../ids';
import { placeAttempts, placeNginx, type AttemptPlacement, type NginxPlacement, type Window } from './placement';
import type { AccessLogRecord, UpstreamTry } from './types';

export interface PlainLine {
  traceId: string;
  try: UpstreamTry;
  nginx: NginxPlacement;
  attempt: AttemptPlacement;
  /** The phases, back to back from the try's start to its end: connect, header, response. */
  phases: [Window, Window, Window];
}

/** The line's placement when it is of the common kind, else undefined (it goes the usual way). */
export function plainLine(rec: AccessLogRecord): PlainLine | undefined {
  if (rec.upstreams.length !== 1 || rec.warnings.length || rec.vars.msec === undefined) return undefined;
  const t = rec.upstreams[0];
  if (!t.addr || t.group !== 0 || t.status === undefined || t.status >= 500) return undefined;
  if (t.responseTime === undefined || t.connectTime === undefined || t.headerTime === undefined) return undefined;
  const traceId = rec.reqId?.toLowerCase();
  if (traceId === undefined || !isTraceId(traceId)) return undefined;
  const nginx = placeNginx(rec);
  if (nginx.placement !== 'exact') return undefined;
  const { attempts, scaled } = placeAttempts(rec.upstreams, nginx);
  const a = attempts[0];
  if (scaled || !a.connect || !a.header || !a.response || a.headerMissing) return undefined;
  return { traceId, try: t, nginx, attempt: a, phases: [a.connect, a.header, a.response] };
}
