// A long access log streams: peak memory does not grow with the log, and every unreadable access line is reported.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAccessLog } from '../fixtures/traces/generate';
import { ensureBuilt, measureCli } from '../fixtures/traces/measure';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-big-log-'));

before(() => ensureBuilt());
after(() => rmSync(dir, { recursive: true, force: true }));

test('a 4x longer access log takes about the same peak memory, and each garbage line is reported with its number', async () => {
  const runs = [];
  for (const mb of [1, 4]) {
    const f = join(dir, `access-${mb}.log`);
    const gen = await writeAccessLog(f, mb * 1024 * 1024);
    const r = await measureCli(['import', f, '--json'], 4096);
    assert.equal(r.code, 0, r.err.slice(-2000));
    const reported = [...r.err.matchAll(/^warning: line (\d+): /gm)].map((m) => Number(m[1]));
    assert.equal(reported.length, gen.bad);
    assert.deepEqual(
      reported,
      Array.from({ length: gen.bad }, (_, i) => (i + 1) * 1000),
      'the generator puts a broken access line on every 1000th line',
    );
    runs.push({ mb, lines: gen.lines, ...r });
    process.stderr.write(
      `# access log ${mb} MB, ${gen.lines} lines: ${r.wallMs} ms wall, ${r.cpuMs} ms cpu, peak RSS ${r.maxRssMb.toFixed(0)} MB\n`,
    );
  }
  const [small, big] = runs;
  assert.ok(
    big.maxRssMb < small.maxRssMb * 1.5 + 20,
    `peak RSS ${small.maxRssMb.toFixed(0)} MB -> ${big.maxRssMb.toFixed(0)} MB`,
  );
});
