// `kubetrace import LOG --summary` on a generated access log, through the built CLI: the counts and percentiles it
// prints equal a computation straight from how the generator wrote each line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BurstReport } from '../../src/core/burst/model';
import { writeAccessLog } from '../fixtures/traces/generate';
import { ensureBuilt, measureCli } from '../fixtures/traces/measure';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-import-summary-'));

before(() => ensureBuilt());
after(() => rmSync(dir, { recursive: true, force: true }));

/** Nearest rank, written out again: the value at 1-based rank ceil(p/100 * n). */
function nearestRank(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1];
}

test('import --summary --json: request counts, percentiles and upstreams match the generated log', async () => {
  const f = join(dir, 'access.log');
  const gen = await writeAccessLog(f, 2 * 1024 * 1024);
  const r = await measureCli(['import', f, '--summary', '--json']);
  assert.equal(r.code, 0, r.err.slice(-2000));
  const report = JSON.parse(r.out) as BurstReport;
  // The generator: line n is broken when n % 1000 == 0; otherwise it took 10 + n % 80 ms, upstream .3 when n is even, .4 when odd.
  const good = Array.from({ length: gen.lines }, (_, i) => i + 1).filter((n) => n % 1000 !== 0);
  const durations = good.map((n) => 10 + (n % 80));
  assert.equal(report.requests, good.length);
  assert.equal(report.completed, good.length);
  assert.equal(report.errors, 0);
  assert.equal([...r.err.matchAll(/^warning: line \d+: /gm)].length, gen.bad);
  assert.equal(report.tail.medianMs, nearestRank(durations, 50));
  assert.equal(report.tails.find((t) => t.percentile === 90)?.thresholdMs, nearestRank(durations, 90));
  assert.equal(report.tail.thresholdMs, nearestRank(durations, 99));
  const nginx = report.spans.find((s) => s.name === 'nginx');
  assert.deepEqual(nginx && [nginx.count, nginx.p50, nginx.p90, nginx.p99, nginx.max], [
    good.length,
    ...[50, 90, 99, 100].map((p) => nearestRank(durations, p)),
  ]);
  const ingress = report.layers.find((l) => l.layer === 'ingress');
  assert.equal(ingress?.share, 1);
  assert.deepEqual(
    report.pods.map((p) => [p.pod, p.count]).sort(),
    [
      ['127.10.0.3:8080', good.filter((n) => n % 2 === 0).length],
      ['127.10.0.4:8080', good.filter((n) => n % 2 === 1).length],
    ].sort(),
  );
  assert.equal(
    report.histogram.reduce((n, h) => n + h.count, 0),
    good.length,
  );
  process.stderr.write(
    `# import --summary of ${gen.lines} lines: ${r.wallMs} ms wall, peak RSS ${r.maxRssMb.toFixed(0)} MB\n`,
  );
});

test('import --summary prints the table: time by layer, span rows, the tail sentences and the line counts', async () => {
  const f = join(dir, 'small.log');
  const gen = await writeAccessLog(f, 64 * 1024);
  const r = await measureCli(['import', f, '--summary']);
  assert.equal(r.code, 0, r.err.slice(-2000));
  assert.match(
    r.out,
    new RegExp(`^small\\.log: ${gen.lines - gen.bad} requests \\(${gen.lines - gen.bad} completed, 0 errors\\)`),
  );
  assert.match(r.out, /time by layer \(critical path\)\n\s+layer\s+share.*\n\s+ingress\s+100\.0%/);
  assert.match(r.out, /ingress-nginx nginx \(before upstream\)/);
  assert.match(r.out, /^ {2}p99 is \d+ ms; .* of the extra time is in ingress-nginx's `[a-z.]+`$/m);
  assert.match(r.out, new RegExp(`small\\.log: ${gen.lines - gen.bad} requests, `));
});

test('import --summary of a trace file: one request per trace, layer shares from its critical path', async () => {
  const r = await measureCli(['import', 'test/fixtures/traces/jaeger-ui.json', '--summary', '--json']);
  assert.equal(r.code, 0, r.err.slice(-2000));
  const report = JSON.parse(r.out) as BurstReport;
  assert.equal(report.requests, 1);
  assert.deepEqual(
    report.layers.map((l) => l.layer),
    ['app', 'downstream'],
  );
  assert.ok(Math.abs(report.layers.reduce((n, l) => n + l.share, 0) - 1) < 1e-9);
  assert.equal(
    report.layers.reduce((n, l) => n + l.p50, 0),
    report.tail.medianMs,
  );
});
