// An access log as a request set: the same breakdown as importing every trace, and trace(id) reads the request's
// lines again by offset and gives back the trace the import made (error-line events included).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeLog } from '../../src/core/burst/log-set';
import { RequestBreakdown } from '../../src/core/burst/breakdown';
import { summarizeRequest } from '../../src/core/burst/measure';
import { openImport } from '../../src/core/io/import';
import type { Trace } from '../../src/core/trace/model';
import { LineIndex } from '../../src/core/io/lines';
import { open } from 'node:fs/promises';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-log-set-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => (n * 7919 + 1).toString(16).padStart(32, '0');

/** 300 requests with klog and blank lines between, a CRLF line, a non-ASCII path, a line without request id, and an error line. */
function logText(): { text: string; errorId: string; noIdLine: number } {
  const lines: string[] = ['I1205 10:00:00.000000       7 main.go:249] "Starting NGINX Ingress controller"'];
  for (let i = 0; i < 300; i++) {
    const sec = String(i % 60).padStart(2, '0');
    const ms = (5 + ((i * 37) % 200)) / 1000;
    const status = i % 50 === 3 ? 503 : 200;
    const path = i === 42 ? '/café/ünï' : `/orders/${i % 7}`;
    const addr = `10.0.0.${1 + (i % 3)}:8080`;
    lines.push(
      `10.1.0.${i % 5} - - [05/Dec/2026:10:00:${sec} +0000] "GET ${path} HTTP/1.1" ${status} 12 "-" "curl/8" 80 ` +
        `${ms.toFixed(3)} [shop-orders-80] [] ${addr} 12 ${(ms - 0.001).toFixed(3)} ${status} ${i === 77 ? '-' : hex(i)}`,
    );
    if (i % 13 === 0) lines.push('');
    if (i % 29 === 0) lines.push('I1205 10:00:01.000000       7 store.go:1]  "syncing"');
  }
  // nginx writes the error line before the access line of the request it explains.
  lines.push(
    '2026/12/05 10:01:00 [error] 33#33: *7 upstream timed out (110: Operation timed out) while reading response header from upstream, ' +
      'client: 10.9.9.9, server: shop, request: "GET /slow HTTP/1.1", upstream: "http://10.0.0.2:8080/slow", host: "shop"',
  );
  const errorId = 'e'.repeat(32);
  lines.push(
    `10.9.9.9 - - [05/Dec/2026:10:01:00 +0000] "GET /slow HTTP/1.1" 504 0 "-" "curl/8" 80 1.000 [shop-orders-80] [] ` +
      `10.0.0.2:8080 0 1.000 504 ${errorId}\r`,
  );
  const noIdLine = lines.findIndex((l) => l.includes('/orders/0 ') && l.endsWith(' -')) + 1;
  return { text: lines.join('\n') + '\n', errorId, noIdLine };
}

/** A trace without its random ids: span ids become positions, so two reads of one line compare equal. */
function normalized(t: Trace): unknown {
  const pos = new Map(t.spans.map((s, i) => [s.spanId, `#${i}`]));
  const ids = (s: string | undefined) => (s === undefined ? undefined : (pos.get(s) ?? s));
  return {
    spans: t.spans.map((s) => ({ ...s, spanId: ids(s.spanId), parentSpanId: ids(s.parentSpanId) })),
    criticalPath: t.criticalPath.map((c) => ({ ...c, spanId: ids(c.spanId) })),
    diagnostics: t.diagnostics.map((d) => ({ ...d, spanId: ids(d.spanId) })),
  };
}

test('a log set reports what a breakdown of the imported traces reports, and trace(id) rebuilds each trace', async () => {
  const { text, errorId, noIdLine } = logText();
  const file = join(dir, 'access.log');
  writeFileSync(file, text);
  const progress: number[] = [];
  const set = await summarizeLog(file, { maxProbes: 50, onProgress: (p) => progress.push(p.bytes) });
  assert.equal(set.requests, 301);
  assert.equal(set.counts.requests, 301);
  assert.equal(set.counts.attached, 1);
  assert.equal(progress[progress.length - 1], statSync(file).size);

  const imported: Trace[] = [];
  const opened = await openImport(file);
  for await (const item of opened.items) if ('trace' in item) imported.push(item.trace);
  assert.equal(imported.length, 301);
  const b = new RequestBreakdown({ maxProbes: 50, route: 'access.log' });
  for (const t of imported) b.add(t, summarizeRequest(t));
  const ours = set.report();
  const theirs = b.report();
  // The line without a request id gets a fresh random id on each read; everything else must be equal.
  const noId = imported.find((t) => t.spans[0].attributes['kubetrace.import.line'] === noIdLine) as Trace;
  assert.ok(noId, `line ${noIdLine}`);
  const noIdStart = noId.spans[0].startTimeUnixNano;
  const isNoId = (p: { startUnixNano: string; path?: string }) =>
    p.startUnixNano === noIdStart && p.path === '/orders/0';
  const fix = (r: typeof ours) => ({ ...r, probes: r.probes.map((p) => (isNoId(p) ? { ...p, traceId: '-' } : p)) });
  assert.deepEqual(fix(ours), fix(theirs));
  const noIdInSet = set.report({ path: '/orders/0' }).probes.find(isNoId)?.traceId as string;
  assert.ok(noIdInSet);

  for (const t of imported) {
    const id = t === noId ? noIdInSet : t.traceId;
    const again = await set.trace(id);
    assert.ok(again, `trace ${id}`);
    assert.equal(again.traceId, id);
    assert.deepEqual(normalized(again), normalized(t), `line ${t.spans[0].attributes['kubetrace.import.line']}`);
  }
  const slow = (await set.trace(errorId)) as Trace;
  assert.deepEqual(
    slow.spans.flatMap((s) => s.events.map((e) => e.name)),
    ['nginx.error'],
  );
  const cafe = imported.find((t) => t.spans[0].attributes['url.path'] === '/café/ünï') as Trace;
  assert.equal((await set.trace(cafe.traceId))?.spans[0].attributes['url.path'], '/café/ünï');
  assert.equal(await set.trace('f'.repeat(32)), undefined);
});

test('the line index finds any line again, across chunk and checkpoint boundaries and past the end', async () => {
  const lines = Array.from({ length: 1000 }, (_, i) => (i % 17 === 0 ? '' : `line ${i + 1} ${'é'.repeat(i % 300)}`));
  const file = join(dir, 'lines.txt');
  writeFileSync(file, lines.join('\n'));
  const index = new LineIndex();
  const read: string[] = [];
  for await (const l of index.read(file)) read.push(l);
  assert.deepEqual(read, lines);
  const fh = await open(file, 'r');
  try {
    const want = [1, 2, 63, 64, 65, 128, 129, 500, 999, 1000, 1001];
    const got = await index.lookup(fh, want);
    for (const n of want.filter((n) => n <= 1000)) assert.equal(got.get(n), lines[n - 1], `line ${n}`);
    assert.equal(got.has(1001), false);
  } finally {
    await fh.close();
  }
});

test('summarizeLog stops when its signal is aborted, and refuses a file that is not a log', async () => {
  const { text } = logText();
  const file = join(dir, 'abort.log');
  writeFileSync(file, text);
  const ac = new AbortController();
  ac.abort(new Error('cancelled by the user'));
  await assert.rejects(summarizeLog(file, { signal: ac.signal }), /cancelled by the user/);
  const json = join(dir, 'trace.json');
  writeFileSync(json, JSON.stringify({ resourceSpans: [] }));
  await assert.rejects(summarizeLog(json), /not an access log/);
});
