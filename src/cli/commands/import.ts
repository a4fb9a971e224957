// `kubetrace import FILE [--format otlp|jaeger|tempo|zipkin|nginx-log|envoy-log|traefik-log|haproxy-log] [--json]`
// `kubetrace import FILE --summary [--json]`: the breakdown of every request in the file (import-summary.ts)
import { stat } from 'node:fs/promises';
import { parseArgs, bool, str } from '../args';
import { KubetraceError, UsageError } from '../../core/errors';
import type { Diagnostic, Trace } from '../../core/trace/model';
import {
  IMPORT_FORMATS,
  LOG_FAMILIES,
  openImport,
  readLogFrom,
  type ImportFormat,
  type ImportItem,
} from '../../core/io/import';
import { PARALLEL_MIN_BYTES } from '../../core/burst/log-set';
import { readInParallel } from '../../core/burst/log-parallel';
import type { FormatFamily } from '../../core/ingest/controller-log/classify';
import { addCounts, describeCounts, emptyCounts, type LineCounts } from '../../core/ingest/controller-log/counts';
import { nanoDiff } from '../../core/io/values';
import { LineWarnings } from '../line-warnings';
import { JsonBytes } from '../json-bytes';
import { jsonChunk } from '../log-json';
import { createOutput } from '../output';
import { renderWaterfall } from '../waterfall';
import { logWorker, runSummary } from './import-summary';

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { format: { type: 'string' }, json: { type: 'boolean' }, summary: { type: 'boolean' } });
  if (p.positional.length !== 1)
    throw new UsageError(
      p.positional.length ? 'import takes one file' : 'import needs a file',
      `kubetrace import FILE [--format ${IMPORT_FORMATS.join('|')}] [--summary] [--json]`,
    );
  const format = str(p, 'format');
  if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}"`, `use one of ${IMPORT_FORMATS.join(', ')}`);
  }
  const file = p.positional[0];
  const json = bool(p, 'json');
  if (bool(p, 'summary')) return runSummary(file, format as ImportFormat | undefined, json);
  const opened = await openImport(file, { format: format as ImportFormat | undefined });
  const out = createOutput(process.stdout);
  const fileErrors: Diagnostic[] = [];
  let traces = 0;
  let spans = 0;
  const warnings = new LineWarnings((text) => process.stderr.write(text));
  let counts: LineCounts | undefined;
  // Trace JSON is written as bytes, terminal-safe as it is made (src/cli/json-bytes.ts).
  const bytes = json ? new JsonBytes((b) => out.writeBytes(b)) : undefined;
  if (json) out.write('[');
  let items: AsyncIterable<ImportItem> = opened.items;
  const script = logWorker();
  if (json && script && LOG_FAMILIES.has(opened.format) && (await stat(file)).size >= PARALLEL_MIN_BYTES) {
    // A big log is read in pieces by worker threads too (core/burst/log-parallel.ts), each giving its traces'
    // JSON; what a piece could not decide on its own is read in one pass from there, below.
    await opened.items.return(undefined);
    const family = format ? (opened.format as FormatFamily) : undefined;
    const all = emptyCounts();
    counts = all;
    const pieces = { script, json: true, local: jsonChunk, ...(family && { family }) };
    const resume = await readInParallel(file, pieces, (r) => {
      for (const b of r.bad) warnings.add(b.lineNumber, b.error, b.line);
      addCounts(all, r.counts);
      if (!r.traces || !r.json) return;
      // Each trace comes after ",\n"; the file's first after "\n" only, as below.
      out.writeBytes(traces ? r.json : r.json.subarray(1));
      traces += r.traces;
      spans += r.spans ?? 0;
    });
    items = resume ? readLogFrom(file, resume, family) : (async function* () {})();
  }
  for await (const item of items) {
    if ('trace' in item) {
      if (bytes) {
        bytes.separator(traces === 0);
        bytes.trace(item.trace);
      } else out.writeStyled(describeTrace(item.trace, traces));
      traces++;
      spans += item.trace.spans.length;
    } else if ('lineNumber' in item) {
      warnings.add(item.lineNumber, item.error, item.line);
    } else if ('counts' in item) {
      if (counts) addCounts(counts, item.counts);
      else counts = item.counts;
    } else if (item.diagnostic.severity === 'error') {
      fileErrors.push(item.diagnostic);
    } else {
      process.stderr.write(`${item.diagnostic.severity}: ${item.diagnostic.message}\n`);
    }
  }
  bytes?.flush();
  warnings.finish();
  const badLines = warnings.count;
  if (json) out.write(traces ? '\n]\n' : ']\n');
  else
    out.write(
      `${traces} trace${traces === 1 ? '' : 's'}, ${spans} span${spans === 1 ? '' : 's'} from ${file} (${opened.format}` +
        `: ${opened.why})${badLines ? `; ${badLines} line${badLines === 1 ? '' : 's'} could not be read` : ''}\n`,
    );
  out.flush();
  // A log's line counts go to stderr with --json (stdout stays one JSON array), to stdout otherwise.
  if (counts) (json ? process.stderr : process.stdout).write(`${file}: ${describeCounts(counts)}\n`);
  if (counts && !counts.requests)
    throw new KubetraceError(
      `no request line in ${file}: ${describeCounts(counts)}`,
      badLines
        ? 'see the warnings above for why each access-looking line was refused'
        : 'this log holds no access line; is the access log turned on for this controller?',
    );
  if (fileErrors.length) {
    for (const d of fileErrors.slice(1)) process.stderr.write(`warning: ${d.message}\n`);
    throw new KubetraceError(
      fileErrors[0].message,
      traces
        ? `${traces} trace(s) read before the problem were printed`
        : `check that ${file} is a complete ${opened.format} file, or pass --format`,
    );
  }
  if (!traces && badLines)
    throw new KubetraceError(
      `no line of ${file} could be read as an nginx access log`,
      'see the warnings above for why each line was refused',
    );
  return 0;
}

/** The first few traces as waterfalls (as `probe` prints them); the rest, and huge ones, as one-line summaries. */
function describeTrace(t: Trace, index: number): string {
  if (index < 5 && t.spans.length <= 200) {
    try {
      return (
        renderWaterfall(t, { color: !!process.stdout.isTTY && !process.env.NO_COLOR, width: process.stdout.columns }) +
        '\n'
      );
    } catch {
      /* odd times: fall back */
    }
  }
  return summarizeTrace(t) + '\n';
}

/** A short readable summary of one trace. */
export function summarizeTrace(t: Trace): string {
  const services = [...new Set(t.spans.map((s) => s.service))];
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (const s of t.spans) {
    try {
      const a = BigInt(s.startTimeUnixNano);
      const b = BigInt(s.endTimeUnixNano);
      if (start === undefined || a < start) start = a;
      if (end === undefined || b > end) end = b;
    } catch {
      /* a bad time shows up in the diagnostics */
    }
  }
  const ms = start !== undefined && end !== undefined ? Number(nanoDiff(end.toString(), start.toString())) / 1e6 : 0;
  const errors = t.spans.filter((s) => s.status === 'error').length;
  const lines = [
    `trace ${t.traceId}  ${t.spans.length} span${t.spans.length === 1 ? '' : 's'}` +
      `  ${ms.toFixed(3)} ms  services: ${services.slice(0, 8).join(', ')}` +
      `${services.length > 8 ? `, +${services.length - 8}` : ''}${errors ? `  ${errors} error span${errors === 1 ? '' : 's'}` : ''}`,
  ];
  for (const d of t.diagnostics) lines.push(`  ${d.severity} ${d.code}: ${d.message}`);
  return lines.join('\n');
}
