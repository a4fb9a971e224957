// `kubetrace import --format nginx-log`: one Trace per request line, streamed, every bad line reported.
import { isTraceId } from '../../ids';
import type { Trace } from '../../trace/model';
import { parseAccessLogLine } from './parse';
import { pooledTraceId } from './pooled-ids';
import { nginxSpansFromRecord } from './spans';
import { clip } from './values';

export type NginxImportItem = { trace: Trace } | { lineNumber: number; error: string; line: string };

/** Reads lines one at a time and yields as it goes, so memory stays flat however long the log is. */
export async function* importNginxLog(lines: AsyncIterable<string>): AsyncGenerator<NginxImportItem> {
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) continue; // blank lines carry nothing
    const r = parseAccessLogLine(line);
    if ('error' in r) {
      yield { lineNumber: n, error: r.error, line: clip(line, 2000) };
      continue;
    }
    const rec = r.record;
    const given = rec.reqId?.toLowerCase();
    const traceId = given && isTraceId(given) ? given : pooledTraceId();
    const { spans, diagnostics } = nginxSpansFromRecord(rec, { traceId });
    if (!given || given !== traceId) {
      diagnostics.push({
        code: 'nginx-req-id-not-trace-id',
        severity: 'info',
        message: rec.reqId
          ? `Line ${n}: $req_id "${clip(rec.reqId)}" is not a 32-hex trace ` +
            `id, so this trace got a fresh id; the original is in nginx.req_id.`
          : `Line ${n} has no $req_id, so this trace got a fresh id.`,
      });
    }
    spans[0].attributes['kubetrace.import.line'] = n;
    // The critical path is found when the import finishes the trace (io/finish.ts).
    yield { trace: { traceId, spans, criticalPath: [], diagnostics } };
  }
}
