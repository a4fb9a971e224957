// The common access line's trace written straight as JSON (src/cli/log-json-plain.ts) against the usual way (the
// trace made, finished and written by JsonBytes.trace): on random logs of ingress-nginx lines whose every field
// varies (times that are zero, equal, out of order or longer than the request; statuses, ids, addresses, quoted
// fields with escapes and non-ASCII, retries, lines without timings) and nginx error lines that make requests wait,
// a piece read both ways gives the same text once span ids are renamed in order of appearance. fast-check prints the
// seed and the shrunk log on failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readPiece } from '../../src/core/burst/log-chunks';
import { finishTrace } from '../../src/core/io/finish';
import { parseAccessLogLine } from '../../src/core/ingest/nginx-log/parse';
import type { AccessLogRecord } from '../../src/core/ingest/nginx-log/types';
import { JsonBytes } from '../../src/cli/json-bytes';
import { jsonChunk } from '../../src/cli/log-json';
import { writePlainTrace } from '../../src/cli/log-json-plain';

const seconds = fc.constantFrom('0.000', '0.001', '0.005', '0.009', '0.010', '0.011', '0.012', '0.020', '1.500', '0');
const timing = fc.oneof({ weight: 12, arbitrary: seconds }, { weight: 1, arbitrary: fc.constant('-') });
/** Mostly the common value, so that most lines can be written straight; now and then one that cannot. */
const word = (common: string[], rare: string[]) =>
  fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: fc.constantFrom(...rare) });

const accessLine = fc
  .record({
    addr: word(['127.0.0.1', '10.0.0.2'], ['10.0.0.2, 10.0.0.1', '::1']),
    user: word(['-', 'bob'], ['']),
    sec: fc.integer({ min: 0, max: 5 }),
    request: word(['GET /orders/1 HTTP/1.1', 'GET /a?b=1&c HTTP/2.0', 'POST /x'], ['', 'weird', 'GET /é HTTP/1.1']),
    status: word(['200', '404', '499', '500', '502'], ['0200']),
    bytes: word(['0', '101'], ['-']),
    referer: word(['-', '', 'http://shop/'], ['a\\"b']),
    agent: word(['curl/7.88.1', '-', '', 'Mozilla/5.0 (X11)'], ['bell\u0007', '漢字']),
    length: word(['88', '0'], ['x']),
    requestTime: word(['0.011', '0.020', '1.500'], ['0.000', '0.005', '0.010', '0']),
    name: word(['shop-orders-80', ''], ['-']),
    alt: word(['', 'canary'], ['-']),
    upstream: word(
      ['127.10.0.4:8080', '[fd00::1]:80', 'unix:/run/app.sock', 'backend'],
      ['-', '10.0.0.1:80, 10.0.0.2:80'],
    ),
    responseLength: word(['101', '0'], ['-']),
    responseTime: timing,
    upstreamStatus: word(['200', '404', '499'], ['-', '502']),
    id: word(['0000000000000000000000009e3779b2', 'ABCDEF0123456789ABCDEF0123456789'], ['abc', '-', '0'.repeat(32)]),
    tail: fc.option(fc.tuple(timing, timing, word(['1795773600.001', '1795773601.500'], ['1795773600.000'])), {
      freq: 5,
    }),
  })
  .map(
    (f) =>
      `${f.addr} - ${f.user} [05/Dec/2026:10:00:0${f.sec} +0000] "${f.request}" ${f.status} ${f.bytes} ` +
      `"${f.referer}" "${f.agent}" ${f.length} ${f.requestTime} [${f.name}] [${f.alt}] ${f.upstream} ` +
      `${f.responseLength} ${f.responseTime} ${f.upstreamStatus} ${f.id}` +
      (f.tail ? ` ${f.tail[0]} ${f.tail[1]} ${f.tail[2]}` : ''),
  );

/** An error line that fits the requests of client 127.0.0.1 for /orders/1 then: they wait for it to be decided. */
const errorLine = fc
  .integer({ min: 0, max: 5 })
  .map(
    (s) =>
      `2026/12/05 10:00:0${s} [error] 33#33: *7 upstream prematurely closed connection while reading response ` +
      `header from upstream, client: 127.0.0.1, server: shop, request: "GET /orders/1 HTTP/1.1", ` +
      `upstream: "http://127.10.0.4:8080/orders/1", host: "shop"`,
  );

const logs = fc.array(fc.oneof({ weight: 40, arbitrary: accessLine }, { weight: 1, arbitrary: errorLine }), {
  minLength: 1,
  maxLength: 30,
});

/**
 * Span and trace ids renamed in order of first appearance, so that two writings with different random ids (a line
 * without a request id gets a fresh trace id) can be compared.
 */
function canonical(json: string): string {
  const names = new Map<string, string>();
  return json.replace(/"([0-9a-f]{16}|[0-9a-f]{32})"/g, (_, id: string) => {
    if (!names.has(id)) names.set(id, `"id-${names.size}"`);
    return names.get(id) as string;
  });
}

/** The piece's traces the usual way: each made, finished and written by JsonBytes.trace after `,\n`. */
function usual(bytes: Uint8Array): string {
  const parts: Buffer[] = [];
  const out = new JsonBytes((b) => parts.push(Buffer.from(b)));
  readPiece({ bytes, offset: 0, firstLine: 1 }, (t) => {
    out.separator(false);
    out.trace(finishTrace(t));
  });
  out.flush();
  return Buffer.concat(parts).toString('utf8');
}

test('property: a piece written with the common lines straight is the piece written the usual way', () => {
  let straight = 0;
  let lines = 0;
  fc.assert(
    fc.property(logs, (log) => {
      const bytes = new Uint8Array(Buffer.from(log.join('\n') + '\n'));
      const got = jsonChunk({ bytes, offset: 0, firstLine: 1, json: true });
      assert.equal(canonical(Buffer.from(got.json as Uint8Array).toString('utf8')), canonical(usual(bytes)));
      lines += log.length;
      for (const l of log) {
        const r = parseAccessLogLine(l);
        if ('record' in r && writePlainTrace(new JsonBytes(() => {}), r.record, 1, false)) straight++;
      }
    }),
    { numRuns: 400 },
  );
  // Not a test of nothing: many lines took the straight way (a line after an error line waits, and cannot).
  assert.ok(straight > 300 && straight > lines / 4, `${straight} of ${lines} lines written straight`);
});

test('the common line is written straight, and what it cannot say goes the usual way', () => {
  const line =
    '127.0.0.1 - - [27/Nov/2026:10:00:00 +0000] "GET /orders/1 HTTP/1.1" 200 101 "-" "curl/7.88.1" 88 0.011 ' +
    '[shop-orders-80] [] 127.10.0.4:8080 101 0.010 200 0000000000000000000000009e3779b2 0.001 0.009 1795773600.001';
  const record = (l: string): AccessLogRecord => {
    const r = parseAccessLogLine(l);
    assert.ok('record' in r);
    return r.record;
  };
  const parts: Buffer[] = [];
  const out = new JsonBytes((b) => parts.push(Buffer.from(b)));
  assert.equal(writePlainTrace(out, record(line), 1, true), true);
  out.flush();
  const trace = JSON.parse(Buffer.concat(parts).toString('utf8'));
  assert.deepEqual(
    trace.spans.map((s: { name: string }) => s.name),
    ['nginx', 'upstream.attempt', 'upstream.connect', 'upstream.header', 'upstream.response'],
  );
  assert.deepEqual(
    trace.criticalPath.map((c: { index: number; startTimeUnixNano: string; endTimeUnixNano: string }) => [
      c.index,
      c.startTimeUnixNano.slice(-9),
      c.endTimeUnixNano.slice(-9),
    ]),
    [
      [0, '990000000', '991000000'],
      [1, '991000000', '991000000'],
      [2, '991000000', '992000000'],
      [3, '992000000', '000000000'],
      [4, '000000000', '001000000'],
    ],
  );
  const nothing = new JsonBytes(() => assert.fail('wrote bytes for a line it refused'));
  // 5xx from the upstream (a diagnostic to make), a retry, no `$msec`, an id that is not a trace id.
  for (const other of [
    line.replace('0.010 200 0000', '0.010 502 0000'),
    line.replace('127.10.0.4:8080 101 0.010 200', '10.0.0.1:80, 127.10.0.4:8080 0, 101 0.001, 0.010 502, 200'),
    line.replace(' 0.001 0.009 1795773600.001', ''),
    line.replace('0000000000000000000000009e3779b2', 'req-1'),
  ]) {
    assert.equal(writePlainTrace(nothing, record(other), 1, false), false, other);
    nothing.flush();
  }
});
