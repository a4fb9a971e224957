// The probe's side of error attachment: the controller pod's log (read since the probe started) is run through the
// same classifier and attacher as an import, so the probe's spans get the nginx error lines that concern them.
import type { SpanBatch, Span, Trace } from '../../trace/model';
import { parseNginxErrorLine } from '../nginx-log/error-line';
import { parseAccessLogLine } from '../nginx-log/parse';
import type { AccessLogRecord } from '../nginx-log/types';
import { ErrorAttacher } from './attach';
import { classifyLine, stripRuntimePrefix } from './classify';

/**
 * Adds `nginx.error`/`nginx.warn` events (and their diagnostics) to `batch`, the spans made from `own` (the probe's
 * access line, at index `ownIndex` of `lines`). Other requests in the log take part so an ambiguous line stays unattached.
 */
export function attachErrorLines(batch: SpanBatch, own: AccessLogRecord, lines: string[], ownIndex: number): number {
  // Only warn and above is attached (attach.ts EXPLAINS); the other lines only tell whose such a line is. Without one
  // there is nothing to attach, and a debug error log (the sandbox's nginx) is a hundred lines a request to skip.
  if (!lines.some((l) => EXPLAINING.test(l))) return nginxEvents(batch.spans);
  const attacher = new ErrorAttacher();
  const mine: Trace = { traceId: '', spans: batch.spans, criticalPath: [], diagnostics: batch.diagnostics };
  lines.forEach((line, i) => {
    const c = classifyLine(line);
    if (c.kind === 'nginx-error') {
      const e = parseNginxErrorLine(stripRuntimePrefix(line));
      if (e) attacher.onErrorLine(e, i + 1);
    } else if (c.kind === 'access' && c.family === 'nginx-log') {
      const rec = i === ownIndex ? own : recordOf(line);
      if (!rec) return;
      const t = i === ownIndex ? mine : { traceId: '', spans: [stub()], criticalPath: [], diagnostics: [] };
      attacher.onRequest(t, rec, rec.msec !== undefined ? rec.msec * 1000 : rec.timeUnixMs);
    }
  });
  attacher.finish();
  return nginxEvents(mine.spans);
}

/** A superset of the lines parseNginxErrorLine (nginx-log/error-line.ts) reads with a level attach.ts explains. */
const EXPLAINING = /\[(?:warn|error|crit|alert|emerg)\] /;

const nginxEvents = (spans: Span[]): number =>
  spans.reduce((n, s) => n + s.events.filter((e) => e.name.startsWith('nginx.')).length, 0);

function recordOf(line: string): AccessLogRecord | undefined {
  const r = parseAccessLogLine(line);
  return 'record' in r ? r.record : undefined;
}

const stub = (): Span => ({
  spanId: '0000000000000000',
  name: 'nginx',
  service: '',
  layer: 'ingress',
  kind: 'server',
  startTimeUnixNano: '0',
  endTimeUnixNano: '0',
  status: 'unset',
  attributes: {},
  events: [],
  links: [],
  origin: 'nginx-log',
});
