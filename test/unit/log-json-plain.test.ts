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
import { accessLine, errorLine } from '../fixtures/nginx-log/lines';

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
  assert.ok(straight > 300 && straight > lines / 6, `${straight} of ${lines} lines written straight`);
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
