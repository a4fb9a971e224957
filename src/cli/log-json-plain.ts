// The common access line's trace (core/ingest/nginx-log/plain.ts) written straight as Trace JSON, for
// `import --json` on a big log. Making its span objects, finishing the trace and walking its critical path was
// about half of reading such a line; here only the attributes are made, by the same functions as the spans'
// (core/ingest/nginx-log/spans.ts), and the rest is written from the times. The bytes are those JsonBytes.trace
// writes for the finished trace: test/unit/log-json-plain.test.ts compares the two on random logs.
import { plainLine } from '../core/ingest/nginx-log/plain';
import { pooledSpanId } from '../core/ingest/nginx-log/pooled-ids';
import { attemptAttributes, nginxAttributes } from '../core/ingest/nginx-log/spans';
import type { AccessLogRecord } from '../core/ingest/nginx-log/types';
import type { JsonBytes } from './json-bytes';

/** The spans of every trace written here. */
export const PLAIN_SPANS = 5;

const text = (s: string) => Buffer.from(s, 'latin1');

const SPANS = text(',"spans":[\n{"spanId":');
const NGINX = text(',"name":"nginx","service":"ingress-nginx","layer":"ingress","kind":"server","startTimeUnixNano":');
const END = text(',"endTimeUnixNano":');
const UNSET = text(',"status":"unset","attributes":');
const ERROR = text(',"status":"error","attributes":');
const TAIL = text(',"events":[],"links":[],"origin":"nginx-log"}');
const CHILD = text(',\n{"spanId":');
const PARENT = text(',"parentSpanId":');
const ATTEMPT = text(
  ',"name":"upstream.attempt","service":"ingress-nginx","layer":"ingress","kind":"client","startTimeUnixNano":',
);
const PHASES = ['connect', 'header', 'response'].map((p) =>
  text(`,"name":"upstream.${p}","service":"ingress-nginx","layer":"ingress","kind":"internal","startTimeUnixNano":`),
);
const PHASE_TAIL = text(
  ',"status":"unset","attributes":{"kubetrace.upstream.attempt":1},"events":[],"links":[],"origin":"nginx-log"}',
);
const PATH = text('],"criticalPath":[');
const SECTION = text('{"spanId":');
const NEXT_SECTION = text(',{"spanId":');
const INDEX = ['0', '1', '2', '3', '4'].map((i) => text(`,"index":${i},"startTimeUnixNano":`));
const CLOSE = text('}');
const DONE = text('],"diagnostics":[]}');
const TRACE = text('{"traceId":');

/**
 * Writes the trace `import` makes of this access line (after `\n` when it is the first, else `,\n`), when the line
 * is of the common kind; false, having written nothing, for any other.
 */
export function writePlainTrace(out: JsonBytes, rec: AccessLogRecord, line: number, first: boolean): boolean {
  const plain = plainLine(rec);
  if (!plain) return false;
  const { traceId, try: t, nginx: where, attempt: a } = plain;

  // Span ids in the order the spans are made (nginxSpansFromRecord).
  const ids = [pooledSpanId(), pooledSpanId(), pooledSpanId(), pooledSpanId(), pooledSpanId()];
  const ctx = { traceId };
  const attrs = nginxAttributes(rec, ctx, where);
  attrs['kubetrace.import.line'] = line;
  const times = [where, a, ...plain.phases].map((w) => [String(w.startUnixNano), String(w.endUnixNano)]);

  out.separator(first);
  out.raw(TRACE);
  out.value(traceId);
  out.raw(SPANS);
  out.value(ids[0]);
  out.raw(NGINX);
  spanTimes(out, times[0]);
  out.raw(rec.status !== undefined && rec.status >= 500 ? ERROR : UNSET);
  out.attributes(attrs);
  out.raw(TAIL);
  child(out, ids[1], ids[0], ATTEMPT, times[1]);
  out.raw(UNSET);
  out.attributes(attemptAttributes(t, 0, ctx));
  out.raw(TAIL);
  for (let k = 0; k < 3; k++) {
    child(out, ids[k + 2], ids[1], PHASES[k], times[k + 2]);
    out.raw(PHASE_TAIL);
  }

  // The critical path (core/trace/critical-path.ts) of this tree: the nginx span owns its time before the try (the
  // try ends with nginx, so a try of no length leaves nginx all of it); the try, when it has any length, is on the
  // path with an empty section at its start, and each phase with a length owns all of it (the phases lie back to
  // back and fill the try). A try of no length is not on the path at all.
  out.raw(PATH);
  const [nginx, attempt] = times;
  section(out, ids[0], 0, nginx[0], attempt[0], true);
  if (a.endUnixNano > a.startUnixNano) {
    section(out, ids[1], 1, attempt[0], attempt[0], false);
    for (let k = 2; k < 5; k++)
      if (times[k][1] !== times[k][0]) section(out, ids[k], k, times[k][0], times[k][1], false);
  }
  out.raw(DONE);
  return true;
}

function spanTimes(out: JsonBytes, [start, end]: string[]): void {
  out.value(start);
  out.raw(END);
  out.value(end);
}

function child(out: JsonBytes, id: string, parent: string, name: Uint8Array, times: string[]): void {
  out.raw(CHILD);
  out.value(id);
  out.raw(PARENT);
  out.value(parent);
  out.raw(name);
  spanTimes(out, times);
}

function section(out: JsonBytes, id: string, index: number, start: string, end: string, first: boolean): void {
  out.raw(first ? SECTION : NEXT_SECTION);
  out.value(id);
  out.raw(INDEX[index]);
  out.value(start);
  out.raw(END);
  out.value(end);
  out.raw(CLOSE);
}
