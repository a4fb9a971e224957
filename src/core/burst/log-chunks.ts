// One piece of an access log read on its own (in a worker thread, see log-parallel.ts): its requests' numbers as a
// breakdown part (`import --summary`) or its traces as Trace JSON text (`import --json`), its unreadable lines and
// counts, and whether what it did depended on the lines before it.
import type { FormatFamily } from '../ingest/controller-log/classify';
import type { LineCounts } from '../ingest/controller-log/counts';
import { ControllerLogReader, type LogImportItem, type LogImportOptions } from '../ingest/controller-log/import';
import type { AccessLogRecord } from '../ingest/nginx-log/types';
import { finishTrace } from '../io/finish';
import { CHECKPOINT } from '../io/lines';
import type { Trace } from '../trace/model';
import { RequestBreakdown } from './breakdown';
import type { Column } from './columns';
import { summarizeRequest } from './measure';
import { plainMeasure } from './plain-measure';
import type { RecordsPart } from './records';

export interface ChunkJob {
  /** Whole lines: the piece ends after a `\n`, or at the end of the file. */
  bytes: Uint8Array;
  /** Where the piece starts in the file, and the number of its first line. */
  offset: number;
  firstLine: number;
  family?: FormatFamily;
  /** What the piece gives: a breakdown part (default) or the traces' JSON. */
  json?: boolean;
  /** Memory a taken piece's JSON no longer needs, to write this one's into (log-parallel.ts). */
  spare?: ArrayBuffer;
}

export interface BadLine {
  lineNumber: number;
  error: string;
  line: string;
}

export interface ChunkResult {
  /** The breakdown part (not for `json` jobs): its requests' numbers. */
  part?: RecordsPart;
  /** Each request's access line number, in the part's order. */
  lineOf?: Uint32Array;
  /** Request index in the part → the error lines attached to it. */
  errorLines?: [number, number[]][];
  /** For `json` jobs (src/cli/log-json.ts): each trace's Trace JSON after `,\n`, terminal-safe UTF-8; how many. */
  json?: Uint8Array;
  traces?: number;
  spans?: number;
  bad: BadLine[];
  counts: LineCounts;
  /** The latest log time error matching reached, and whether it ever held state (ControllerLogReader). */
  time: number;
  stateful: boolean;
  lines: number;
  /** The piece's length in bytes. */
  size: number;
  /** The memory the piece was read into, handed back by a worker thread to read another piece into. */
  input?: ArrayBuffer;
  /** Byte offsets of the piece's lines numbered CHECKPOINT * k + 1 (io/lines.ts), in order. */
  checkpoints: number[];
}

/** Takes one finished request into a breakdown, with where its lines are (for reading it again later). */
export function takeTrace(
  breakdown: RequestBreakdown,
  lineOf: Column | number[],
  errorLines: Map<number, number[]>,
  given: Trace,
): void {
  const trace = finishTrace(given);
  const i = breakdown.add(trace, summarizeRequest(trace));
  lineOf.push(Number(trace.spans[0]?.attributes['kubetrace.import.line'] ?? 0));
  let nums: number[] | undefined;
  for (const s of trace.spans)
    for (const e of s.events) {
      const n = e.attributes['kubetrace.log.line'];
      if (typeof n === 'number') (nums ??= []).push(n);
    }
  if (nums) errorLines.set(i, [...new Set(nums)]);
}

/**
 * Takes an access line's request into a breakdown straight from its record when the line is of the common kind
 * (plain-measure.ts), with its line number; false for any other (its trace is made as usual).
 */
export function takePlain(
  breakdown: RequestBreakdown,
  lineOf: Column | number[],
  rec: AccessLogRecord,
  line: number,
): boolean {
  const p = plainMeasure(rec);
  if (!p) return false;
  breakdown.addMeasured(p.measure, p.summary);
  lineOf.push(line);
  return true;
}

/** What reading a piece gives whatever is made of its traces. */
export type PieceResult = Omit<ChunkResult, 'part' | 'lineOf' | 'errorLines' | 'json' | 'traces' | 'spans'>;

/**
 * Reads a piece line by line as one pass would (ControllerLogReader), giving each trace to `onTrace`, unfinished;
 * `plain` may take an access line's request first (LogImportOptions.plain).
 */
export function readPiece(
  job: ChunkJob,
  onTrace: (trace: Trace) => void,
  plain?: LogImportOptions['plain'],
): PieceResult {
  const buf = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const reader = new ControllerLogReader({
    firstLine: job.firstLine,
    ...(job.family && { family: job.family }),
    ...(plain && { plain }),
  });
  const bad: BadLine[] = [];
  const checkpoints: number[] = [];
  const out: LogImportItem[] = [];
  let last: Extract<LogImportItem, { counts: LineCounts }> | undefined;
  const take = () => {
    for (const item of out) {
      if ('trace' in item) onTrace(item.trace);
      else if ('lineNumber' in item) bad.push(item);
      else last = item;
    }
    out.length = 0;
  };
  let lines = 0;
  const line = (a: number, b: number) => {
    if ((job.firstLine + lines - 1) % CHECKPOINT === 0) checkpoints.push(job.offset + a);
    lines++;
    reader.line(buf.toString('utf8', a, b), out);
    if (out.length) take();
  };
  let a = 0;
  for (let nl = buf.indexOf(10, a); nl >= 0; nl = buf.indexOf(10, a)) {
    line(a, nl);
    a = nl + 1;
  }
  if (a < buf.length) line(a, buf.length);
  reader.end(out);
  take();
  const end = last as NonNullable<typeof last>;
  return {
    bad,
    counts: end.counts,
    time: end.time,
    stateful: end.stateful,
    lines,
    size: buf.length,
    checkpoints,
  };
}

/** A piece's requests as a breakdown part (`import --summary`). */
export function summarizeChunk(job: ChunkJob): ChunkResult {
  const breakdown = new RequestBreakdown();
  const lineOf: number[] = [];
  const errorLines = new Map<number, number[]>();
  const read = readPiece(
    job,
    (t) => takeTrace(breakdown, lineOf, errorLines, t),
    (rec, line) => takePlain(breakdown, lineOf, rec, line),
  );
  return { ...read, part: breakdown.toPart(), lineOf: Uint32Array.from(lineOf), errorLines: [...errorLines] };
}
