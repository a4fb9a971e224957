// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints one table.
// Each bench module default-exports an async function returning rows; pairs are measured side by side inside it.
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

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .filter((f) => !only.length || only.some((o) => f.includes(o)));
  const rows: BenchRow[] = [];
  let failed = 0;
  for (const f of files) {
    process.stderr.write(`bench: ${f} ...\n`);
    try {
      const mod = await import(join(__dirname, f));
      const bench: Bench = mod.default ?? mod.bench;
      rows.push(...(await bench()));
    } catch (e) {
      failed++;
      process.stderr.write(`bench ${f} failed: ${e instanceof Error ? e.stack : e}\n`);
    }
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
