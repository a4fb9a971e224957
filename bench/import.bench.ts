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
import { measureCli, type Measured } from '../test/fixtures/traces/measure';
import { median } from './stats';

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
    const runs = await rounds(['import', log, '--json'], 0, join(dir, 'report.json'), log);
    const last = runs[runs.length - 1].kt;
    rows.push({
      measure: 'import nginx access log',
      value: gen.lines / (median(runs.map((r) => r.kt.wallMs)) / 1000),
      unit: 'lines/s',
      detail: `${gen.lines} lines, ${(gen.bytes / 1e6).toFixed(0)} MB; last round ${(last.wallMs / 1000).toFixed(1)} s (cpu ${(last.cpuMs / 1000).toFixed(1)} s)`,
    });
    // GoAccess (Debian `goaccess`) on the same file: the C log analyzer people use for this.
    if (runs[0].g) {
      const ratio = median(runs.map((r) => r.ratio));
      const rss = peakRss(runs);
      rows.push({
        measure: 'import access log / goaccess (wall time)',
        value: ratio,
        unit: 'ratio',
        goal: '<= 1.0, RSS <= 128 MB',
        pass: ratio <= 1 && rss <= 128,
        detail: describe(runs),
      });
    }
    rows.push(...(await logBreakdown(dir, logMb, log)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The log breakdown: `kubetrace import LOG --summary` (every request's numbers, the report and its table) against
 * GoAccess's report on the same file, whole processes.
 */
async function logBreakdown(dir: string, logMb: number, given?: string): Promise<BenchRow[]> {
  const log = given ?? join(dir, 'access.log');
  const lines = given ? undefined : (await writeAccessLog(log, logMb * 1024 * 1024)).lines;
  const runs = await rounds(['import', log, '--summary'], 1 << 16, join(dir, 'report-summary.json'), log);
  const requests = /^\S+: (\d+) requests/.exec(runs[0].kt.out)?.[1];
  const rss = peakRss(runs);
  const last = runs[runs.length - 1].kt;
  const rows: BenchRow[] = [
    {
      measure: 'log breakdown peak RSS (import --summary)',
      value: rss,
      unit: 'MB',
      goal: '<= 200',
      pass: rss <= 200,
      detail: `highest of ${runs.length} runs; ${requests ?? '?'} requests${lines ? ` of ${lines} lines` : ''}, ${logMb} MB log, last round ${(last.wallMs / 1000).toFixed(1)} s (cpu ${(last.cpuMs / 1000).toFixed(1)} s)`,
    },
  ];
  if (runs[0].g) {
    const ratio = median(runs.map((r) => r.ratio));
    rows.push({
      measure: 'log breakdown / goaccess (wall time)',
      value: ratio,
      unit: 'ratio',
      goal: '<= 1.5',
      pass: ratio <= 1.5,
      detail: describe(runs),
    });
  }
  return rows;
}

interface Round {
  kt: Measured;
  g?: { wallMs: number; maxRssMb: number };
  ratio: number;
}

/**
 * KUBETRACE_BENCH_ROUNDS (default 3) pairs, GoAccess and kubetrace back to back, first one then the other in turn:
 * on a shared machine either can be slowed for a few seconds, so each pair gives a ratio and the median is taken.
 */
async function rounds(args: string[], keep: number, report: string, log: string): Promise<Round[]> {
  const n = Math.max(1, Number(process.env.KUBETRACE_BENCH_ROUNDS ?? 3));
  const out: Round[] = [];
  for (let i = 0; i < n; i++) {
    const goaccessFirst = i % 2 === 0;
    const before = goaccessFirst ? goaccess(log, report) : undefined;
    const kt = await measureCli(args, keep);
    if (kt.code !== 0) throw new Error(`kubetrace ${args.join(' ')} failed: ${kt.err.slice(-500)}`);
    const g = goaccessFirst ? before : goaccess(log, report);
    out.push({ kt, g, ratio: g ? kt.wallMs / g.wallMs : NaN });
  }
  return out;
}

/** The highest peak RSS of kubetrace's runs: the memory goals hold for every run. */
const peakRss = (runs: Round[]): number => Math.max(...runs.map((r) => r.kt.maxRssMb));

/** Each pair's times, kubetrace's highest peak RSS and GoAccess's median. */
function describe(runs: Round[]): string {
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const pairs = runs.map((r) => `${s(r.kt.wallMs)}/${s(r.g?.wallMs ?? NaN)}`).join(', ');
  const rss = peakRss(runs);
  const grss = median(runs.map((r) => r.g?.maxRssMb ?? NaN));
  return `kubetrace/goaccess s: ${pairs} (median ratio); kubetrace peak ${rss.toFixed(0)} MB, goaccess ${grss.toFixed(0)} MB`;
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
