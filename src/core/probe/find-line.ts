// Finds the probe's own line in an nginx-family access log, in the order docs/ARCHITECTURE.md gives:
// the request id field; the User-Agent or query marker; method + path + status inside the probe's time window.
import { looksLikeAccessLog, parseAccessLogLine } from '../ingest/nginx-log/parse';
import type { AccessLogRecord } from '../ingest/nginx-log/types';
import { queryMarks, userAgentMarks } from './mark';

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
  const byId = mentioning.find((x) => k.requestId !== '' && x.record.reqId === k.requestId);
  if (byId) return { ...byId, by: 'request-id', candidates: 1 };
  const byMark = mentioning.find(
    (x) => userAgentMarks(x.record.userAgent, k.traceId) || queryMarks(x.record.uri, k.traceId),
  );
  if (byMark) return { ...byMark, by: 'marker', candidates: 1 };
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
