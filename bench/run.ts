// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
// Each bench module default-exports an async function returning rows; pairs are measured side by side inside it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchRow {
  measure: string; // e.g. "probe overhead"
  value: number; // the headline number (a ratio, ms, spans/s, KB ...)
  unit: string; // "ratio", "ms", "spans/s", "KB"
  goal?: string; // e.g. "<= 1.10"
  pass?: boolean; // whether value meets the goal
  detail?: string; // medians of A and B, sample counts, ...
}
export type Bench = () => Promise<BenchRow[]>;

// Ctrl-C or a `timeout` would end the process without its 'exit' event, and the sandboxes' nginx and apps (which
// src/sandbox/runtime/runtime.ts kills on 'exit') would outlive it, holding their pod addresses.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));

// Each bench file runs in a process of its own: run in one process, a bench that kept a big heap (a burst's traces,
// an import's records) made the next one's collector pauses longer, and the probe's pairs against curl (a process
// of its own) measured 1.36 in a full run against 1.04-1.07 run alone.
let child: ChildProcess | undefined;
process.on('exit', () => child?.kill('SIGTERM'));

/** One bench file's rows, from a child process (`run.ts --one FILE`); undefined when it failed (its stderr says why). */
function runFile(f: string): Promise<BenchRow[] | undefined> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [...process.execArgv, __filename, '--one', f], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = c;
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.once('close', (code) => {
      child = undefined;
      const last = out.trimEnd().split('\n').pop() ?? '';
      resolve(code === 0 && last.startsWith(ROWS) ? (JSON.parse(last.slice(ROWS.length)) as BenchRow[]) : undefined);
    });
  });
}

const ROWS = 'bench rows: ';

/** In the child: runs one file's bench and prints its rows as the last line of stdout. */
async function one(f: string): Promise<void> {
  const mod = await import(join(__dirname, f));
  const bench: Bench = mod.default ?? mod.bench;
  const rows = await bench();
  process.stdout.write(`\n${ROWS}${JSON.stringify(rows)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--one') {
    try {
      await one(process.argv[3]);
    } catch (e) {
      process.stderr.write(`bench ${process.argv[3]} failed: ${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 1;
    }
    return;
  }
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .filter((f) => !only.length || only.some((o) => f.includes(o)));
  const rows: BenchRow[] = [];
  let failed = 0;
  for (const f of files) {
    process.stderr.write(`bench: ${f} ...\n`);
    const got = await runFile(f);
    if (got) rows.push(...got);
    else failed++;
  }
  const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(n < 10 ? 3 : 1));
  const lines = rows.map((r) => [
    r.measure,
    `${fmt(r.value)} ${r.unit}`,
    r.goal ?? '',
    r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED',
    r.detail ?? '',
  ]);
  const head = ['measure', 'value', 'goal', '', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const out = [head, ...lines].map((l) =>
    l
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
  console.log(out.join('\n'));
  if (failed) process.exitCode = 1;
}
main();
