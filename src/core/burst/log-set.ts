// A proxy's access log as a request set: one streaming pass feeds every request's trace into the breakdown and keeps
// only numbers plus where each request's lines are, so `trace(id)` can read them again and rebuild the full trace.
// Memory grows by about 150 bytes a request whatever the spans, never by the log's text (docs/ARCHITECTURE.md,
// "Request sets and bursts: the breakdown").
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { KubetraceError } from '../errors';
import type { FormatFamily } from '../ingest/controller-log/classify';
import { addCounts, emptyCounts, type LineCounts } from '../ingest/controller-log/counts';
import { importControllerLog } from '../ingest/controller-log/import';
import type { AccessLogRecord } from '../ingest/nginx-log/types';
import { finishTrace } from '../io/finish';
import { LOG_FAMILIES, openImport, type ImportFormat } from '../io/import';
import { LineIndex } from '../io/lines';
import type { Trace } from '../trace/model';
import { RequestBreakdown, type BreakdownOptions } from './breakdown';
import { u32, type Column } from './columns';
import { takePlain, takeTrace } from './log-chunks';
import { readInParallel, type Resume } from './log-parallel';
import type { RequestSet } from './types';

export interface LogProgress {
  bytes: number;
  totalBytes: number;
  requests: number;
}

export interface SummarizeLogOptions extends Pick<BreakdownOptions, 'maxProbes'> {
  signal?: AbortSignal;
  /** Called about every 4 MB read, and once at the end. */
  onProgress?: (p: LogProgress) => void;
  /** As `kubetrace import --format`: only this family's access lines are read. */
  format?: ImportFormat;
  /** An access-looking line that could not be read (the CLI prints it as a warning). */
  onBadLine?: (lineNumber: number, error: string, line: string) => void;
  /**
   * The worker script that reads a piece of the log (dist/log-worker.js): given, a big log is read by worker
   * threads (log-parallel.ts), with the same result as one pass.
   */
  workerScript?: string;
  /** Worker threads besides this one (default: one less than the cores, at most 3); and the piece size, for tests. */
  workers?: number;
  chunkBytes?: number;
}

/** Smaller logs are read in one pass: starting the workers would cost more than it saves. */
export const PARALLEL_MIN_BYTES = 16 << 20;

export interface LogRequestSet extends RequestSet {
  requests: number;
  /** The log's lines by class. */
  counts: LineCounts;
  format: string;
}

/**
 * Reads an access log (any format `kubetrace import` reads as a log) into a request set. Throws KubetraceError when the
 * file cannot be read or is not a log; aborting `signal` rejects with its reason.
 */
export async function summarizeLog(path: string, opts: SummarizeLogOptions = {}): Promise<LogRequestSet> {
  const opened = await openImport(path, { format: opts.format });
  await opened.items.return(undefined); // only its format is needed: the lines are read here, with their offsets
  if (!LOG_FAMILIES.has(opened.format))
    throw new KubetraceError(`${path} is ${opened.format}, not an access log`, 'open it as a trace file instead');
  const family = opts.format ? (opened.format as FormatFamily) : undefined;
  const fh = await open(path, 'r');
  const totalBytes = (await fh.stat()).size;
  await fh.close();
  const index = new LineIndex();
  const lineOf = u32();
  const errorLines = new Map<number, number[]>();
  const set = new LogSet(path, index, lineOf, errorLines, family, { maxProbes: opts.maxProbes, route: basename(path) });
  const counts = emptyCounts();
  let reported = 0;
  const progress = () => opts.onProgress?.({ bytes: index.bytesRead, totalBytes, requests: set.breakdown.size });
  const tick = () => {
    if (index.bytesRead - reported < 4 << 20) return;
    reported = index.bytesRead;
    progress();
  };
  let from: Resume | undefined = { offset: 0, firstLine: 1, time: 0 };
  // A test that sets the piece size wants pieces whatever the file's size.
  if (opts.workerScript && totalBytes >= (opts.chunkBytes ? 0 : PARALLEL_MIN_BYTES)) {
    from = await readInParallel(
      path,
      {
        script: opts.workerScript,
        signal: opts.signal,
        workers: opts.workers,
        chunkBytes: opts.chunkBytes,
        ...(family && { family }),
      },
      (r) => {
        const base = set.breakdown.size;
        if (r.part) set.breakdown.append(r.part);
        lineOf.pushAll(r.lineOf ?? []);
        for (const [i, nums] of r.errorLines ?? []) errorLines.set(base + i, nums);
        for (const b of r.bad) opts.onBadLine?.(b.lineNumber, b.error, b.line);
        addCounts(counts, r.counts);
        index.add(r.checkpoints, r.lines, r.size);
        tick();
      },
    );
  }
  if (from) {
    const lines = index.read(path, opts.signal);
    const reading = {
      firstLine: from.firstLine,
      startTime: from.time,
      ...(family && { family }),
      plain: (rec: AccessLogRecord, line: number) => takePlain(set.breakdown, lineOf, rec, line),
    };
    for await (const item of importControllerLog(lines, reading)) {
      if ('trace' in item) takeTrace(set.breakdown, lineOf, errorLines, item.trace);
      else if ('lineNumber' in item) opts.onBadLine?.(item.lineNumber, item.error, item.line);
      else addCounts(counts, item.counts);
      tick();
    }
  }
  progress();
  set.counts = counts;
  set.format = opened.format;
  return set;
}

class LogSet implements LogRequestSet {
  readonly breakdown: RequestBreakdown;
  counts!: LineCounts;
  format = '';

  constructor(
    private readonly path: string,
    private readonly index: LineIndex,
    private readonly lineOf: Column,
    private readonly errorLines: Map<number, number[]>,
    private readonly family: FormatFamily | undefined,
    opts: BreakdownOptions,
  ) {
    this.breakdown = new RequestBreakdown({ ...opts, lookup: (id) => this.reread(id) });
  }

  get requests(): number {
    return this.breakdown.size;
  }

  report: RequestSet['report'] = (filter) => this.breakdown.report(filter);
  trace: RequestSet['trace'] = (id) => this.breakdown.trace(id);

  /**
   * The request's access line and the error lines the import attached to it, read again and imported as they were.
   * Errors matched by connection number through the debug log are matched again by client, request and time. When
   * several lines carry one request id, the first is the one opened.
   */
  private async reread(traceId: string): Promise<Trace | undefined> {
    const i = this.breakdown.indexOf(traceId);
    if (i < 0) return undefined;
    const numbers = [...(this.errorLines.get(i) ?? []), this.lineOf.get(i)].sort((a, b) => a - b);
    const fh = await open(this.path, 'r');
    let found: Map<number, string>;
    try {
      found = await this.index.lookup(fh, numbers);
    } finally {
      await fh.close();
    }
    const given = numbers.filter((n) => found.has(n));
    async function* lines() {
      for (const n of given) yield found.get(n) as string;
    }
    for await (const item of importControllerLog(lines(), {
      lineNumbers: given,
      ...(this.family && { family: this.family }),
    }))
      if ('trace' in item && item.trace.spans[0]?.attributes['kubetrace.import.line'] === this.lineOf.get(i)) {
        // A line without a request id gets a fresh id on every read; the set knows it by the first one.
        item.trace.traceId = traceId;
        return finishTrace(item.trace);
      }
    return undefined;
  }
}
