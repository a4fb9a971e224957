import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { logfmt, parseAppLogLine, parseLogTime, type AppLogLine } from '../../src/core/ingest/app-log';

const sandbox = readFileSync(join(__dirname, '../fixtures/app-log/sandbox-apps.log'), 'utf8')
  .split('\n')
  .filter(Boolean);
const must = (line: string): AppLogLine => {
  const p = parseAppLogLine(line);
  assert.ok(p, `no result for ${line}`);
  return p;
};
const ns = (iso: string, frac: bigint) => BigInt(Date.parse(iso)) * 1_000_000n + frac;

describe("the sandbox apps' logfmt line", () => {
  test('Node app line with trace and span ids', () => {
    const p = must(sandbox[0]);
    assert.equal(p.timeUnixNano, ns('2026-11-27T10:00:00Z', 123_456_000n));
    assert.equal(p.level, 'info');
    assert.equal(p.message, 'request done');
    assert.equal(p.requestId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(p.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    assert.equal(p.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(p.spanId, '00f067aa0ba902b7');
    assert.equal(p.method, 'GET');
    assert.equal(p.route, '/orders');
    assert.equal(p.path, '/orders');
    assert.equal(p.status, 200);
    assert.equal(p.durationMs, 12.345);
    assert.equal(p.fields.duration_ms, '12.345');
    assert.equal(p.raw, sandbox[0]);
  });

  test('Flask (catalog) line: traceparent `-`, no trace id of its own', () => {
    const p = must(sandbox[2]);
    assert.equal(p.traceparent, undefined);
    assert.equal(p.traceId, undefined);
    assert.equal(p.requestId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(p.route, '/catalog/<item>');
    assert.equal(p.durationMs, 0.731);
    assert.equal(p.timeUnixNano, ns('2026-11-27T10:00:01Z', 1_000n));
  });

  test('a 500 line, and `-` as an absent request id', () => {
    assert.equal(must(sandbox[3]).status, 500);
    assert.equal(must(sandbox[3]).level, 'error');
    assert.equal(must(sandbox[4]).requestId, undefined);
  });

  test('traceparent alone gives the trace id', () => {
    const p = must('ts=1795773600.5 msg=x traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    assert.equal(p.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(p.spanId, undefined);
    assert.equal(p.timeUnixNano, 1_795_773_600_500_000_000n);
  });
});

describe('logfmt', () => {
  const cases: [string, Record<string, string>][] = [
    ['a=1 b=two', { a: '1', b: 'two' }],
    ['msg="hello \\"world\\"" path="/a b" x=', { msg: 'hello "world"', path: '/a b', x: '' }],
    ['msg="line1\\nline2\\ttab \\\\ back"', { msg: 'line1\nline2\ttab \\ back' }],
    ['flag a=1', { flag: 'true', a: '1' }],
    ['a=1   b=2\tc=3', { a: '1', b: '2', c: '3' }],
    ['unterminated="abc def', { unterminated: 'abc def' }],
    ['k=v=w', { k: 'v=w' }],
  ];
  for (const [line, want] of cases) test(line, () => assert.deepEqual(logfmt(line), want));
});

describe('JSON lines', () => {
  const cases: { line: string; want: Partial<AppLogLine> }[] = [
    {
      line: '{"timestamp":"2026-11-27T10:00:00.000123+01:00","level":"INFO","message":"handled","requestId":"r-1","traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7","http":{"route":"/users/:id","method":"post","status_code":201},"duration_ms":4.25}',
      want: {
        requestId: 'r-1',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        route: '/users/:id',
        method: 'POST',
        status: 201,
        durationMs: 4.25,
        level: 'INFO',
        message: 'handled',
        timeUnixNano: ns('2026-11-27T09:00:00Z', 123_000n),
      },
    },
    {
      line: '{"ts":1795773600123,"x_request_id":"abc","msg":"ok","status":"404","path":"/nope","trace_id":"not-hex"}',
      want: {
        requestId: 'abc',
        traceId: undefined,
        status: 404,
        path: '/nope',
        timeUnixNano: 1_795_773_600_123_000_000n,
      },
    },
    {
      line: '{"time":"2026-11-27 10:00:00,250","request_id":"q","duration_seconds":0.5}',
      want: { requestId: 'q', durationMs: 500, timeUnixNano: ns('2026-11-27T10:00:00Z', 250_000_000n) },
    },
  ];
  for (const c of cases) {
    test(c.line.slice(0, 60), () => {
      const p = must(c.line);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(p[k as keyof AppLogLine], v, k);
    });
  }
  test('a JSON array is plain text, not fields', () => {
    const p = must('["request_id", "abc"]');
    assert.deepEqual(p.fields, {});
  });
});

describe('plain text that merely mentions an id', () => {
  test('werkzeug-style line with a request id', () => {
    const p = must(
      '2026-11-27 10:00:00,123 INFO werkzeug: 127.10.0.5 - - "GET /catalog HTTP/1.1" 200 - request-id=4bf92f3577b34da6a3ce929d0e0e4736',
    );
    assert.equal(p.requestId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(p.level, 'info');
    assert.equal(p.timeUnixNano, ns('2026-11-27T10:00:00Z', 123_000_000n));
    assert.deepEqual(p.fields, {});
  });
  test('a Java-style line with trace id and traceparent', () => {
    const p = must(
      '[2026-11-27T10:00:00.5Z] WARN c.e.Api - slow call traceId: 4bf92f3577b34da6a3ce929d0e0e4736 tp=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
    assert.equal(p.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(p.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    assert.equal(p.level, 'warn');
    assert.equal(
      p.message,
      'WARN c.e.Api - slow call traceId: 4bf92f3577b34da6a3ce929d0e0e4736 tp=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
  });
  test('prose with a single "=" stays prose', () => {
    const p = must('Listening on http://127.10.0.5:5000 (debug=off)');
    assert.deepEqual(p.fields, {});
    assert.equal(p.message, 'Listening on http://127.10.0.5:5000 (debug=off)');
  });
  test('blank lines give nothing', () => {
    assert.equal(parseAppLogLine(''), undefined);
    assert.equal(parseAppLogLine('   \r\n'), undefined);
  });
});

describe('parseLogTime', () => {
  const cases: [string, bigint | undefined][] = [
    ['2026-11-27T10:00:00.123456Z', ns('2026-11-27T10:00:00Z', 123_456_000n)],
    ['2026-11-27T10:00:00.123456789Z', ns('2026-11-27T10:00:00Z', 123_456_789n)],
    ['2026-11-27T10:00:00-05:30', ns('2026-11-27T15:30:00Z', 0n)],
    ['2026-11-27T10:00:00+0100', ns('2026-11-27T09:00:00Z', 0n)],
    ['1795773600', 1_795_773_600_000_000_000n],
    ['1795773600.000001', 1_795_773_600_000_001_000n],
    ['1795773600123', 1_795_773_600_123_000_000n],
    ['1795773600123456', 1_795_773_600_123_456_000n],
    ['1795773600123456789', 1_795_773_600_123_456_789n],
    ['2026-13-01T00:00:00Z', undefined],
    ['yesterday', undefined],
  ];
  for (const [s, want] of cases) test(s, () => assert.equal(parseLogTime(s), want));
});
