// Other controllers' default access logs: each format's fields, the spans they allow, and nothing invented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { classifyLine } from '../../src/core/ingest/controller-log/classify';
import { parserFor, type FormatId } from '../../src/core/ingest/controller-log/formats';
import { importControllerLog } from '../../src/core/ingest/controller-log/import';
import { parseEnvoyLine, type EnvoyRecord } from '../../src/core/ingest/envoy-log/parse';
import { parseHaproxyLine, type HaproxyRecord } from '../../src/core/ingest/haproxy-log/parse';
import { terminationReason } from '../../src/core/ingest/haproxy-log/spans';
import { parseTraefikLine, type TraefikRecord } from '../../src/core/ingest/traefik-log/parse';
import { detectFormat } from '../../src/core/io/detect';
import type { Span, Trace } from '../../src/core/trace/model';

const FIX = join(__dirname, '../fixtures/controller-log');
const lines = (f: string) => readFileSync(join(FIX, f), 'utf8').split('\n').filter(Boolean);
const ctx = { traceId: 'a'.repeat(32) };
const dur = (s: Span) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;
const off = (s: Span, root: Span) => Number(BigInt(s.startTimeUnixNano) - BigInt(root.startTimeUnixNano)) / 1e6;

function ok<R>(r: { record: R } | { error: string }): R {
  if ('error' in r) assert.fail(r.error);
  return r.record;
}

describe('HAProxy option httplog', () => {
  const h = lines('haproxy.log');
  test('fields: client, accept date in ms, frontend, backend/server, timers, counters, request', () => {
    const r = ok(parseHaproxyLine(h[3])) as HaproxyRecord;
    assert.equal(r.client, '10.0.0.1');
    assert.equal(r.clientPort, 41234);
    assert.equal(r.startUnixMs, Date.UTC(2017, 10, 28, 7, 48, 34, 983));
    assert.equal(r.frontend, 'httpfront');
    assert.equal(r.backend, 'infra-tipboard-7272');
    assert.equal(r.server, '10.47.0.15:7272');
    assert.deepEqual(r.timers, { TR: 0, Tw: 5, Tc: 1, Tr: 12, Ta: 19 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.counters, { ac: 2, fc: 2, bc: 1, sc: 2, rc: 0, redispatched: false });
    assert.deepEqual(r.queues, { sq: 1, bq: 0 });
    assert.equal(r.method, 'GET');
    assert.equal(r.uri, '/');
    // The HAProxy Tech controller logs host+path (txn.base); its documented line lacks the closing quote.
    const t = ok(parseHaproxyLine(h[2])) as HaproxyRecord;
    assert.equal(t.uri, 'test.k8s.local/');
    assert.equal(t.frontend, 'https~');
  });
  test('timers become queue/connect/header/response, back to back from the accept date', () => {
    const { spans } = parserFor('haproxy-httplog').spans(ok(parseHaproxyLine(h[3])), ctx);
    const [root, attempt, queue, connect, header, response] = spans;
    assert.deepEqual(
      spans.map((s) => s.name),
      ['haproxy', 'upstream.attempt', 'queue', 'upstream.connect', 'upstream.header', 'upstream.response'],
    );
    assert.equal(root.startTimeUnixNano, String(BigInt(Date.UTC(2017, 10, 28, 7, 48, 34, 983)) * 1_000_000n));
    assert.deepEqual(
      [dur(root), dur(attempt), dur(queue), dur(connect), dur(header), dur(response)],
      [19, 19, 5, 1, 12, 1],
    );
    assert.deepEqual([off(queue, root), off(connect, root), off(header, root), off(response, root)], [0, 5, 6, 18]);
    assert.equal(attempt.attributes['server.address'], '10.47.0.15');
    assert.ok(spans.slice(2).every((s) => s.parentSpanId === attempt.spanId));
  });
  test('-1 timers: no span for a step never reached; <NOSRV> reaches no server', () => {
    const slow = parserFor('haproxy-httplog').spans(ok(parseHaproxyLine(h[5])), ctx);
    assert.deepEqual(
      slow.spans.map((s) => s.name),
      ['haproxy', 'upstream.attempt', 'queue'],
    );
    assert.match(slow.diagnostics[0].message, /the server timed out while connecting to the server/);
    const nosrv = parserFor('haproxy-httplog').spans(ok(parseHaproxyLine(h[4])), ctx);
    assert.equal(nosrv.spans.length, 1);
    assert.ok(nosrv.diagnostics.some((d) => d.code === 'haproxy-no-server'));
    assert.equal(terminationReason('----'), undefined);
    assert.equal(terminationReason('CD--'), 'the client aborted while sending the response body');
  });
  test('found by the fuzz test: timers that exceed Ta stretch the span so the phases still nest', () => {
    const line = h[2].replace('0/0/1/2/3', '10/0/1/2/3');
    const { spans, diagnostics } = parserFor('haproxy-httplog').spans(ok(parseHaproxyLine(line)), ctx);
    assert.equal(dur(spans[0]), 13);
    assert.ok(spans.every((s) => BigInt(s.endTimeUnixNano) <= BigInt(spans[0].endTimeUnixNano)));
    assert.ok(diagnostics.some((d) => d.code === 'haproxy-timers-inconsistent'));
  });
  test('syslog and runtime prefixes, +Ta (logasap), redispatch; bad lines say what is missing', () => {
    const r = ok(
      parseHaproxyLine(
        '2026-03-08T16:02:40.1Z stdout F <134>1 10.0.0.1:1 [28/Nov/2017:07:48:34.983] fe be/s1 1/0/0/5/+6 200 1 - - ---- 1/1/1/1/+1 0/0 "GET /x HTTP/1.1"',
      ),
    ) as HaproxyRecord;
    assert.equal(r.logasap, true);
    assert.equal(r.counters.redispatched, true);
    const bad = parseHaproxyLine('10.0.0.1:1 [28/Nov/2017:07:48:34.983] fe be/s1 1/0/0 200');
    assert.ok('error' in bad && /timers/.test(bad.error));
  });
});

describe('Envoy, Istio, Envoy Gateway', () => {
  test('Istio default text: details, upstream host, service time; 32-hex request id is the trace id', async () => {
    const r = ok(parseEnvoyLine(lines('istio.log')[1])) as EnvoyRecord;
    assert.equal(r.format, 'istio-text');
    assert.equal(r.status, 418);
    assert.equal(r.responseCodeDetails, 'via_upstream');
    assert.equal(r.durationMs, 4);
    assert.equal(r.upstreamServiceTimeMs, 4);
    assert.equal(r.upstreamHost, '10.44.1.27:80');
    assert.equal(r.upstreamCluster, 'outbound|8000||httpbin.foo.svc.cluster.local');
    assert.equal(r.routeName, 'default');
    const uh = ok(parseEnvoyLine(lines('istio.log')[2])) as EnvoyRecord;
    assert.deepEqual(uh.responseFlags, ['UH']);
    const b = parserFor('envoy-text').spans(uh, ctx);
    assert.equal(b.spans.length, 1, 'no upstream host: no attempt');
    assert.equal(b.spans[0].attributes['envoy.response_flags_reason'], 'no healthy upstream');
  });
  test('Envoy default text and Envoy Gateway JSON: the attempt lasts x-envoy-upstream-service-time', () => {
    const [, text, nr, json] = lines('envoy.log');
    const t = ok(parseEnvoyLine(text)) as EnvoyRecord;
    assert.equal(t.format, 'envoy-text');
    assert.equal(t.requestId, '4bf92f3577b34da6a3ce929d0e0e4736');
    const j = ok(parseEnvoyLine(json)) as EnvoyRecord;
    assert.equal(j.format, 'envoy-gateway-json');
    const { spans } = parserFor('envoy-gateway-json').spans(j, ctx);
    assert.deepEqual(
      spans.map((s) => [s.name, dur(s)]),
      [
        ['envoy', 41],
        ['upstream.attempt', 38],
      ],
    );
    assert.equal(spans[1].attributes['kubetrace.placement'], 'approximate');
    const n = parserFor('envoy-gateway-json').spans(ok(parseEnvoyLine(nr)), ctx);
    assert.match(n.diagnostics[0].message, /NR: no route configured \(route_not_found\)/);
  });
});

describe('Traefik', () => {
  const t = lines('traefik.log');
  test('CLF: count, router, service URL, duration; "-" status; only the total, no attempt invented', () => {
    const r = ok(parseTraefikLine(t[3])) as TraefikRecord;
    assert.equal(r.requestCount, 747);
    assert.equal(r.router, 'default-whoami-80@kubernetes');
    assert.equal(r.serviceUrl, 'http://10.42.0.9:80');
    assert.equal(r.durationNs, 3_000_000n);
    const b = parserFor('traefik-clf').spans(r, ctx);
    assert.deepEqual(
      b.spans.map((s) => s.name),
      ['traefik'],
    );
    const dash = ok(parseTraefikLine(t[2])) as TraefikRecord;
    assert.equal(dash.status, undefined);
  });
  test('JSON: OriginDuration gives the attempt, Overhead before it, start to the nanosecond', () => {
    const r = ok(parseTraefikLine(t[4])) as TraefikRecord;
    assert.equal(r.requestId, '4bf92f3577b34da6a3ce929d0e0e4736');
    const { spans } = parserFor('traefik-json').spans(r, ctx);
    assert.equal(spans[0].startTimeUnixNano, '1673180939123456789');
    assert.deepEqual(
      spans.map((s) => [s.name, dur(s)]),
      [
        ['traefik', 3.451234],
        ['upstream.attempt', 2.9],
      ],
    );
    assert.equal(spans[1].attributes['server.address'], '10.42.0.9');
  });
});

test('each fixture is detected as its family and imports with its timings', async () => {
  const want: Record<string, [string, number]> = {
    'haproxy.log': ['haproxy-log', 5],
    'envoy.log': ['envoy-log', 3],
    'istio.log': ['envoy-log', 2],
    'traefik.log': ['traefik-log', 3],
    'ingress-nginx-kubectl.log': ['nginx-log', 4],
  };
  for (const [f, [family, n]] of Object.entries(want)) {
    const text = readFileSync(join(FIX, f));
    assert.equal(detectFormat(text).format, family, f);
    async function* src() {
      yield* text.toString('utf8').split('\n');
    }
    const traces: Trace[] = [];
    for await (const it of importControllerLog(src())) {
      if ('trace' in it) traces.push(it.trace);
      // The nginx transcript holds one cut access line on purpose.
      if ('lineNumber' in it && it.lineNumber !== 24) assert.fail(`${f}: line ${it.lineNumber}: ${it.error}`);
      if ('counts' in it) assert.equal(it.counts.requests, n, f);
    }
    assert.equal(traces.length, n, f);
  }
  // Every line of every fixture is classified as something other than "other".
  for (const f of Object.keys(want))
    for (const l of lines(f)) assert.notEqual(classifyLine(l).kind, 'other', `${f}: ${l.slice(0, 60)}`);
});

test('parserFor names every default format and refuses unknown ones', () => {
  const ids: FormatId[] = [
    'ingress-nginx',
    'nic-main',
    'nginx-combined',
    'envoy-text',
    'envoy-gateway-json',
    'traefik-clf',
    'traefik-json',
    'haproxy-httplog',
  ];
  for (const id of ids) assert.equal(parserFor(id).id, id);
  assert.throws(() => parserFor('apache' as FormatId), /no access-log parser for format "apache"/);
});
