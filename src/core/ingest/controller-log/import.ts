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
  { trace: Trace } | { lineNumber: number; error: string; line: string } | { counts: LineCounts }; // last item

export interface LogImportOptions {
  /** Only this family's access lines are read (`--format`); other families' access lines are reported. */
  family?: FormatFamily;
  /** The numbers the given lines have in their file, when only some of its lines are given (one request read again). */
  lineNumbers?: readonly number[];
}

export async function* importControllerLog(
  lines: AsyncIterable<string>,
  opts: LogImportOptions = {},
): AsyncGenerator<LogImportItem> {
  const counts = emptyCounts();
  const errors = new ErrorAttacher();
  let n = 0;
  let k = 0;
  for await (const raw of lines) {
    n = opts.lineNumbers?.[k++] ?? n + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cls = classifyLine(line);
    switch (cls.kind) {
      case 'blank':
        continue;
      case 'access': {
        if (opts.family && cls.family !== opts.family) {
          counts.unreadable++;
          yield { lineNumber: n, error: `looks like a ${cls.family} line, not ${opts.family}`, line: clip(line, 2000) };
          continue;
        }
        const p = familyParser(cls.family);
        const r = p ? p.parse(line) : { error: `no parser for ${cls.family}` };
        if ('error' in r || !p) {
          counts.unreadable++;
          yield { lineNumber: n, error: 'error' in r ? r.error : 'unreadable', line: clip(line, 2000) };
          continue;
        }
        counts.requests++;
        counts.byFamily[cls.family] = (counts.byFamily[cls.family] ?? 0) + 1;
        const trace = toTrace(p, r.record, n);
        if (p.family !== 'nginx-log') {
          yield { trace };
          continue;
        }
        for (const t of errors.onRequest(trace, r.record as AccessLogRecord, p.timeUnixMs(r.record)))
          yield { trace: t };
        continue;
      }
      case 'nginx-error': {
        const e = parseNginxErrorLine(stripRuntimePrefix(line));
        if (e && errors.onErrorLine(e, n)) counts.nginxErrors++;
        else counts.nginxNotices++;
        continue;
      }
      case 'banner':
      case 'controller':
        counts.controller++;
        continue;
      default:
        counts[cls.kind]++;
    }
  }
  for (const t of errors.finish()) yield { trace: t };
  counts.attached = errors.attached;
  yield { counts };
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
