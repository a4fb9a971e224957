import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { looksLikeAccessLog, parseAccessLogLine, type AccessLogRecord } from '../../src/core/ingest/nginx-log/parse';
import { SCENARIOS } from '../fixtures/nginx-log/real-nginx';

const FIX = join(__dirname, '../fixtures/nginx-log');
const fixture = (name: string) =>
  readFileSync(join(FIX, `${name}.log`), 'utf8')
    .split('\n')
    .filter(Boolean);

function parse(line: string): AccessLogRecord {
  const r = parseAccessLogLine(line);
  if ('error' in r) assert.fail(`did not parse: ${r.error}\n${line}`);
  return r.record;
}
const tries = (r: AccessLogRecord) => r.upstreams.map((u) => `${u.group}|${u.addr}|${u.status ?? '-'}`);

// Lines written by the real Debian nginx (capture.ts), one per scenario, in SCENARIOS order.
describe('lines written by a real nginx, every format', () => {
  const formats: Record<string, (scenario: string) => string> = {
    timings: () => 'ingress-nginx+timings',
    default: () => 'ingress-nginx',
    methoduri: (s) => (s === 'encoded-space' ? 'ingress-nginx-method-uri' : 'ingress-nginx'),
    legacy: () => 'ingress-nginx-legacy',
    combined: () => 'combined',
    json: () => 'json',
  };
  const expectedTries: Record<string, string[]> = {
    ok: ['0|127.0.0.1:38080|200'],
    'app-500': ['0|127.0.0.1:38080|500'],
    retry: ['0|127.0.0.1:38081|502', '0|127.0.0.1:38080|200'],
    dead: ['0|127.0.0.1:38081|502'],
    redirect: ['0|127.0.0.1:38081|502', '1|127.0.0.1:38080|200'],
    hang: ['0|127.0.0.1:38080|504'],
    unavailable: [],
  };
  for (const [format, want] of Object.entries(formats)) {
    test(`${format}.log`, () => {
      const lines = fixture(format);
      assert.equal(lines.length, SCENARIOS.length);
      lines.forEach((line, i) => {
        const s = SCENARIOS[i];
        const r = parse(line);
        assert.equal(r.format, want(s.name), `${s.name}: format`);
        assert.equal(r.status, s.status, `${s.name}: status`);
        assert.equal(r.method, 'GET');
        assert.equal(r.remoteAddr, '127.0.0.1');
        assert.ok(r.timeUnixMs && r.timeUnixMs > Date.UTC(2020, 0, 1), 'time parsed');
        if (format !== 'combined' && expectedTries[s.name])
          assert.deepEqual(tries(r), expectedTries[s.name], `${s.name}: tries`);
        if (format === 'combined') assert.deepEqual(r.upstreams, []);
        if (format !== 'combined') assert.ok(r.requestTime !== undefined, 'request_time');
        if (s.name === 'client-id' && format !== 'combined') assert.equal(r.reqId, 'client id 42');
        else if (format !== 'combined') assert.match(r.reqId ?? '', /^[0-9a-f]{32}$/);
        if (s.name === 'quotes' && format !== 'json') {
          assert.equal(r.userAgent, 'probe "quoted" \\ back\u00fcslash');
          assert.equal(r.referer, 'https://x.test/a"b');
        }
      });
    });
  }

  test('the same request reads the same in text and JSON', () => {
    const text = fixture('timings').map(parse);
    const json = fixture('json').map(parse);
    text.forEach((t, i) => {
      const j = json[i];
      assert.equal(j.reqId, t.reqId);
      assert.equal(j.status, t.status);
      assert.equal(j.msec, t.msec);
      assert.equal(j.requestTime, t.requestTime);
      assert.deepEqual(
        j.upstreams,
        t.upstreams.map(({ responseLength: _omitted, ...u }) => u),
      );
      assert.equal(j.namespace, 'shop');
      assert.equal(j.servicePort, '80');
      assert.equal(j.proxyUpstreamName, t.proxyUpstreamName);
    });
  });

  test('timing values are kept per try, `-` becoming absent', () => {
    const retry = parse(fixture('timings')[SCENARIOS.findIndex((s) => s.name === 'retry')]);
    assert.equal(retry.upstreams[0].connectTime, undefined);
    assert.equal(retry.upstreams[0].headerTime, undefined);
    assert.equal(retry.upstreams[0].responseLength, 0);
    assert.equal(typeof retry.upstreams[1].connectTime, 'number');
    assert.equal(typeof retry.upstreams[1].headerTime, 'number');
    assert.equal(retry.vars.upstream_connect_time, retry.vars.upstream_connect_time.replace(/[^-0-9., ]/g, ''));
  });
});

// Real-shaped lines for cases a single local nginx does not produce.
const LINES: { name: string; line: string; check: (r: AccessLogRecord) => void }[] = [
  {
    name: 'three tries, ingress-nginx default format, pod IPs',
    line: '10.244.0.1 - - [12/Mar/2024:08:15:30 +0100] "POST /api/orders HTTP/2.0" 200 17 "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)" 512 3.004 [shop-orders-80] [] 10.244.1.7:8080, 10.244.2.9:8080, 10.244.1.8:8080 0, 0, 17 1.000, 1.002, 1.001 504, 502, 200 4c9f1e1b0e7a4f0c9d3b2a1f0e9d8c7b',
    check: (r) => {
      assert.equal(r.format, 'ingress-nginx');
      assert.equal(r.timeUnixMs, Date.UTC(2024, 2, 12, 7, 15, 30));
      assert.equal(r.protocol, 'HTTP/2.0');
      assert.deepEqual(
        r.upstreams.map((u) => [u.addr, u.status, u.responseTime, u.responseLength]),
        [
          ['10.244.1.7:8080', 504, 1, 0],
          ['10.244.2.9:8080', 502, 1.002, 0],
          ['10.244.1.8:8080', 200, 1.001, 17],
        ],
      );
    },
  },
  {
    name: 'retries and an internal redirect together',
    line: '10.0.0.5 - - [01/Jan/2025:00:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8.5.0" 80 0.010 [default-web-80] [] 10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80 0, 0 : 5 0.001, 0.002 : 0.005 502, 502 : 200 aaaabbbbccccddddeeeeffff00001111 -, - : 0.001 -, - : 0.004 1735689600.010',
    check: (r) => {
      assert.equal(r.format, 'ingress-nginx+timings');
      assert.deepEqual(
        r.upstreams.map((u) => `${u.group}:${u.addr}:${u.status}:${u.connectTime ?? '-'}:${u.headerTime ?? '-'}`),
        ['0:10.0.0.1:80:502:-:-', '0:10.0.0.2:80:502:-:-', '1:10.0.0.3:80:200:0.001:0.004'],
      );
      assert.equal(r.msec, 1735689600.01);
      assert.equal(r.vars.msec, '1735689600.010');
    },
  },
  {
    name: '502 where nginx reached no peer: every upstream field `-`',
    line: '192.168.49.1 - - [01/Jan/2025:00:00:01 +0000] "GET /api HTTP/1.1" 502 150 "-" "kube-probe/1.29" 95 0.000 [shop-api-80] [] - - - - 0123456789abcdef0123456789abcdef - - 1735689601.000',
    check: (r) => {
      assert.equal(r.status, 502);
      assert.deepEqual(r.upstreams, []);
      assert.equal(r.vars.upstream_addr, '-');
    },
  },
  {
    name: '503 from the balancer naming the upstream group (no live upstreams)',
    line: '10.0.0.9 - - [01/Jan/2025:00:00:02 +0000] "GET / HTTP/1.1" 503 190 "-" "-" 70 0.000 [shop-orders-80] [] upstream_balancer 0 0.000 503 ffffffffffffffffffffffffffffffff',
    check: (r) =>
      assert.deepEqual(
        r.upstreams.map((u) => [u.addr, u.status]),
        [['upstream_balancer', 503]],
      ),
  },
  {
    name: 'IPv6 peers and a canary alternative upstream',
    line: '2001:db8::1 - alice [01/Jan/2025:00:00:03 -0500] "GET /v6 HTTP/1.1" 200 2 "-" "-" 70 0.004 [shop-web-80] [shop-web-canary-80] [fd00::a]:8080, [fd00::b]:8080 0, 2 0.001, 0.003 502, 200 abc',
    check: (r) => {
      assert.equal(r.remoteAddr, '2001:db8::1');
      assert.equal(r.remoteUser, 'alice');
      assert.equal(r.timeUnixMs, Date.UTC(2025, 0, 1, 5, 0, 3));
      assert.equal(r.proxyAlternativeUpstreamName, 'shop-web-canary-80');
      assert.deepEqual(
        r.upstreams.map((u) => u.addr),
        ['[fd00::a]:8080', '[fd00::b]:8080'],
      );
    },
  },
  {
    name: 'JSON-style \\" escapes inside quoted fields',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:04 +0000] "GET /q HTTP/1.1" 200 2 "-" "say \\"hi\\" [x] \\\\ y" 70 0.001 [a-b-80] [] 10.0.0.2:80 2 0.001 200 r1',
    check: (r) => {
      assert.equal(r.userAgent, 'say "hi" [x] \\ y');
      assert.equal(r.reqId, 'r1');
    },
  },
  {
    name: 'legacy with the literal %v of old docs',
    line: '%v - [203.0.113.7] - - [01/Jan/2018:10:00:00 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/7.58.0" 75 0.002 [default-nginx-80] 10.2.0.4:80 612 0.002 200',
    check: (r) => {
      assert.equal(r.format, 'ingress-nginx-legacy');
      assert.equal(r.remoteAddr, '203.0.113.7');
      assert.equal(r.reqId, undefined);
      assert.deepEqual(tries(r), ['0|10.2.0.4:80|200']);
    },
  },
  {
    name: 'kubectl logs --timestamps prefix',
    line: '2026-11-27T10:00:00.123456789Z 127.0.0.1 - - [27/Nov/2026:10:00:00 +0000] "GET /orders HTTP/1.1" 200 3 "-" "-" 70 0.001 [shop-orders-80] [] 127.10.0.3:8080 3 0.001 200 0123456789abcdef0123456789abcdef 0.000 0.001 1795773600.123',
    check: (r) => {
      assert.equal(r.extra.logTimestamp, '2026-11-27T10:00:00.123456789Z');
      assert.equal(r.format, 'ingress-nginx+timings');
    },
  },
  {
    name: 'containerd (CRI) log prefix',
    line: '2026-11-27T10:00:00.1Z stdout F 127.0.0.1 - - [27/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 404 0 "-" "-"',
    check: (r) => {
      assert.equal(r.format, 'combined');
      assert.equal(r.status, 404);
    },
  },
  {
    name: 'user format with extra trailing variables after a 32-hex $req_id',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:05 +0000] "GET / HTTP/1.1" 200 1 "-" "-" 70 0.001 [ns-svc-80] [] 10.0.0.2:80 1 0.001 200 0123456789abcdef0123456789abcdef shop orders',
    check: (r) => {
      assert.equal(r.reqId, '0123456789abcdef0123456789abcdef');
      assert.deepEqual(r.extra, { trailing1: 'shop', trailing2: 'orders' });
    },
  },
  {
    name: 'nginx common (no referer / user agent)',
    line: '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
    check: (r) => {
      assert.equal(r.format, 'combined');
      assert.equal(r.remoteUser, 'frank');
      assert.equal(r.bodyBytesSent, 2326);
    },
  },
  {
    name: 'combined with a TLS handshake sent to a plain port',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:06 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"',
    check: (r) => {
      assert.equal(r.status, 400);
      assert.equal(r.method, undefined);
      assert.ok(r.request?.startsWith('\x16\x03\x01'));
    },
  },
  {
    name: 'JSON with unquoted lists (invalid JSON nginx really writes)',
    line: '{"time": "2025-01-01T00:00:00+00:00", "status": 502, "request": "GET /a HTTP/1.1", "request_time": 0.004, "upstream_addr": "10.0.0.1:80, 10.0.0.2:80", "upstream_status": 502, 502, "upstream_response_time": 0.001, 0.002, "req_id": "x"}',
    check: (r) => {
      assert.equal(r.format, 'json');
      assert.deepEqual(
        r.upstreams.map((u) => [u.addr, u.status, u.responseTime]),
        [
          ['10.0.0.1:80', 502, 0.001],
          ['10.0.0.2:80', 502, 0.002],
        ],
      );
      assert.equal(r.uri, '/a');
    },
  },
  {
    name: 'JSON with unknown keys, camel-case names and an epoch time',
    line: '{"@timestamp": "1735689600.250", "remoteAddr": "10.1.1.1", "requestMethod": "PUT", "uri": "/items/1", "args": "a=1", "status": "201", "requestTime": "0.012", "upstreamAddr": "10.2.2.2:8080", "upstreamStatus": "201", "requestId": "r-9", "customer": "acme", "geo": {"cc": "NL"}}',
    check: (r) => {
      assert.equal(r.method, 'PUT');
      assert.equal(r.uri, '/items/1?a=1');
      assert.equal(r.status, 201);
      assert.equal(r.requestTime, 0.012);
      assert.equal(r.reqId, 'r-9');
      assert.equal(r.msec, 1735689600.25);
      assert.equal(r.timeUnixMs, 1735689600250);
      assert.deepEqual(r.extra, { customer: 'acme', geo: '{"cc":"NL"}' });
    },
  },
  {
    name: 'JSON written without escape=json (\\x22 inside a string)',
    line: '{"status": "200", "request": "GET / HTTP/1.1", "http_user_agent": "a\\x22b"}',
    check: (r) => assert.equal(r.userAgent, 'a"b'),
  },
];

describe('real-shaped lines', () => {
  for (const c of LINES) test(c.name, () => c.check(parse(c.line)));
});

const BAD: { name: string; line: string; error: RegExp }[] = [
  { name: 'empty', line: '', error: /empty line/ },
  {
    name: 'an nginx error-log line',
    line: '2026/11/27 10:12:14 [notice] 10041#10041: exiting',
    error: /too few fields|expected/,
  },
  {
    name: 'truncated inside the request',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET /a HT',
    error: /unterminated quoted field starting at column 43/,
  },
  {
    name: 'bad status',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" OK 5 "-" "-"',
    error: /status field "OK"/,
  },
  {
    name: 'bad time',
    line: '10.0.0.1 - - [32/Foo/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"',
    error: /not a valid \$time_local/,
  },
  {
    name: 'bad request_time',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" 70 fast [a-b-80] [] - - - - x',
    error: /request_time field "fast"/,
  },
  {
    name: 'upstream fields cut short',
    line: '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" 70 0.1 [a-b-80] [] 10.0.0.2:80 5',
    error: /found 2 field/,
  },
  { name: 'JSON array', line: '[1,2]', error: /expected `\$remote_addr|too few/ },
  { name: 'JSON not an access log', line: '{"level":"info","msg":"hello"}', error: /none of the access-log keys/ },
  { name: 'broken JSON', line: '{"status": 200, "request": "GET /', error: /not valid JSON/ },
  { name: 'too long', line: 'x'.repeat((1 << 20) + 1), error: /over the 1048576 limit/ },
];

describe('clear errors, never a throw', () => {
  for (const c of BAD) {
    test(c.name, () => {
      const r = parseAccessLogLine(c.line);
      assert.ok('error' in r, 'should fail');
      assert.match(r.error, c.error);
    });
  }
});

describe('looksLikeAccessLog', () => {
  const cases: [string, boolean][] = [
    [fixture('timings')[0], true],
    [fixture('legacy')[0], true],
    [fixture('combined')[0], true],
    [fixture('json')[0], true],
    ['2026-11-27T10:00:00Z ' + fixture('default')[0], true],
    ['2026/11/27 10:12:14 [debug] 10041#10041: *1 http header: "X-Request-ID: abc"', false],
    ['time=2026-11-27T10:00:00.123456Z level=info msg="request done" request_id=abc status=200', false],
    ['', false],
    ['10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET /a HT', true], // meant as one, so a failure is worth reporting
  ];
  for (const [line, want] of cases)
    test(`${want} for ${line.slice(0, 50)}`, () => assert.equal(looksLikeAccessLog(line), want));
});

describe('access lines seen in the wild', () => {
  const tail = '"GET /a HTTP/1.1" 200 5 "-" "curl/8"';
  const up = '88 0.012 [shop-web-80] 10.0.0.7:8080 5 0.011 200';
  test('an X-Forwarded-For list in place of $remote_addr: the client is the first entry', () => {
    const r = parse(`10.0.0.2, 10.0.0.1, 127.0.0.1 - - [08/Mar/2023:16:02:45 +0000] ${tail}`);
    assert.equal(r.remoteAddr, '10.0.0.2');
    assert.equal(r.vars.remote_addr, '10.0.0.2, 10.0.0.1, 127.0.0.1');
    assert.equal(r.extra.forwarded_for, '10.0.0.2, 10.0.0.1, 127.0.0.1');
    assert.equal(r.status, 200);
    assert.ok(looksLikeAccessLog(`10.0.0.2, 10.0.0.1, 127.0.0.1 - - [08/Mar/2023:16:02:45 +0000] ${tail}`));
  });
  test('a $host before the address (vhost formats)', () => {
    const r = parse(`shop.example.com 10.0.0.1 - alice [08/Mar/2023:16:02:45 +0000] ${tail}`);
    assert.equal(r.vars.host, 'shop.example.com');
    assert.equal(r.remoteAddr, '10.0.0.1');
    assert.equal(r.remoteUser, 'alice');
    const both = parse(`shop.example.com 10.0.0.2, 10.0.0.1 - - [08/Mar/2023:16:02:45 +0000] ${tail}`);
    assert.equal(both.vars.host, 'shop.example.com');
    assert.equal(both.remoteAddr, '10.0.0.2');
  });
  test('three words before the address are refused, clearly', () => {
    const r = parseAccessLogLine(`a b 10.0.0.1 - - [08/Mar/2023:16:02:45 +0000] ${tail}`);
    assert.ok('error' in r);
    assert.match(r.error, /2 words before the client address/);
  });
  test('ingress-nginx 0.8-0.21: %v/[$the_real_ip] forms, with and without the upstream name and $req_id', () => {
    const v = parse(`%v - [10.0.0.2] - - [08/Mar/2023:16:02:45 +0000] ${tail} ${up}`);
    assert.equal(v.format, 'ingress-nginx-legacy');
    assert.equal(v.remoteAddr, '10.0.0.2');
    assert.equal(v.proxyUpstreamName, 'shop-web-80');
    assert.equal(v.upstreams[0].addr, '10.0.0.7:8080');
    const id = parse(`%v - [10.0.0.2] - - [08/Mar/2023:16:02:45 +0000] ${tail} ${up} ${'a'.repeat(32)}`);
    assert.equal(id.reqId, 'a'.repeat(32));
    const bracket = parse(`[10.0.0.2] - - [08/Mar/2023:16:02:45 +0000] ${tail} ${up}`);
    assert.equal(bracket.remoteAddr, '10.0.0.2');
    assert.equal(bracket.requestTime, 0.012);
    // `$remote_addr - [$proxy_add_x_forwarded_for] -` and no [$proxy_upstream_name].
    const xff = parse(
      `10.0.0.1 - [10.0.0.2, 10.0.0.1] - - [08/Mar/2023:16:02:45 +0000] ${tail} 88 0.012 10.0.0.7:8080 5 0.011 200`,
    );
    assert.equal(xff.remoteAddr, '10.0.0.1');
    assert.equal(xff.requestTime, 0.012);
    assert.equal(xff.upstreams[0].responseTime, 0.011);
    assert.equal(xff.upstreams[0].status, 200);
    // No $request_length $request_time at all: the upstream fields follow the user agent.
    const bare = parse(`%v - [10.0.0.2] - - [08/Mar/2023:16:02:45 +0000] ${tail} 10.0.0.7:8080 5 0.011 200`);
    assert.equal(bare.requestTime, undefined);
    assert.equal(bare.upstreams[0].addr, '10.0.0.7:8080');
    const none = parse(`%v - [10.0.0.2] - - [08/Mar/2023:16:02:45 +0000] ${tail}`);
    assert.equal(none.format, 'ingress-nginx-legacy');
    assert.equal(none.upstreams.length, 0);
  });
  test('F5 NGINX Ingress Controller\'s main: combined + "$http_x_forwarded_for"', () => {
    const r = parse(`10.0.0.1 - - [08/Mar/2023:16:02:45 +0000] ${tail} "203.0.113.9, 10.0.0.1"`);
    assert.equal(r.format, 'nic-main');
    assert.equal(r.vars.http_x_forwarded_for, '203.0.113.9, 10.0.0.1');
  });
});
