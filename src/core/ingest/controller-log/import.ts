// `kubetrace import` of a proxy's log as `kubectl logs` prints it: every line is classified, access lines become one
// trace each (whatever the family: nginx, Envoy/Istio, Traefik, HAProxy), nginx error lines become events on the
// requests they explain, and everything else is counted. Only access-looking lines that cannot be read are reported.
import { isTraceId } from '../../ids';
import type { Trace } from '../../trace/model';
import { parseNginxErrorLine } from '../nginx-log/error-line';
import { pooledTraceId } from '../nginx-log/pooled-ids';
import type { AccessLogRecord } from '../nginx-log/types';
import { clip } from '../nginx-log/values';
import { ErrorAttacher } from './attach';
import { classifyLine, stripRuntimePrefix, type FormatFamily } from './classify';
import { emptyCounts, type LineCounts } from './counts';
import { familyParser, type ProxyLogParser } from './formats';

export type LogImportItem =
  | { trace: Trace }
  | { lineNumber: number; error: string; line: string }
  | {
      counts: LineCounts;
      /** The latest log time the error matching reached (Unix ms): where a reader of the next lines starts. */
      time: number;
      /** Whether error matching ever held state (an error waiting, a connection's id), see ErrorAttacher. */
      stateful: boolean;
    }; // last item

export interface LogImportOptions {
  /** Only this family's access lines are read (`--format`); other families' access lines are reported. */
  family?: FormatFamily;
  /** The numbers the given lines have in their file, when only some of its lines are given (one request read again). */
  lineNumbers?: readonly number[];
  /** The number of the first line given, when the lines start inside a file (default 1). */
  firstLine?: number;
  /** The log time error matching starts from (the `time` a reader of the lines before reached; default 0). */
  startTime?: number;
  /**
   * Offered each nginx access line's record that no error line waits for, before its trace is made. Returning true
   * takes the request: no trace is made of it. `import --json` writes the common line's JSON this way, without the
   * objects (src/cli/log-json-plain.ts).
   */
  plain?: (record: AccessLogRecord, lineNumber: number) => boolean;
}

export async function* importControllerLog(
  lines: AsyncIterable<string>,
  opts: LogImportOptions = {},
): AsyncGenerator<LogImportItem> {
  const reader = new ControllerLogReader(opts);
  const out: LogImportItem[] = [];
  for await (const raw of lines) {
    reader.line(raw, out);
    if (out.length) {
      yield* out;
      out.length = 0;
    }
  }
  reader.end(out);
  yield* out;
}

/**
 * The same reading, one line at a time and synchronously (a worker reads a chunk of a log this way, see
 * core/burst/log-chunks.ts). Items go into `out` in the order importControllerLog yields them.
 */
export class ControllerLogReader {
  private readonly counts = emptyCounts();
  private readonly errors: ErrorAttacher;
  private n: number;
  private k = 0;

  constructor(private readonly opts: LogImportOptions = {}) {
    this.errors = new ErrorAttacher(opts.startTime);
    this.n = (opts.firstLine ?? 1) - 1;
  }

  line(raw: string, out: LogImportItem[]): void {
    const { opts, counts, errors } = this;
    const n = (this.n = opts.lineNumbers?.[this.k++] ?? this.n + 1);
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cls = classifyLine(line);
    switch (cls.kind) {
      case 'blank':
        return;
      case 'access': {
        if (opts.family && cls.family !== opts.family) {
          counts.unreadable++;
          out.push({
            lineNumber: n,
            error: `looks like a ${cls.family} line, not ${opts.family}`,
            line: clip(line, 2000),
          });
          return;
        }
        const p = familyParser(cls.family);
        const r = p ? p.parse(line) : { error: `no parser for ${cls.family}` };
        if ('error' in r || !p) {
          counts.unreadable++;
          out.push({ lineNumber: n, error: 'error' in r ? r.error : 'unreadable', line: clip(line, 2000) });
          return;
        }
        counts.requests++;
        counts.byFamily[cls.family] = (counts.byFamily[cls.family] ?? 0) + 1;
        // An nginx line no error waits for may be taken whole, without a trace (LogImportOptions.plain).
        const quiet = p.family === 'nginx-log' && opts.plain !== undefined && errors.quiet(p.timeUnixMs(r.record));
        if (quiet && opts.plain?.(r.record as AccessLogRecord, n)) return;
        const trace = toTrace(p, r.record, n);
        if (p.family !== 'nginx-log') {
          out.push({ trace });
          return;
        }
        for (const t of errors.onRequest(trace, r.record as AccessLogRecord, p.timeUnixMs(r.record)))
          out.push({ trace: t });
        return;
      }
      case 'nginx-error': {
        const e = parseNginxErrorLine(stripRuntimePrefix(line));
        if (e && errors.onErrorLine(e, n)) counts.nginxErrors++;
        else counts.nginxNotices++;
        return;
      }
      case 'banner':
      case 'controller':
        counts.controller++;
        return;
      default:
        counts[cls.kind]++;
    }
  }

  /** End of input: the traces still held for error lines, then the counts. */
  end(out: LogImportItem[]): void {
    for (const t of this.errors.finish()) out.push({ trace: t });
    this.counts.attached = this.errors.attached;
    out.push({ counts: this.counts, time: this.errors.time, stateful: this.errors.stateful });
  }
}

function toTrace(p: ProxyLogParser, record: unknown, n: number): Trace {
  const given = p.requestId(record)?.toLowerCase();
  const traceId = given && isTraceId(given) ? given : pooledTraceId();
  const { spans, diagnostics } = p.spans(record, { traceId });
  if (given !== traceId) {
    const id = p.requestId(record);
    diagnostics.push({
      code: p.family === 'nginx-log' ? 'nginx-req-id-not-trace-id' : 'log-request-id-not-trace-id',
      severity: 'info',
      message: id
        ? `Line ${n}: request id "${clip(id)}" is not a 32-hex trace id, so this trace got a fresh id ` +
          '(the original is kept as an attribute).'
        : `Line ${n} has no request id, so this trace got a fresh id.`,
    });
  }
  spans[0].attributes['kubetrace.import.line'] = n;
  // The critical path is found when the import finishes the trace (io/finish.ts).
  return { traceId, spans, criticalPath: [], diagnostics };
}
