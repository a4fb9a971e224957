// `kubetrace import` and `kubetrace export` as a user runs them: the built CLI, real files, stdout/stderr/exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trace } from '../../src/core/trace/model';
import { ensureBuilt } from '../fixtures/traces/measure';

const ROOT = join(__dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'traces');
const dir = mkdtempSync(join(tmpdir(), 'kubetrace-cli-import-'));

before(() => ensureBuilt());
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync('node', ['bin/kubetrace.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 1 << 26,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('import --json prints an array of Traces for every format, detected on its own', () => {
  for (const f of [
    'jaeger-ui.json',
    'jaeger-v3.json',
    'otlp.json',
    'tempo-batches.json',
    'tempo-resource-spans.json',
    'zipkin.json',
  ]) {
    const r = cli('import', join(FIX, f), '--json');
    assert.equal(r.code, 0, `${f}: ${r.err}`);
    const traces = JSON.parse(r.out) as Trace[];
    assert.equal(traces.length, 1, f);
    assert.equal(traces[0].traceId, '4bf92f3577b34da6a3ce929d0e0e4736', f);
    assert.deepEqual(
      traces[0].spans.map((s) => s.spanId).sort(),
      ['00f067aa0ba902b7', '53995c3f42cd8ad8', 'b7ad6b7169203331'],
      f,
    );
  }
});

test('import without --json prints each trace as a waterfall (every span, duplicates included), with its diagnostics', () => {
  const r = cli('import', join(FIX, 'jaeger-quirks.json'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^trace af5e9c1d2b3a4f60 {2}1\.25 ms {2}4 spans$/m);
  const rows = r.out.split('\n').filter((l) => /│/.test(l));
  assert.equal(rows.length, 4, 'one waterfall row per span, the repeated id too');
  assert.match(r.out, /warning span id 2222222222222222 appears 2 times/);
  assert.match(
    r.out,
    /info {4}span 1111111111111111 references span .* of another trace \(0af7651916cd43dd8448eb211c80319c\)/,
  );
  assert.match(r.out, /^1 trace, 4 spans from .*jaeger-quirks\.json \(jaeger: one bare Jaeger trace object\)$/m);
});

test('an access log: one trace per line; a bad line is reported on stderr with its number', () => {
  const r = cli('import', join(FIX, 'access.log'), '--json');
  assert.equal(r.code, 0, r.err);
  const traces = JSON.parse(r.out) as Trace[];
  assert.deepEqual(
    traces.map((t) => t.traceId),
    ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'],
  );
  assert.ok(
    traces[1].spans.filter((s) => s.name === 'upstream.attempt').length === 2,
    'both upstream tries are children',
  );
  // A line that is no access line is counted, not warned about; the counts go to stderr beside --json.
  assert.doesNotMatch(r.err, /^warning:/m);
  assert.match(r.err, /access\.log: 2 requests, 1 other line, 0 unreadable$/m);
  const forced = cli('import', join(FIX, 'access.log'), '--format', 'nginx-log');
  assert.equal(forced.code, 0);
  assert.match(forced.out, /2 traces, 12 spans /);
  assert.match(forced.out, /: 2 requests, 1 other line, 0 unreadable$/m);
  const none = join(dir, 'bad.log');
  writeFileSync(none, 'nothing\nto see\n');
  const r2 = cli('import', none, '--format', 'nginx-log');
  assert.equal(r2.code, 1);
  assert.match(r2.err, /^error: no request line in .*bad\.log: 0 requests, 2 other lines, 0 unreadable$/m);
  const cut = join(dir, 'cut.log');
  writeFileSync(
    cut,
    '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET /cut\nI0308 16:02:40.123456       7 main.go:1] x\n',
  );
  const r3 = cli('import', cut);
  assert.equal(r3.code, 1);
  assert.match(r3.err, /^warning: line 1: unterminated quoted field/m);
  assert.match(r3.err, /^error: no request line in .*: 0 requests, 1 controller line, 1 unreadable$/m);
});

test('unreadable access lines: the first 20 are warned about by number, then one line counts the rest', () => {
  const good = readFileSync(join(FIX, 'access.log'), 'utf8').split('\n')[0];
  const lines = [good];
  for (let i = 0; i < 25; i++) lines.push(`127.0.0.1 - - [05/Dec/2026:10:00:00 +0000] "GET /bad/${i} HTTP/1.1" 2x0 -`);
  const f = join(dir, 'many-bad.log');
  writeFileSync(f, lines.join('\n') + '\n');
  for (const args of [['--json'], ['--summary'], []]) {
    const r = cli('import', f, ...args);
    assert.equal(r.code, 0, r.err);
    const numbers = [...r.err.matchAll(/^warning: line (\d+): status field "2x0"/gm)].map((m) => Number(m[1]));
    assert.deepEqual(
      numbers,
      Array.from({ length: 20 }, (_, i) => i + 2),
      `${args}: the first 20, in order`,
    );
    assert.match(r.err + r.out, /^warning: … and 5 more unreadable lines$/m);
    // The counts are complete whatever was printed.
    assert.match(r.err + r.out, /many-bad\.log: 1 request, 25 unreadable$/m);
  }
});

test('import --json of a log whose user agent holds escape sequences: visible escapes, the same value parsed back', () => {
  // nginx writes bytes outside 0x20-0x7e as \xHH: ESC, DEL, C1 CSI (U+009B) and a bidi override (U+202E) in UTF-8.
  const ua = String.raw`evil\x1B[2J\x7F\xC2\x9B31m\xE2\x80\xAEesrever`;
  const good = readFileSync(join(FIX, 'access.log'), 'utf8').split('\n')[0].replace('"curl/7.88.1"', `"${ua}"`);
  const f = join(dir, 'hostile.log');
  // Many lines, so the output spans several chunks of src/cli/output.ts and the hostile one is not the first.
  writeFileSync(
    f,
    `${good.replace('/orders', '/plain').replace('"' + ua + '"', '"curl"')}\n`.repeat(400) + `${good}\n`,
  );
  const r = cli('import', f, '--json');
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  const traces = JSON.parse(r.out) as Trace[];
  assert.equal(traces.length, 401);
  assert.equal(traces[400].spans[0].attributes['user_agent.original'], 'evil\x1b[2J\x7f\x9b31m\u202eesrever');
  assert.equal(traces[0].spans[0].attributes['user_agent.original'], 'curl');
});

test('errors: exit 1 with error:/hint: lines; bad usage exits 2', () => {
  const missing = cli('import', join(dir, 'missing.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^error: cannot read .*missing\.json: no such file$/m);
  const unknown = join(dir, 'unknown.json');
  writeFileSync(unknown, '{"hello":"world"}');
  const u = cli('import', unknown);
  assert.equal(u.code, 1);
  assert.match(u.err, /^error: cannot tell the format of .*: JSON with top-level keys "hello"/m);
  assert.match(
    u.err,
    /^hint: pass --format otlp\|jaeger\|tempo\|zipkin\|nginx-log\|envoy-log\|traefik-log\|haproxy-log$/m,
  );
  const cut = join(dir, 'cut.json');
  writeFileSync(cut, readFileSync(join(FIX, 'zipkin.json'), 'utf8').slice(0, 700));
  const c = cli('import', cut, '--json');
  assert.equal(c.code, 1);
  assert.equal((JSON.parse(c.out) as Trace[])[0].spans.length, 1, 'what was read before the cut is printed');
  assert.match(c.err, /^error: the Zipkin JSON is malformed at byte \d+: the JSON ends too early/m);
  assert.equal(cli('import').code, 2);
  assert.equal(cli('import', 'a', 'b').code, 2);
  const bad = cli('import', join(FIX, 'otlp.json'), '--format', 'xml');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^error: unknown format "xml"$/m);
  assert.equal(cli('import', join(FIX, 'otlp.json'), '--bogus').code, 2);
  assert.equal(cli('export', join(FIX, 'otlp.json')).code, 2);
  assert.equal(cli('export', join(FIX, 'otlp.json'), '--format', 'zipkin').code, 2);
});

test('export: import --json output to OTLP and Jaeger files that import back to the same spans', () => {
  const native = join(dir, 'native.json');
  const imp = cli('import', join(FIX, 'otlp.json'), '--json');
  writeFileSync(native, imp.out);
  const original = (JSON.parse(imp.out) as Trace[])[0];
  for (const format of ['otlp', 'jaeger']) {
    const out = join(dir, `out.${format}.json`);
    const e = cli('export', native, '--format', format, '-o', out);
    assert.equal(e.code, 0, e.err);
    assert.match(e.err, new RegExp(`wrote 1 trace \\(3 spans\\) as ${format === 'otlp' ? 'OTLP' : 'Jaeger'} JSON`));
    const back = (JSON.parse(cli('import', out, '--json').out) as Trace[])[0];
    assert.deepEqual(
      back.spans.map((s) => [s.spanId, s.parentSpanId, s.name, s.service, s.kind, s.status, s.layer]),
      original.spans.map((s) => [s.spanId, s.parentSpanId, s.name, s.service, s.kind, s.status, s.layer]),
      format,
    );
    assert.deepEqual(
      back.spans.map((s) => s.events.map((ev) => ev.name)),
      original.spans.map((s) => s.events.map((ev) => ev.name)),
    );
  }
  const toStdout = cli('export', native, '--format', 'jaeger');
  assert.equal(toStdout.code, 0);
  assert.equal(JSON.parse(toStdout.out).data[0].spans.length, 3);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, imp.out.slice(0, 200));
  const failed = cli('export', broken, '--format', 'otlp', '-o', join(dir, 'never.json'));
  assert.equal(failed.code, 1);
  assert.match(failed.err, /^error: the Trace JSON is malformed/m);
  assert.ok(!existsSync(join(dir, 'never.json')), 'no half-written output file');
});
