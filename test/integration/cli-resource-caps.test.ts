// The CLI against files built to exhaust it, run as a child under GNU time for its peak RSS: a file of repeated
// `0a 00` taken for OTLP protobuf, a Jaeger file with a tag nested 200,000 deep, and Trace JSON with such an attribute.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT } from './helpers';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubetrace-caps-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function timedCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; rssMb: number }> {
  return new Promise((res) => {
    const p = spawn('/usr/bin/time', ['-f', 'KT_TIME %M', process.execPath, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(t);
      const m = /KT_TIME (\d+)\s*$/.exec(stderr);
      res({ code, stdout, stderr: stderr.replace(/KT_TIME \d+\s*$/, ''), rssMb: m ? Number(m[1]) / 1024 : NaN });
    });
  });
}

const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);

test('import of 8 MB of repeated 0a 00: a clear error, and peak RSS stays bounded', async () => {
  const file = join(dir, 'zeros.bin');
  const b = Buffer.alloc(8 << 20);
  for (let i = 0; i < b.length; i += 2) b[i] = 0x0a;
  writeFileSync(file, b);
  const r = await timedCli(['import', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error: .*more embedded messages than .* not a real export/);
  // It took 440 MB before the budget; the 8 MB file itself and the CLI account for about 100 MB.
  assert.ok(r.rssMb < 200, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  console.log(`import 8 MB of 0a 00: peak RSS ${r.rssMb.toFixed(0)} MB`);
});

test('a Jaeger tag and a Trace JSON attribute nested 200,000 deep import with a note, not a stack overflow', async () => {
  const jaeger = join(dir, 'deep-jaeger.json');
  writeFileSync(
    jaeger,
    `{"data":[{"traceID":"abc","spans":[{"traceID":"abc","spanID":"01","operationName":"x","startTime":1,"duration":1,` +
      `"tags":[{"key":"deep","type":"string","value":${nested(200_000)}}],"processID":"p1"}],"processes":{"p1":{"serviceName":"s"}}}]}`,
  );
  const trace = join(dir, 'deep-trace.json');
  writeFileSync(
    trace,
    `[{"traceId":"abc","spans":[{"spanId":"01","name":"x","service":"s","layer":"app","kind":"server","startTimeUnixNano":"1",` +
      `"endTimeUnixNano":"2","status":"unset","attributes":{"deep":${nested(200_000)}},"events":[],"links":[],"origin":"import"}],` +
      `"criticalPath":[],"diagnostics":[]}]`,
  );
  for (const [file, note, kept] of [
    [jaeger, /^$/, true],
    // Trace JSON spans must hold model values: the span with the deep one is refused by name (or the value noted).
    [trace, /0\.spans\.0\.attributes\.deep|nested more than 64 levels deep \(deep\)/, false],
  ] as const) {
    const r = await timedCli(['import', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /call stack/);
    assert.match(r.stderr.trim(), note);
    const out = JSON.parse(r.stdout) as { spans: { attributes: Record<string, unknown> }[] }[];
    const deepValue = out[0]?.spans[0]?.attributes.deep;
    if (kept) assert.equal(deepValue, '[a value nested more than 64 levels deep; not converted]');
    else assert.ok(deepValue === undefined || /not converted/.test(String(deepValue)));
    assert.ok(r.rssMb < 200, `peak RSS ${r.rssMb.toFixed(0)} MB`);
  }
});
