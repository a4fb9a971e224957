// `kubetrace import LOG --summary` on a generated access log, through the built CLI: the counts and percentiles it
// prints equal a computation straight from how the generator wrote each line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BurstReport } from '../../src/core/burst/model';
import { writeAccessLog } from '../fixtures/traces/generate';
import { ensureBuilt, measureCli } from '../fixtures/traces/measure';

const ROOT = join(__dirname, '..', '..');

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-import-summary-'));

before(() => ensureBuilt());
after(() => rmSync(dir, { recursive: true, force: true }));

/** Nearest rank, written out again: the value at 1-based rank ceil(p/100 * n). */
function nearestRank(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1];
}

/** The report of `import LOG --summary --json` on a generated log, checked against how the generator wrote each line. */
async function checkSummary(mb: number): Promise<void> {
  const f = join(dir, `access-${mb}.log`);
  const gen = await writeAccessLog(f, mb * 1024 * 1024);
  const r = await measureCli(['import', f, '--summary', '--json']);
  assert.equal(r.code, 0, r.err.slice(-2000));
  const report = JSON.parse(r.out) as BurstReport;
  // The generator: line n is broken when n % 1000 == 0; otherwise it took 10 + n % 80 ms, upstream .3 when n is even, .4 when odd.
  const good = Array.from({ length: gen.lines }, (_, i) => i + 1).filter((n) => n % 1000 !== 0);
  const durations = good.map((n) => 10 + (n % 80));
  assert.equal(report.requests, good.length);
  assert.equal(report.completed, good.length);
  assert.equal(report.errors, 0);
  // Every unreadable line is counted; the first 20 are warned about by number, in order.
  assert.match(r.err, new RegExp(`: ${good.length} requests, ${gen.bad} unreadable`));
  assert.deepEqual(
    [...r.err.matchAll(/^warning: line (\d+): /gm)].map((m) => Number(m[1])),
    Array.from({ length: Math.min(20, gen.bad) }, (_, i) => (i + 1) * 1000),
  );
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
}

test('import --summary --json: request counts, percentiles and upstreams match the generated log', async () => {
  await checkSummary(2);
});

test('a log of 16 MB or more is read in pieces, on worker threads too, with the same numbers', async () => {
  await checkSummary(17);
});

test('import --json of a log read in pieces: every request once, in file order, each line warned about by number', async () => {
  const f = join(dir, 'access-json.log');
  const gen = await writeAccessLog(f, 17 * 1024 * 1024);
  const out = join(dir, 'access.json');
  const r = spawnSync('node', ['bin/kubetrace.js', 'import', f, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', openSync(out, 'w'), 'pipe'],
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const good = gen.lines - gen.bad;
  assert.match(r.stderr, new RegExp(`: ${good} requests, ${gen.bad} unreadable`));
  // One trace a line (a JSON.parse of 300 MB would only test the test): each starts a line, ids in file order.
  const ids: string[] = [];
  let text = '';
  let end = '';
  for await (const chunk of createReadStream(out, { encoding: 'utf8' })) {
    text += chunk;
    end = (end + chunk).slice(-16);
    const cut = text.lastIndexOf('\n');
    for (const m of text.slice(0, cut).matchAll(/^\{"traceId":"([0-9a-f]{32})"/gm)) ids.push(m[1]);
    text = text.slice(cut);
  }
  assert.equal(ids.length, good);
  const lines = readFileSync(f, 'utf8').split('\n');
  const want = lines.filter((l, i) => l && (i + 1) % 1000 !== 0).map((l) => l.split(' ').at(-4));
  assert.deepEqual(ids, want);
  const head = Buffer.alloc(2);
  readSync(openSync(out, 'r'), head, 0, 2, 0);
  assert.equal(head.toString(), '[\n');
  assert.match(end, /\}\n\]\n$/);
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
