// `kubetrace import FILE --summary [--json]`: every request of the file broken down (time by layer, span rows, tails,
// upstreams, failures) without keeping a trace: an access log streams through core/burst/log-set.ts, a trace file
// through the importer into the same breakdown. --json prints the BurstReport.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RequestBreakdown } from '../../core/burst/breakdown';
import { summarizeLog } from '../../core/burst/log-set';
import { summarizeRequest } from '../../core/burst/measure';
import type { BurstReport } from '../../core/burst/model';
import { KubetraceError } from '../../core/errors';
import { describeCounts, type LineCounts } from '../../core/ingest/controller-log/counts';
import { LOG_FAMILIES, openImport, type ImportFormat } from '../../core/io/import';
import { renderReport } from '../burst-table';
import { LineWarnings } from '../line-warnings';
import { createOutput } from '../output';
import { clearLine, terminalSafe } from '../terminal';

export async function runSummary(file: string, format: ImportFormat | undefined, json: boolean): Promise<number> {
  const opened = await openImport(file, { format });
  let report: BurstReport;
  let counts: LineCounts | undefined;
  let badLines = 0;
  if (LOG_FAMILIES.has(opened.format)) {
    await opened.items.return(undefined);
    const tty = !!process.stderr.isTTY;
    const warnings = new LineWarnings((text) => {
      if (tty) clearLine(process.stderr);
      process.stderr.write(terminalSafe(text));
    });
    const set = await summarizeLog(file, {
      format,
      workerScript: logWorker(),
      onBadLine: (n, error, line) => warnings.add(n, error, line),
      onProgress: tty
        ? (p) => {
            clearLine(process.stderr);
            process.stderr.write(
              `${(p.bytes / 1e6).toFixed(0)} of ${(p.totalBytes / 1e6).toFixed(0)} MB, ${p.requests} requests…`,
            );
          }
        : undefined,
    });
    if (tty) clearLine(process.stderr);
    warnings.finish();
    badLines = warnings.count;
    counts = set.counts;
    report = set.report();
  } else {
    const b = new RequestBreakdown({ route: basename(file) });
    for await (const item of opened.items) {
      if ('trace' in item) b.add(item.trace, summarizeRequest(item.trace));
      else if ('diagnostic' in item && item.diagnostic.severity === 'error')
        throw new KubetraceError(item.diagnostic.message);
      else if ('diagnostic' in item)
        process.stderr.write(terminalSafe(`${item.diagnostic.severity}: ${item.diagnostic.message}\n`));
    }
    report = b.report();
  }
  const out = createOutput(process.stdout);
  if (json) out.write(JSON.stringify(report, null, 2) + '\n');
  else
    out.writeStyled(
      renderReport(report, { color: !!process.stdout.isTTY && !process.env.NO_COLOR, width: process.stdout.columns }),
    );
  out.flush();
  if (counts) (json ? process.stderr : process.stdout).write(terminalSafe(`${file}: ${describeCounts(counts)}\n`));
  if (!report.requests)
    throw new KubetraceError(
      `no request in ${file}${counts ? `: ${describeCounts(counts)}` : ''}`,
      badLines ? 'see the warnings above for why each access-looking line was refused' : undefined,
    );
  return 0;
}

/** dist/log-worker.js, next to the bundled CLI (absent when the CLI runs from source: the log is read in one pass). */
export function logWorker(): string | undefined {
  const script = join(__dirname, 'log-worker.js');
  return existsSync(script) ? script : undefined;
}
