// A log read in pieces (core/burst/log-parallel.ts: worker threads and this thread, results taken in file order) says
// exactly what one pass says: the same report, counts, unreadable lines and rebuilt traces, on random logs that mix
// access lines, damaged lines, klog, banners, blank and CRLF lines, and nginx error and debug lines that make a
// piece depend on the ones before it. fast-check prints the seed and the shrunk log on failure.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { summarizeLog, type SummarizeLogOptions } from '../../src/core/burst/log-set';
import { readInParallel } from '../../src/core/burst/log-parallel';
import { readLogFrom } from '../../src/core/io/import';
import { JsonBytes } from '../../src/cli/json-bytes';
import { jsonChunk } from '../../src/cli/log-json';
import { ensureBuilt } from '../fixtures/traces/measure';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'log-worker.js');
const dir = mkdtempSync(join(tmpdir(), 'kubetrace-log-parallel-'));
before(() => ensureBuilt());
after(() => rmSync(dir, { recursive: true, force: true }));

const KUBECTL = readFileSync(join(__dirname, '../fixtures/controller-log/ingress-nginx-kubectl.log'), 'utf8')
  .split('\n')
  .filter(Boolean);
const hex = (n: number) => (n * 7919 + 1).toString(16).padStart(32, '0');

/** An access line of second `s` (of 10:00 on 5 Dec 2026) for client c; with an id, or `-`. */
function access(i: number, s: number, c: number, withId: boolean, retry: boolean): string {
  const sec = `${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  const ms = (5 + ((i * 37) % 900)) / 1000;
  const status = i % 11 === 3 ? 502 : 200;
  const up = retry
    ? `10.0.0.1:8080, 10.0.0.2:8080 0, 12 0.001, ${ms.toFixed(3)} 502, ${status}`
    : `10.0.0.${1 + (i % 3)}:8080 12 ${ms.toFixed(3)} ${status}`;
  return (
    `10.1.0.${c} - - [05/Dec/2026:10:${sec} +0000] "GET /orders/${i % 7} HTTP/1.1" ${status} 12 "-" "curl/8" 80 ` +
    `${ms.toFixed(3)} [shop-orders-80] [] ${up} ${withId ? hex(i) : '-'}`
  );
}

/** An nginx error line at second s about client c's request for /orders/k: it fits that client's requests then. */
const errorLine = (s: number, c: number, k: number, conn: number) =>
  `2026/12/05 10:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')} [error] 33#33: ` +
  `*${conn} upstream prematurely closed connection while reading response header from upstream, client: 10.1.0.${c}, ` +
  `server: shop, request: "GET /orders/${k} HTTP/1.1", upstream: "http://10.0.0.1:8080/orders/${k}", host: "shop"`;

const debugLine = (s: number, conn: number, i: number) =>
  `2026/12/05 10:00:${String(s % 60).padStart(2, '0')} [debug] 33#33: *${conn} http header: "X-Request-ID: ${hex(i)}"`;

type Kind = 'access' | 'noid' | 'retry' | 'error' | 'debug' | 'kubectl' | 'blank' | 'damaged' | 'crlf';
const kinds = fc.constantFrom<Kind>(
  ...(['access', 'access', 'access', 'access', 'noid', 'retry', 'kubectl', 'blank', 'damaged', 'crlf'] as const),
);
const rareKinds = fc.constantFrom<Kind>('error', 'debug');

function build(plan: [Kind, number][], eol: boolean): string {
  const lines = plan.map(([kind, r], i) => {
    const s = Math.floor(i / 4);
    const c = r % 4;
    switch (kind) {
      case 'access':
        return access(i, s, c, true, false);
      case 'crlf':
        return `${access(i, s, c, true, false)}\r`;
      case 'noid':
        return access(i, s, c, false, false);
      case 'retry':
        return access(i, s, c, true, true);
      case 'error':
        return errorLine(s, c, (i + 1) % 7, r);
      case 'debug':
        return debugLine(s, r, i + 1);
      case 'kubectl':
        return KUBECTL[r % KUBECTL.length];
      case 'blank':
        return '';
      case 'damaged':
        return access(i, s, c, true, false).slice(0, 40 + (r % 120)) + (r % 2 ? ' 2x0' : '');
    }
  });
  return lines.join('\n') + (eol ? '\n' : '');
}

/**
 * Random ids (lines without a request id, span ids) as their order of appearance, so two reads compare equal. A
 * string is JSON text already.
 */
function normalized(value: unknown, log: string): string {
  const seen = new Map<string, string>();
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(
    /"([0-9a-f]{16}|[0-9a-f]{32})"/g,
    (m, id: string) => {
      if (log.includes(id)) return m;
      if (!seen.has(id)) seen.set(id, `#${seen.size}`);
      return `"${seen.get(id)}"`;
    },
  );
}

/** What a reading says, or the error it gives (an empty log, a log of blank lines): both ways must agree on it. */
async function read(file: string, log: string, opts: SummarizeLogOptions) {
  try {
    return await readSet(file, log, opts);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

async function readSet(file: string, log: string, opts: SummarizeLogOptions) {
  const bad: unknown[] = [];
  const set = await summarizeLog(file, { ...opts, maxProbes: 1000, onBadLine: (...a) => bad.push(a) });
  const report = set.report();
  const traces = [];
  for (const p of report.probes.slice(0, 40)) traces.push(await set.trace(p.traceId));
  return { report: normalized(report, log), counts: set.counts, bad, traces: normalized(traces, log) };
}

/** `import --json`'s text for the log: in one pass, or in pieces (each giving its JSON) and then one pass. */
async function jsonOf(file: string, pieces?: { workers: number; chunkBytes: number }) {
  const text: string[] = [];
  const rest: unknown[] = [];
  let from = { offset: 0, firstLine: 1, time: 0 };
  if (pieces) {
    const resume = await readInParallel(file, { script: WORKER, json: true, local: jsonChunk, ...pieces }, (r) => {
      text.push(Buffer.from(r.json ?? []).toString('utf8'));
      rest.push(r.bad, r.counts.requests);
    });
    if (!resume) return { text: text.join(''), rest };
    from = resume;
  }
  const bytes = new JsonBytes((b) => text.push(Buffer.from(b).toString('utf8')));
  for await (const item of readLogFrom(file, from)) {
    if ('trace' in item) {
      bytes.text(',\n');
      bytes.trace(item.trace);
    } else if ('lineNumber' in item) rest.push([item]);
  }
  bytes.flush();
  return { text: text.join(''), rest };
}

test('reading a log in pieces gives what one pass gives', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.oneof({ weight: 12, arbitrary: kinds }, { weight: 1, arbitrary: rareKinds }), fc.nat(999)), {
        minLength: 1,
        maxLength: 160,
      }),
      fc.boolean(),
      fc.integer({ min: 64, max: 6000 }),
      fc.constantFrom(0, 0, 0, 1, 2),
      async (plan, eol, chunkBytes, workers) => {
        const log = build(plan, eol);
        const file = join(dir, `log-${n++}.log`);
        writeFileSync(file, log);
        const one = await read(file, log, {});
        const pieces = await read(file, log, { workerScript: WORKER, workers, chunkBytes });
        assert.deepEqual(pieces, one);
        const json = await jsonOf(file);
        const jsonPieces = await jsonOf(file, { workers, chunkBytes });
        assert.equal(normalized(jsonPieces.text, log), normalized(json.text, log));
        rmSync(file);
      },
    ),
    { numRuns: 60 },
  );
});

test('an error line in one piece still reaches its request in the next: the reading goes on in one pass', async () => {
  const plan: [Kind, number][] = Array.from({ length: 400 }, (_, i) => ['access', i] as [Kind, number]);
  const clean = build(plan, true);
  const file = join(dir, 'pieces.log');
  writeFileSync(file, clean);
  const pieces = { workerScript: WORKER, workers: 1, chunkBytes: 300 }; // about a line a piece
  assert.deepEqual(await read(file, clean, pieces), await read(file, clean, {}));
  // Request 300 is client 10.1.0.0's GET /orders/6 at 10:01:15; nginx wrote its error line just before it.
  const lines = clean.split('\n');
  lines.splice(300, 0, errorLine(75, 0, 6, 9));
  const dirty = lines.join('\n');
  writeFileSync(file, dirty);
  const one = await read(file, dirty, {});
  assert.ok('counts' in one);
  assert.equal(one.counts.attached, 1);
  assert.deepEqual(await read(file, dirty, pieces), one);
});

test('a piece grown for a very long line is read by this thread, not by a worker with a capped heap', async () => {
  // A 12 MB line: the JSON workers' old generation is capped (log-parallel.ts, JSON_OLD_MB), and reading it there
  // ran the worker out of memory ("Worker terminated due to reaching memory limit"), failing the whole import.
  // Read here, it is refused as one pass refuses it (longer than a line may be), and the rest is read.
  const lines = Array.from({ length: 400 }, (_, i) => access(i, Math.floor(i / 4), i % 4, true, false));
  const ids = lines.join('\n'); // what normalized() keeps: every request id (the long line's is in it too)
  lines[200] = lines[200].replace('GET /orders/', `GET /${'x'.repeat(12 << 20)}/`);
  const file = join(dir, 'long-line.log');
  writeFileSync(file, lines.join('\n') + '\n');
  const one = await jsonOf(file);
  const pieces = await jsonOf(file, { workers: 1, chunkBytes: 64 << 10 });
  assert.equal(normalized(pieces.text, ids), normalized(one.text, ids));
  assert.equal((one.text.match(/"traceId"/g) ?? []).length, 399);
  assert.match(JSON.stringify(pieces.rest.flat()).slice(0, 400), /line is 12583\d+ characters long/);
  rmSync(file);
});
