// nginx error-log lines: `2026/11/27 10:00:00 [debug] 12345#12345: *7 http header: "X-Request-ID: abc"`.
// A message with `%N` or a header dump spans several physical lines; those that do not start a
// new record are kept with the record before them. Never throws on bad input.

export interface LogEntry {
  /** Index of the record's first line in the input. */
  index: number;
  time: string;
  level: string;
  pid: string;
  /** `*N`'s N, when the line belongs to a connection. */
  connection?: string;
  /** First line of the message, then any continuation lines. */
  lines: string[];
  /** The physical line reached nginx's length limit, so the message may be cut short. */
  truncated: boolean;
}

const HEAD =
  /(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[(debug|info|notice|warn|error|crit|alert|emerg)\] (\d+)#(\d+): (?:\*(\d+) )?/;
// `kubectl logs --timestamps` and the sandbox's merged pod log put an RFC 3339 time first.
const K8S_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}) /;
const MAX_LINE = 2047; // NGX_MAX_ERROR_STR minus the linefeed
const MAX_CONT = 200; // a header dump is a few dozen lines; cap what one record can swallow

export function* parseErrorLog(lines: Iterable<string>): Generator<LogEntry> {
  let cur: LogEntry | undefined;
  let i = -1;
  for (const raw of lines) {
    i++;
    if (typeof raw !== 'string') continue;
    const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    const body = line.replace(K8S_TS, '');
    const m = HEAD.exec(body);
    // The header must open the line (after an optional prefix of up to 64 characters, e.g. a
    // container-runtime tag); deeper inside it is text of some other record.
    if (m && m.index <= 64) {
      if (cur) yield cur;
      cur = {
        index: i,
        time: m[1],
        level: m[2],
        pid: m[3],
        connection: m[5],
        lines: [body.slice(m.index + m[0].length)],
        truncated: body.length - m.index >= MAX_LINE - 8,
      };
      continue;
    }
    if (cur && cur.lines.length < MAX_CONT) cur.lines.push(body);
    else if (cur) {
      yield cur;
      cur = undefined;
    }
  }
  if (cur) yield cur;
}

/** The message with `k` continuation lines, joined the way nginx wrote them. */
export function messageOf(e: LogEntry, k = e.lines.length - 1): string {
  return k <= 0 ? e.lines[0] : e.lines.slice(0, k + 1).join('\n');
}

const ID_HEADER = /^http2? header: "x-request-id: (.*)"\s*$/is;

/** The request id an `http header:` line carries, if it is the X-Request-ID header. */
export function requestIdOf(e: LogEntry): string | undefined {
  if (e.level !== 'debug') return undefined;
  return ID_HEADER.exec(e.lines[0])?.[1];
}
