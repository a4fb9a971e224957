// A proxy's access log as a request set: one streaming pass feeds every request's trace into the breakdown and keeps
// only numbers plus where each request's lines are, so `trace(id)` can read them again and rebuild the full trace.
// Memory grows by about 150 bytes a request whatever the spans, never by the log's text (docs/ARCHITECTURE.md,
// "Request sets and bursts: the breakdown").
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { KubetraceError } from '../errors';
import type { FormatFamily } from '../ingest/controller-log/classify';
import type { LineCounts } from '../ingest/controller-log/counts';
import { importControllerLog } from '../ingest/controller-log/import';
import { finishTrace } from '../io/finish';
import { openImport, type ImportFormat } from '../io/import';
import { LineIndex } from '../io/lines';
import type { Trace } from '../trace/model';
import { RequestBreakdown, type BreakdownOptions } from './breakdown';
import { u32, type Column } from './columns';
import { summarizeRequest } from './measure';
import type { RequestSet } from './types';

const LOG_FORMATS = new Set(['nginx-log', 'envoy-log', 'traefik-log', 'haproxy-log']);

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
}

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
  if (!LOG_FORMATS.has(opened.format))
    throw new KubetraceError(`${path} is ${opened.format}, not an access log`, 'open it as a trace file instead');
  const family = opts.format ? (opened.format as FormatFamily) : undefined;
  const fh = await open(path, 'r');
  const totalBytes = (await fh.stat()).size;
  await fh.close();
  const index = new LineIndex();
  const lineOf = u32();
  const errorLines = new Map<number, number[]>();
  const set = new LogSet(path, index, lineOf, errorLines, family, { maxProbes: opts.maxProbes, route: basename(path) });
  let counts: LineCounts | undefined;
  let reported = 0;
  const progress = () => opts.onProgress?.({ bytes: index.bytesRead, totalBytes, requests: set.breakdown.size });
  for await (const item of importControllerLog(index.read(path, opts.signal), family ? { family } : {})) {
    if ('trace' in item) {
      const trace = finishTrace(item.trace);
      set.breakdown.add(trace, summarizeRequest(trace));
      const i = lineOf.length;
      lineOf.push(Number(trace.spans[0]?.attributes['kubetrace.import.line'] ?? 0));
      let nums: number[] | undefined;
      for (const s of trace.spans)
        for (const e of s.events) {
          const n = e.attributes['kubetrace.log.line'];
          if (typeof n === 'number') (nums ??= []).push(n);
        }
      if (nums) errorLines.set(i, [...new Set(nums)]);
    } else if ('lineNumber' in item) opts.onBadLine?.(item.lineNumber, item.error, item.line);
    else counts = item.counts;
    if (index.bytesRead - reported >= 4 << 20) {
      reported = index.bytesRead;
      progress();
    }
  }
  progress();
  set.counts = counts as LineCounts;
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
