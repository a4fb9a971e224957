// A controller's `kubectl logs` transcript: every line classified, requests traced, error lines attached or reported.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { classifyLine } from '../../src/core/ingest/controller-log/classify';
import { describeCounts, type LineCounts } from '../../src/core/ingest/controller-log/counts';
import { looksLikeControllerLog, sampleLog } from '../../src/core/ingest/controller-log/detect';
import { importControllerLog, type LogImportItem } from '../../src/core/ingest/controller-log/import';
import { parseNginxErrorLine } from '../../src/core/ingest/nginx-log/error-line';
import { detectFormat } from '../../src/core/io/detect';
import type { Trace } from '../../src/core/trace/model';

const FIX = join(__dirname, '../fixtures/controller-log');
const transcript = readFileSync(join(FIX, 'ingress-nginx-kubectl.log'), 'utf8');

async function run(text: string, family?: 'nginx-log' | 'envoy-log' | 'traefik-log' | 'haproxy-log') {
  async function* lines() {
    for (const l of text.split('\n')) yield l;
  }
  const items: LogImportItem[] = [];
  for await (const it of importControllerLog(lines(), family ? { family } : {})) items.push(it);
  const traces = items.flatMap((x) => ('trace' in x ? [x.trace] : []));
  const warnings = items.flatMap((x) => ('lineNumber' in x ? [x] : []));
  const last = items.at(-1);
  assert.ok(last && 'counts' in last, 'the counts come last');
  return { traces, warnings, counts: (last as { counts: LineCounts }).counts };
}

describe('line classes', () => {
  const cases: [string, string][] = [
    ['-------------------------------------------------------------------------------', 'banner'],
    ['NGINX Ingress controller', 'banner'],
    ['  Release:       v1.9.4', 'banner'],
    ['  nginx version: nginx/1.21.6', 'banner'],
    ['I0308 16:02:40.123456       7 main.go:249] "Running in Kubernetes cluster"', 'controller'],
    ['E0308 16:02:40.123456  7 store.go:1] boom', 'controller'],
    ['2023/03/08 16:02:40 [error] 31#31: *569 upstream timed out', 'nginx-error'],
    ['2023/03/08 16:02:40 [debug] 31#31: *569 http header: "Host: a"', 'nginx-error'],
    ['[10.244.0.1] [08/Mar/2023:16:02:51 +0000] TCP 200 1024 512 0.105', 'stream'],
    ['[08/Mar/2023:16:02:51 +0000] UDP 200 1 2 0.000', 'stream'],
    ['{"level":"info","msg":"x"}', 'controller'],
    ['{"a":1}', 'json'],
    ['[2024-03-07 03:12:20.518][1][warning][main] [source/server/server.cc:910] x', 'controller'],
    ['time="2023-01-08T12:28:57Z" level=info msg="Configuration loaded"', 'controller'],
    ['2023-01-08T12:28:57Z INF Starting provider', 'controller'],
    ['[NOTICE]   (1) : haproxy version is 2.6.12', 'controller'],
    ['hello world', 'other'],
    ['   ', 'blank'],
    ['10.0.0.1 - - [08/Mar/2023:16:02:45 +0000] "GET / HTTP/1.1" 200 1 "-" "-"', 'access nginx-log'],
    [
      '2023-03-08T16:02:45.123456789Z stdout F 10.0.0.1 - - [08/Mar/2023:16:02:45 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
      'access nginx-log',
    ],
    ['{"remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":200}', 'access nginx-log'],
  ];
  for (const [line, want] of cases)
    test(`${want}: ${line.slice(0, 50)}`, () => {
      const c = classifyLine(line);
      assert.equal(c.kind === 'access' ? `access ${c.family}` : c.kind, want);
    });
});

test('nginx error lines: level, pid, connection, message and the request context', () => {
  const e = parseNginxErrorLine(
    '2023/03/08 16:02:50 [error] 33#34: *569 upstream timed out (110: Operation timed out) while connecting to upstream, client: 10.244.0.1, server: shop, request: "GET /a, b HTTP/1.1", upstream: "http://10.244.0.13:8080/a", host: "shop"',
  );
  assert.ok(e);
  assert.equal(e.level, 'error');
  assert.equal(e.pid, 33);
  assert.equal(e.tid, 34);
  assert.equal(e.connection, 569);
  assert.equal(e.message, 'upstream timed out (110: Operation timed out) while connecting to upstream');
  assert.equal(e.client, '10.244.0.1');
  assert.equal(e.request, 'GET /a, b HTTP/1.1');
  assert.equal(e.upstream, 'http://10.244.0.13:8080/a');
  assert.equal(e.host, 'shop');
  assert.equal(e.timeUnixMs, Date.UTC(2023, 2, 8, 16, 2, 50));
  const n = parseNginxErrorLine('2023/03/08 16:02:40 [notice] 31#31: nginx/1.21.6');
  assert.equal(n?.connection, undefined);
  assert.equal(n?.message, 'nginx/1.21.6');
  assert.equal(parseNginxErrorLine('2023/03/08 16:02:40 [oops] 31#31: x'), undefined);
});

test('a kubectl logs transcript: requests, counts by class, one error attached, one ambiguous, one warning', async () => {
  const { traces, warnings, counts } = await run(transcript);
  assert.equal(traces.length, 4);
  assert.deepEqual(
    { ...counts, byFamily: undefined },
    {
      requests: 4,
      byFamily: undefined,
      nginxErrors: 3,
      attached: 1,
      nginxNotices: 2,
      controller: 13,
      stream: 1,
      json: 0,
      other: 0,
      unreadable: 1,
    },
  );
  assert.equal(
    describeCounts(counts),
    '4 requests, 3 nginx error lines (1 attached to requests), 2 nginx notice/debug lines, 13 controller lines, 1 stream line, 1 unreadable',
  );
  // Only the access-looking line that cannot be read is a warning.
  assert.deepEqual(
    warnings.map((w) => w.lineNumber),
    [24],
  );
  const slow = traces.find((t) => t.traceId === '4bf92f3577b34da6a3ce929d0e0e4736') as Trace;
  const attempts = slow.spans.filter((s) => s.name === 'upstream.attempt');
  assert.equal(attempts[0].events.length, 1, 'on the attempt whose upstream the line names');
  assert.equal(attempts[1].events.length, 0);
  const ev = attempts[0].events[0];
  assert.equal(ev.name, 'nginx.error');
  assert.equal(ev.attributes.connection, 569);
  assert.equal(ev.attributes.client, '10.244.0.1');
  assert.equal(ev.attributes.upstream, 'http://10.244.0.13:8080/slow');
  assert.equal(ev.attributes.level, 'error');
  assert.match(String(ev.attributes.message), /^upstream timed out \(110/);
  const d = slow.diagnostics.find((x) => x.code === 'nginx-error-line');
  assert.equal(d?.spanId, attempts[0].spanId);
  assert.equal(
    d?.message,
    '504 after 5.00 s: upstream timed out (110: Operation timed out) while connecting to upstream 10.244.0.13:8080',
  );
  // The refused connect fits two identical health checks in the same second: attached to neither.
  const health = traces.filter((t) => t.spans[0].attributes['url.path'] === '/health');
  assert.equal(health.length, 2);
  for (const t of health) {
    assert.ok(t.spans.every((s) => s.events.length === 0));
    assert.ok(t.diagnostics.some((x) => x.code === 'nginx-error-ambiguous'));
  }
});

test('the connection number joins an error line to its request exactly when the debug log names the request id', async () => {
  const id = '0af7651916cd43dd8448eb211c80319c';
  const text = [
    `2023/03/08 16:02:50 [debug] 33#33: *7 http header: "X-Request-ID: ${id}"`,
    '2023/03/08 16:02:50 [error] 33#33: *7 upstream prematurely closed connection while reading response header from upstream, client: 10.0.0.9, server: _, request: "GET /x HTTP/1.1", upstream: "http://10.0.0.7:80/x", host: "h"',
    // A second request from the same client with the same line: by address alone this would be ambiguous.
    `10.0.0.9 - - [08/Mar/2023:16:02:50 +0000] "GET /x HTTP/1.1" 502 1 "-" "-" 1 0.010 [a-b-80] [] 10.0.0.7:80 0 0.010 502 ${'1'.repeat(32)}`,
    `10.0.0.9 - - [08/Mar/2023:16:02:50 +0000] "GET /x HTTP/1.1" 502 1 "-" "-" 1 0.010 [a-b-80] [] 10.0.0.7:80 0 0.010 502 ${id}`,
  ].join('\n');
  const { traces, counts } = await run(text);
  assert.equal(counts.attached, 1);
  const t = traces.find((x) => x.traceId === id) as Trace;
  const ev = t.spans.flatMap((s) => s.events);
  assert.equal(ev.length, 1);
  assert.equal(ev[0].attributes['kubetrace.match'], 'connection');
  assert.ok(traces.find((x) => x.traceId !== id)?.spans.every((s) => !s.events.length));
});

test('no request line: zero requests counted, nothing thrown; --format family refuses other families', async () => {
  const klog =
    'I0308 16:02:40.123456       7 main.go:249] "Running"\nI0308 16:02:41.123456       7 main.go:250] "Still"\n';
  const r = await run(klog);
  assert.equal(r.traces.length, 0);
  assert.equal(r.counts.requests, 0);
  assert.equal(r.counts.controller, 2);
  assert.equal(r.warnings.length, 0);
  const s = sampleLog(klog);
  assert.equal(s.family, undefined);
  assert.ok(looksLikeControllerLog(s));
  assert.equal(detectFormat(Buffer.from(klog)).format, 'nginx-log');
  const forced = await run(transcript, 'haproxy-log');
  assert.equal(forced.traces.length, 0);
  assert.equal(forced.warnings.length, 5);
  assert.match(forced.warnings[0].error, /looks like a nginx-log line, not haproxy-log/);
});

test('detection from a sample: a banner and klog lines first do not hide the access lines', () => {
  const d = detectFormat(Buffer.from(transcript));
  assert.equal(d.format, 'nginx-log');
  assert.match(d.why, /^5 of the first \d+ lines are nginx-log access lines/);
  assert.equal(detectFormat(Buffer.from('hello\nworld\n')).format, undefined);
});
