// Finds the probe's own line in an nginx-family access log, in the order docs/ARCHITECTURE.md gives:
// the request id field; the User-Agent or query marker; method + path + status inside the probe's time window.
import { NGINX_ERROR_HEAD } from '../ingest/controller-log/classify';
import { looksLikeAccessLog, parseAccessLogLine } from '../ingest/nginx-log/parse';
import type { AccessLogRecord } from '../ingest/nginx-log/types';
import { QUERY_MARK, markOf, queryMarkOf, queryMarks, userAgentMarks } from './mark';

export interface ProbeLineKeys {
  requestId: string;
  traceId: string;
  method: string;
  /** The path as sent, query included. */
  path: string;
  status?: number;
  /** The probe's request window, Unix ms. */
  window: { startMs: number; endMs: number };
}

export type MatchedBy = 'request-id' | 'marker' | 'time';

export interface ProbeLine {
  record: AccessLogRecord;
  line: string;
  /** Its position in `lines` (0-based), so that the error lines around it can be read. */
  index: number;
  by: MatchedBy;
  /** How many lines fit the time-window match (1 means it was unambiguous). */
  candidates: number;
}

// `$time_local` has whole seconds; `$msec` is the line's end time. Either way allow a second of slack.
const SLACK_MS = 1000;
const bare = (p: string | undefined) => (p ?? '').split('?')[0];

/** `lines` oldest first; the newest matching line wins (after redirects, that is the exchange the spans describe). */
export function findProbeLine(lines: string[], k: ProbeLineKeys): ProbeLine | undefined {
  type Parsed = { record: AccessLogRecord; line: string; index: number };
  const parse = (from: (line: string) => boolean): Parsed[] => {
    const out: Parsed[] = [];
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i];
      if (!from(line)) continue;
      const r = parseAccessLogLine(line);
      if ('record' in r) out.push({ record: r.record, line, index: i });
    }
    return out;
  };
  // The request id and both marks hold the id verbatim, so only the lines that mention it are parsed for them; a
  // busy controller's log is read in full only for the time-window fallback.
  const mentioning = parse((l) => l.includes(k.requestId) || l.includes(k.traceId));
  const own = (id: string) => id === k.requestId || id === k.traceId;
  for (const by of ['request-id', 'marker'] as const) {
    const hit = mentioning.find((x) => markedBy(x.record, own)?.by === by);
    if (hit) return { ...hit, by, candidates: 1 };
  }
  const records = parse(looksLikeAccessLog);
  const inWindow = records.filter((x) => {
    const r = x.record;
    if (r.method !== k.method || bare(r.uri) !== bare(k.path)) return false;
    if (k.status !== undefined && r.status !== k.status) return false;
    const t = r.msec !== undefined ? r.msec * 1000 : r.timeUnixMs;
    return t !== undefined && t >= k.window.startMs - SLACK_MS && t <= k.window.endMs + SLACK_MS;
  });
  if (!inWindow.length) return undefined;
  return { ...inWindow[0], by: 'time', candidates: inWindow.length };
}

/**
 * Which probe a parsed line belongs to: its request id field, else the User-Agent or query mark, when `isOurs`
 * knows that id. A probe's request id is its trace id (docs/ARCHITECTURE.md).
 */
export function markedBy(
  r: AccessLogRecord,
  isOurs: (id: string) => boolean,
): { id: string; by: MatchedBy } | undefined {
  if (r.reqId && isOurs(r.reqId)) return { id: r.reqId, by: 'request-id' };
  const ua = r.userAgent ? markOf(r.userAgent) : undefined;
  if (ua && isOurs(ua) && userAgentMarks(r.userAgent, ua)) return { id: ua, by: 'marker' };
  const q = r.uri?.includes(`${QUERY_MARK}=`) ? queryMarkOf(r.uri) : undefined;
  if (q && isOurs(q) && queryMarks(r.uri, q)) return { id: q, by: 'marker' };
  return undefined;
}

/**
 * The lines of many probes at once (a burst): every access line is parsed once and assigned by its request id or
 * mark; the time-window fallback is left out, since concurrent requests to one path cannot be told apart by time.
 */
export function findProbeLines(lines: string[], isOurs: (id: string) => boolean): Map<string, ProbeLine> {
  const out = new Map<string, ProbeLine>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // An error-log line is never an access line (classify.ts tells them apart in that order); a debug error log
    // writes a hundred of them a request, and this skips them for the price of two characters.
    if (line.charCodeAt(4) === 47 /* / */ && line.charCodeAt(7) === 47 && NGINX_ERROR_HEAD.test(line)) continue;
    if (!looksLikeAccessLog(line)) continue;
    const r = parseAccessLogLine(line);
    if (!('record' in r)) continue;
    const m = markedBy(r.record, isOurs);
    // The newest line wins, as for one probe (after redirects it is the exchange the spans describe).
    if (m) out.set(m.id, { record: r.record, line, index: i, by: m.by, candidates: 1 });
  }
  return out;
}
