// Import throughput: `kubetrace import` (the built CLI, one process per file, as a user runs it) on generated files.
// Sizes: KUBETRACE_BENCH_SPANS (default 100000) spans per trace file, KUBETRACE_BENCH_LOG_MB (default 100) MB of access log.
// KUBETRACE_BENCH_IMPORT=summary runs only the log breakdown (`import LOG --summary` vs GoAccess); =log runs both log
// rows (`import LOG --json` and the breakdown, each against GoAccess) and leaves out the trace files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './run';
import { writeAccessLog, writeJaegerFile, writeOtlpFile } from '../test/fixtures/traces/generate';
import { measureCli } from '../test/fixtures/traces/measure';

export default async function importBench(): Promise<BenchRow[]> {
  const spans = Number(process.env.KUBETRACE_BENCH_SPANS ?? 100_000);
  const logMb = Number(process.env.KUBETRACE_BENCH_LOG_MB ?? 100);
  const dir = mkdtempSync(join(tmpdir(), 'kubetrace-bench-import-'));
  const rows: BenchRow[] = [];
  const onlySummary = process.env.KUBETRACE_BENCH_IMPORT === 'summary';
  try {
    if (onlySummary) {
      rows.push(...(await logBreakdown(dir, logMb)));
      return rows;
    }
    const traceFiles =
      process.env.KUBETRACE_BENCH_IMPORT === 'log'
        ? []
        : ([
            ['OTLP JSON', writeOtlpFile],
            ['Jaeger JSON', writeJaegerFile],
          ] as const);
    for (const [label, write] of traceFiles) {
      const f = join(dir, `${label.split(' ')[0].toLowerCase()}.json`);
      const bytes = await write(f, spans);
      const r = await measureCli(['import', f, '--json'], 0);
      if (r.code !== 0) throw new Error(`import ${label} failed: ${r.err.slice(-500)}`);
      rows.push({
        measure: `import ${label}`,
        value: spans / (r.wallMs / 1000),
        unit: 'spans/s',
        detail: `${spans} spans, ${(bytes / 1e6).toFixed(0)} MB in ${(r.wallMs / 1000).toFixed(1)} s (cpu ${(r.cpuMs / 1000).toFixed(1)} s), peak RSS ${r.maxRssMb.toFixed(0)} MB`,
      });
    }
    const log = join(dir, 'access.log');
    const gen = await writeAccessLog(log, logMb * 1024 * 1024);
    const r = await measureCli(['import', log, '--json'], 0);
    if (r.code !== 0) throw new Error(`import access log failed: ${r.err.slice(-500)}`);
    rows.push({
      measure: 'import nginx access log',
      value: gen.lines / (r.wallMs / 1000),
      unit: 'lines/s',
      detail: `${gen.lines} lines, ${(gen.bytes / 1e6).toFixed(0)} MB in ${(r.wallMs / 1000).toFixed(1)} s (cpu ${(r.cpuMs / 1000).toFixed(1)} s), peak RSS ${r.maxRssMb.toFixed(0)} MB`,
    });
    // GoAccess (Debian `goaccess`) on the same file, right after: the C log analyzer people use for this.
    const g = goaccess(log, join(dir, 'report.json'));
    if (g)
      rows.push({
        measure: 'import access log / goaccess (wall time)',
        value: r.wallMs / g.wallMs,
        unit: 'ratio',
        detail: `kubetrace ${(r.wallMs / 1000).toFixed(1)} s, ${r.maxRssMb.toFixed(0)} MB; goaccess ${(g.wallMs / 1000).toFixed(1)} s, ${g.maxRssMb.toFixed(0)} MB (goal <= 1.0, kubetrace RSS <= 128 MB)`,
      });
    rows.push(...(await logBreakdown(dir, logMb, log)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The log breakdown: `kubetrace import LOG --summary` (every request's numbers, the report and its table) against
 * GoAccess's report on the same file, whole processes, GoAccess first and then kubetrace, each once.
 */
async function logBreakdown(dir: string, logMb: number, given?: string): Promise<BenchRow[]> {
  const log = given ?? join(dir, 'access.log');
  const lines = given ? undefined : (await writeAccessLog(log, logMb * 1024 * 1024)).lines;
  const g = goaccess(log, join(dir, 'report-summary.json'));
  const r = await measureCli(['import', log, '--summary'], 1 << 16);
  if (r.code !== 0) throw new Error(`import --summary failed: ${r.err.slice(-500)}`);
  const requests = /^\S+: (\d+) requests/.exec(r.out)?.[1];
  const rows: BenchRow[] = [
    {
      measure: 'log breakdown peak RSS (import --summary)',
      value: r.maxRssMb,
      unit: 'MB',
      goal: '<= 200',
      pass: r.maxRssMb <= 200,
      detail: `${requests ?? '?'} requests${lines ? ` of ${lines} lines` : ''}, ${logMb} MB log in ${(r.wallMs / 1000).toFixed(1)} s (cpu ${(r.cpuMs / 1000).toFixed(1)} s)`,
    },
  ];
  if (g)
    rows.push({
      measure: 'log breakdown / goaccess (wall time)',
      value: r.wallMs / g.wallMs,
      unit: 'ratio',
      goal: '<= 1.5',
      pass: r.wallMs / g.wallMs <= 1.5,
      detail: `kubetrace import --summary ${(r.wallMs / 1000).toFixed(1)} s, ${r.maxRssMb.toFixed(0)} MB; goaccess ${(g.wallMs / 1000).toFixed(1)} s, ${g.maxRssMb.toFixed(0)} MB`,
    });
  return rows;
}

// ingress-nginx's upstreaminfo as GoAccess reads it: the fields it needs, the rest skipped (%^).
const GOACCESS_FORMAT = '%h - %^ [%d:%t %^] "%r" %s %b "%R" "%u" %^ %T %^';

function goaccess(log: string, out: string): { wallMs: number; maxRssMb: number } | undefined {
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'goaccess-measure %e %M',
      'goaccess',
      log,
      `--log-format=${GOACCESS_FORMAT}`,
      '--date-format=%d/%b/%Y',
      '--time-format=%T',
      '--no-progress',
      '-o',
      out,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const m = /goaccess-measure ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) return undefined; // goaccess or GNU time missing: the row is left out
  return { wallMs: Number(m[1]) * 1000, maxRssMb: Number(m[2]) / 1024 };
}
