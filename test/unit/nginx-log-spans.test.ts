import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAccessLogLine, type AccessLogRecord } from '../../src/core/ingest/nginx-log/parse';
import {
  findRecordByRequestId,
  nginxSpansFromRecord,
  splitHostPort,
  type NginxSpanContext,
} from '../../src/core/ingest/nginx-log/spans';
import type { Span } from '../../src/core/trace/model';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const rec = (line: string): AccessLogRecord => {
  const r = parseAccessLogLine(line);
  if ('error' in r) assert.fail(r.error);
  return r.record;
};
function ctx(extra: Partial<NginxSpanContext> = {}): NginxSpanContext {
  let n = 0;
  return { traceId: TRACE, newSpanId: () => (++n).toString(16).padStart(16, '0'), ...extra };
}
const ms = (x: number) => BigInt(Math.round(x * 1e6));
const start = (s: Span) => BigInt(s.startTimeUnixNano);
const end = (s: Span) => BigInt(s.endTimeUnixNano);
const named = (spans: Span[], name: string) => spans.filter((s) => s.name === name);

// msec 1795774736.588 = the retry line the real nginx wrote (fixtures/nginx-log/timings.log).
const RETRY =
  '127.0.0.1 - - [27/Nov/2026:10:18:56 +0000] "GET /retry?x=1 HTTP/1.1" 200 51 "-" "curl/8" 113 0.034 [shop-retry-80] [] 127.0.0.1:38081, 127.0.0.1:38080 0, 51 0.020, 0.014 502, 200 eb209b3bc7c3bcce825c0c6b0e37c194 -, 0.001 -, 0.010 1795774736.588';
const MSEC_NS = 1795774736_588_000_000n;

describe('placement with $msec (exact)', () => {
  const { spans, diagnostics } = nginxSpansFromRecord(rec(RETRY), ctx({ parentSpanId: 'aaaaaaaaaaaaaaaa' }));
  const [nginx] = named(spans, 'nginx');
  const attempts = named(spans, 'upstream.attempt');

  test('nginx ends exactly at $msec and starts $request_time earlier', () => {
    assert.equal(end(nginx), MSEC_NS);
    assert.equal(start(nginx), MSEC_NS - ms(34));
    assert.equal(nginx.parentSpanId, 'aaaaaaaaaaaaaaaa');
    assert.equal(nginx.attributes['kubetrace.placement'], 'exact');
    assert.ok(!diagnostics.some((d) => d.code.startsWith('nginx-placement')));
  });

  test('attempts are back to back and the last ends with nginx', () => {
    assert.equal(attempts.length, 2);
    assert.equal(start(attempts[0]), MSEC_NS - ms(34));
    assert.equal(end(attempts[0]), MSEC_NS - ms(14));
    assert.equal(start(attempts[1]), MSEC_NS - ms(14));
    assert.equal(end(attempts[1]), MSEC_NS);
    assert.ok(attempts.every((a) => a.parentSpanId === nginx.spanId && a.kind === 'client' && a.layer === 'ingress'));
  });

  test('connect/header/response all count from the attempt start', () => {
    const s = MSEC_NS - ms(14);
    const kids = spans.filter((x) => x.parentSpanId === attempts[1].spanId);
    assert.deepEqual(
      kids.map((k) => [k.name, start(k) - s, end(k) - s]),
      [
        ['upstream.connect', 0n, ms(1)],
        ['upstream.header', ms(1), ms(10)],
        ['upstream.response', ms(10), ms(14)],
      ],
    );
    // The failed first try never connected: no phase spans under it.
    assert.equal(spans.filter((x) => x.parentSpanId === attempts[0].spanId).length, 0);
  });

  test('attributes follow docs/ARCHITECTURE.md names', () => {
    assert.equal(nginx.name, 'nginx');
    assert.equal(nginx.service, 'ingress-nginx');
    assert.equal(nginx.origin, 'nginx-log');
    assert.equal(nginx.kind, 'server');
    assert.equal(nginx.attributes['http.request.method'], 'GET');
    assert.equal(nginx.attributes['url.path'], '/retry');
    assert.equal(nginx.attributes['url.query'], 'x=1');
    assert.equal(nginx.attributes['http.response.status_code'], 200);
    assert.equal(nginx.attributes['network.peer.address'], '127.0.0.1');
    assert.equal(nginx.attributes['user_agent.original'], 'curl/8');
    assert.equal(nginx.attributes['nginx.req_id'], 'eb209b3bc7c3bcce825c0c6b0e37c194');
    assert.equal(nginx.attributes['nginx.request_time'], '0.034');
    assert.equal(nginx.attributes['nginx.upstream_addr'], '127.0.0.1:38081, 127.0.0.1:38080');
    assert.equal(nginx.attributes['nginx.upstream_status'], '502, 200');
    assert.equal(nginx.attributes['nginx.proxy_upstream_name'], 'shop-retry-80');
    assert.equal(attempts[0].attributes['kubetrace.upstream.attempt'], 1);
    assert.equal(attempts[1].attributes['kubetrace.upstream.attempt'], 2);
    assert.equal(attempts[0].attributes['server.address'], '127.0.0.1');
    assert.equal(attempts[0].attributes['server.port'], 38081);
    assert.equal(attempts[0].attributes['network.peer.port'], 38081);
    assert.equal(attempts[0].attributes['http.response.status_code'], 502);
  });

  test('status: the failed try is an error, nginx (200) is not', () => {
    assert.equal(nginx.status, 'unset');
    assert.equal(attempts[0].status, 'error');
    assert.equal(attempts[1].status, 'unset');
    const d = diagnostics.find((x) => x.spanId === attempts[0].spanId);
    assert.equal(d?.code, 'nginx-upstream-unreached');
    assert.match(d!.message, /Attempt 1 to 127\.0\.0\.1:38081 never connected/);
  });
});

test('podByAddr maps each attempt to its pod; a throwing lookup is tolerated', () => {
  const pods: Record<string, { pod: string; namespace: string; node: string; service: string }> = {
    '127.0.0.1:38080': { pod: 'orders-7d4b9c8f6d-x2x9k', namespace: 'shop', node: 'sandbox-node-2', service: 'orders' },
  };
  const { spans } = nginxSpansFromRecord(
    rec(RETRY),
    ctx({
      controllerPod: 'ingress-nginx-controller-abc',
      controllerNode: 'sandbox-node-1',
      podByAddr: (a) => {
        if (a.endsWith('38081')) throw new Error('lookup failed');
        return pods[a];
      },
    }),
  );
  const [a1, a2] = named(spans, 'upstream.attempt');
  assert.equal(a1.attributes['kubetrace.pod'], undefined);
  assert.equal(a2.attributes['kubetrace.pod'], 'orders-7d4b9c8f6d-x2x9k');
  assert.equal(a2.attributes['kubetrace.node'], 'sandbox-node-2');
  assert.equal(a2.attributes['kubetrace.namespace'], 'shop');
  assert.equal(named(spans, 'nginx')[0].attributes['kubetrace.pod'], 'ingress-nginx-controller-abc');
  assert.equal(named(spans, 'nginx')[0].attributes['kubetrace.node'], 'sandbox-node-1');
});

describe('placement without $msec (approximate)', () => {
  const line =
    '10.0.0.1 - - [27/Nov/2026:10:00:05 +0000] "GET /orders HTTP/1.1" 200 52 "-" "-" 114 0.020 [shop-orders-80] [] 10.0.0.2:8080, 10.0.0.3:8080 0, 52 0.005, 0.010 502, 200 0123456789abcdef0123456789abcdef';

  test('centred in the client window, with a diagnostic', () => {
    const w = { startUnixNano: 1_000_000_000n, endUnixNano: 1_000_000_000n + ms(30) };
    const { spans, diagnostics } = nginxSpansFromRecord(rec(line), ctx({ clientWindow: w }));
    const nginx = spans[0];
    assert.equal(start(nginx), w.startUnixNano + ms(5));
    assert.equal(end(nginx), w.startUnixNano + ms(25));
    assert.equal(nginx.attributes['kubetrace.placement'], 'approximate');
    const d = diagnostics.find((x) => x.code === 'nginx-placement-approximate');
    assert.ok(d && d.spanId === nginx.spanId && /\$msec/.test(d.hint ?? ''));
    const [a1, a2] = named(spans, 'upstream.attempt');
    assert.equal(end(a2), end(nginx));
    assert.equal(start(a2), end(nginx) - ms(10));
    assert.equal(start(a1), end(nginx) - ms(15));
    assert.equal(named(spans, 'upstream.connect').length, 0, 'default format has no phase timings');
  });

  test('clamped to a client window shorter than $request_time', () => {
    const w = { startUnixNano: 5_000_000_000n, endUnixNano: 5_000_000_000n + ms(8) };
    const { spans } = nginxSpansFromRecord(rec(line), ctx({ clientWindow: w }));
    assert.equal(start(spans[0]), w.startUnixNano);
    assert.equal(end(spans[0]), w.endUnixNano);
    for (const s of spans.slice(1))
      assert.ok(start(s) >= w.startUnixNano && end(s) <= w.endUnixNano, `${s.name} inside`);
  });

  test('no window: ends at $time_local', () => {
    const { spans, diagnostics } = nginxSpansFromRecord(rec(line), ctx());
    assert.equal(end(spans[0]), BigInt(Date.UTC(2026, 10, 27, 10, 0, 5)) * 1_000_000n);
    assert.equal(start(spans[0]), end(spans[0]) - ms(20));
    assert.ok(diagnostics.some((d) => d.code === 'nginx-placement-approximate'));
  });
});

test('tries that sum to more than $request_time (ms rounding) are scaled to fit', () => {
  const line =
    '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-" 70 0.002 [a-b-80] [] 10.0.0.2:80, 10.0.0.3:80 0, 1 0.002, 0.002 502, 200 0123456789abcdef0123456789abcdef -, 0.000 -, 0.001 1735689600.002';
  const { spans } = nginxSpansFromRecord(rec(line), ctx());
  const nginx = spans[0];
  assert.equal(nginx.attributes['kubetrace.placement.scaled'], true);
  for (const s of spans.slice(1)) {
    assert.ok(start(s) >= start(nginx) && end(s) <= end(nginx), `${s.name} within nginx`);
    assert.ok(start(s) <= end(s), `${s.name} not negative`);
  }
  const [a1, a2] = named(spans, 'upstream.attempt');
  assert.equal(start(a1), start(nginx));
  assert.equal(end(a1), start(a2));
  assert.equal(end(a2), end(nginx));
});

describe('failures', () => {
  test('504 where the header never came: header span marks the wait, timeout diagnostic', () => {
    const line =
      '127.0.0.1 - - [27/Nov/2026:10:18:56 +0000] "GET /hang HTTP/1.1" 504 160 "-" "-" 112 0.301 [shop-hang-80] [] 127.0.0.1:38080 0 0.301 504 7a12d4d617cb2288f1d6ca98ee4fb829 0.000 - 1795774736.899';
    const { spans, diagnostics } = nginxSpansFromRecord(rec(line), ctx());
    assert.equal(spans[0].status, 'error');
    const [a] = named(spans, 'upstream.attempt');
    assert.equal(a.status, 'error');
    const [h] = named(spans, 'upstream.header');
    assert.equal(h.status, 'error');
    assert.equal(h.attributes['kubetrace.upstream.header_received'], false);
    assert.equal(end(h) - start(h), ms(301));
    assert.equal(named(spans, 'upstream.response').length, 0);
    assert.ok(diagnostics.some((d) => d.code === 'nginx-upstream-timeout' && d.severity === 'error'));
  });

  test('502/503 with no upstream at all: no attempt, unreached diagnostic', () => {
    for (const status of [502, 503, 504]) {
      const line = `10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" ${status} 150 "-" "-" 70 0.000 [a-b-80] [] - - - - 0123456789abcdef0123456789abcdef - - 1735689600.000`;
      const { spans, diagnostics } = nginxSpansFromRecord(rec(line), ctx());
      assert.equal(spans.length, 1);
      assert.equal(spans[0].status, 'error');
      assert.ok(
        diagnostics.some((d) => d.code === 'nginx-upstream-unreached'),
        String(status),
      );
    }
  });

  test('an attempt with status `-` under a 504 is an error', () => {
    const line =
      '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 504 0 "-" "-" 70 5.000 [a-b-80] [] 10.0.0.2:80 - 5.000 - x';
    const { spans } = nginxSpansFromRecord(rec(line), ctx());
    assert.equal(named(spans, 'upstream.attempt')[0].status, 'error');
  });

  test('a 4xx leaves nginx unset; an app 500 passes through as error on both', () => {
    const mk = (s: number) =>
      `10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" ${s} 0 "-" "-" 70 0.001 [a-b-80] [] 10.0.0.2:80 0 0.001 ${s} x`;
    assert.equal(nginxSpansFromRecord(rec(mk(404)), ctx()).spans[0].status, 'unset');
    const five = nginxSpansFromRecord(rec(mk(500)), ctx()).spans;
    assert.deepEqual(
      five.map((s) => s.status),
      ['error', 'error'],
    );
  });
});

test('span ids: every span gets one, children point at real parents', () => {
  const { spans } = nginxSpansFromRecord(rec(RETRY), { traceId: TRACE });
  const ids = new Set(spans.map((s) => s.spanId));
  assert.equal(ids.size, spans.length);
  for (const s of spans) assert.match(s.spanId, /^[0-9a-f]{16}$/);
  for (const s of spans.slice(1)) assert.ok(ids.has(s.parentSpanId!), `${s.name} parent`);
});

test('splitHostPort', () => {
  assert.deepEqual(splitHostPort('10.0.0.1:80'), { host: '10.0.0.1', port: 80 });
  assert.deepEqual(splitHostPort('[fd00::1]:8080'), { host: 'fd00::1', port: 8080 });
  assert.deepEqual(splitHostPort('unix:/run/app.sock'), { host: 'unix:/run/app.sock' });
  assert.equal(splitHostPort('upstream_balancer'), undefined);
});

describe('findRecordByRequestId over a controller pod log (access + debug error log)', () => {
  const access = readFileSync(join(__dirname, '../fixtures/nginx-log/timings.log'), 'utf8').split('\n').filter(Boolean);
  const id = '55a72cec8d417917b7ff3a81e309dcbe'; // the /redirect line
  const log = [
    '2026/11/27 10:18:56 [debug] 20950#20950: *7 http header: "X-Request-ID: 55a72cec8d417917b7ff3a81e309dcbe"',
    access[0],
    '127.0.0.1 - - [27/Nov/2026:10:18:56 +0000] "GET /broken HTTP/1.1" 200 5 "-" "-" 70 zz [a-b-80] [] - - - - 55a72cec8d417917b7ff3a81e309dcbe',
    '2026/11/27 10:18:56 [debug] 20950#20950: *7 http proxy header: "X-Request-ID: 55a72cec8d417917b7ff3a81e309dcbe"',
    ...access.slice(1),
  ];

  test('finds the line, skips debug lines, reports the broken access line', () => {
    const f = findRecordByRequestId(log, id);
    assert.equal(f.record?.uri, '/redirect');
    assert.equal(f.lineNumber, 11); // access[k] (k >= 1) is line 4 + k
    assert.equal(f.line, access[7]);
    assert.deepEqual(
      f.unparsed.map((u) => u.lineNumber),
      [3],
    );
    assert.match(f.unparsed[0].error, /request_time field "zz"/);
  });

  test('absent id: no record, nothing thrown', () => {
    const f = findRecordByRequestId(log, 'ffffffffffffffffffffffffffffffff');
    assert.equal(f.record, undefined);
    assert.equal(f.unparsed.length, 1);
  });

  test('a client id that is a prefix of another is not confused with it', () => {
    const f = findRecordByRequestId(
      [
        '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 0 "-" "-" 70 0.001 [a-b-80] [] 10.0.0.2:80 0 0.001 200 abc123',
      ],
      'abc',
    );
    assert.equal(f.record, undefined);
  });
});

test('every logged nginx variable is copied as nginx.<name>, in this order, and an empty one is left out', () => {
  const names = [
    'request',
    'request_time',
    'request_length',
    'body_bytes_sent',
    'time_local',
    'msec',
    'req_id',
    'remote_user',
    'the_real_ip',
    'proxy_upstream_name',
    'proxy_alternative_upstream_name',
    'upstream_addr',
    'upstream_status',
    'upstream_response_time',
    'upstream_connect_time',
    'upstream_header_time',
    'upstream_response_length',
    'namespace',
    'ingress_name',
    'service_name',
    'service_port',
    'http_referer',
  ];
  const r = rec(RETRY);
  // Given in reverse, so the order comes from the span maker; one empty and one unknown variable.
  const vars: Record<string, string> = { unknown_var: 'x' };
  for (const n of [...names].reverse()) vars[n] = n === 'remote_user' ? '' : `v-${n}`;
  const { spans } = nginxSpansFromRecord({ ...r, vars }, ctx());
  const copied = Object.entries(spans[0].attributes).filter(([k]) => k.startsWith('nginx.'));
  assert.deepEqual(
    copied,
    names.filter((n) => n !== 'remote_user').map((n) => [`nginx.${n}`, `v-${n}`]),
  );
});
