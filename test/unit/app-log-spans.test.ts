import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  appLogEvents,
  derivedAppSpan,
  matchAppLogLines,
  parseAppLogLine,
  type AppLogLine,
} from '../../src/core/ingest/app-log';

const sandbox = readFileSync(join(__dirname, '../fixtures/app-log/sandbox-apps.log'), 'utf8')
  .split('\n')
  .filter(Boolean);
const p = (l: string): AppLogLine => parseAppLogLine(l)!;

describe('matchAppLogLines', () => {
  test('by request id or by trace id', () => {
    const byRequest = matchAppLogLines(sandbox, {
      requestId: '4bf92f3577b34da6a3ce929d0e0e4736',
      traceId: 'ffffffffffffffffffffffffffffffff',
    });
    assert.deepEqual(
      byRequest.map((l) => l.route),
      ['/catalog/<item>'],
    );
    const byTrace = matchAppLogLines(sandbox, { requestId: 'nope', traceId: '0AF7651916CD43DD8448EB211C80319C' });
    assert.deepEqual(
      byTrace.map((l) => l.route),
      ['/orders', '/inventory/stock'],
    );
  });

  test('a structured line must carry the id in an id field, not just anywhere', () => {
    const lines = [
      'time=2026-11-27T10:00:00Z request_id=abc-123 msg=ok',
      'time=2026-11-27T10:00:00Z request_id=abc-1234 msg="mentions abc-123 in text"',
    ];
    assert.deepEqual(
      matchAppLogLines(lines, { requestId: 'abc-123', traceId: '' }).map((l) => l.raw),
      [lines[0]],
    );
  });

  test('plain text needs the id as a whole word', () => {
    const lines = ['GET /catalog done id abc-123', 'GET /catalog done id xabc-1234', 'nothing here', ''];
    assert.deepEqual(
      matchAppLogLines(lines, { requestId: 'abc-123', traceId: '' }).map((l) => l.raw),
      [lines[0]],
    );
  });

  test('empty ids match nothing', () => {
    assert.deepEqual(matchAppLogLines(sandbox, { requestId: '', traceId: '' }), []);
  });
});

describe('appLogEvents', () => {
  test('one event per line, in time order, carrying the line', () => {
    const lines = [p(sandbox[1]), p(sandbox[0]), p('no time here request_id=x a=b')];
    const ev = appLogEvents(lines);
    assert.deepEqual(
      ev.map((e) => e.timeUnixNano),
      ['0', String(p(sandbox[0]).timeUnixNano), String(p(sandbox[1]).timeUnixNano)],
    );
    assert.equal(ev[0].attributes['kubetrace.time_unknown'], true);
    assert.equal(ev[1].name, 'request done');
    assert.equal(ev[1].attributes['log.record.original'], sandbox[0]);
    assert.equal(ev[1].attributes['log.severity'], 'info');
    assert.equal(ev[1].attributes['log.field.route'], '/orders');
    assert.equal(ev[2].name, 'request done');
  });

  test('huge values are capped', () => {
    const [e] = appLogEvents([p(`msg=${'x'.repeat(100_000)} request_id=r`)]);
    assert.ok(String(e.attributes['log.record.original']).length <= 4097);
    assert.ok(e.name.length <= 201);
  });
});

describe('derivedAppSpan (uninstrumented app, e.g. catalog)', () => {
  const line = p(sandbox[2]);
  const ctx = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    parentSpanId: '00f067aa0ba902b7',
    service: 'catalog',
    pod: 'catalog-6b5f8d7c9a-abcde',
    node: 'sandbox-node-1',
    newSpanId: () => '1234567890abcdef',
  };

  test('a server span from time (start) + duration_ms, named METHOD route', () => {
    const s = derivedAppSpan(line, ctx);
    assert.equal(s.name, 'GET /catalog/<item>');
    assert.equal(s.spanId, '1234567890abcdef');
    assert.equal(s.parentSpanId, '00f067aa0ba902b7');
    assert.equal(s.service, 'catalog');
    assert.equal(s.layer, 'app');
    assert.equal(s.kind, 'server');
    assert.equal(s.origin, 'app-log');
    assert.equal(s.status, 'unset');
    assert.equal(s.startTimeUnixNano, String(line.timeUnixNano));
    assert.equal(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano), 731_000n);
    assert.equal(s.attributes['http.route'], '/catalog/<item>');
    assert.equal(s.attributes['http.request.method'], 'GET');
    assert.equal(s.attributes['url.path'], '/catalog/42');
    assert.equal(s.attributes['http.response.status_code'], 200);
    assert.equal(s.attributes['kubetrace.pod'], 'catalog-6b5f8d7c9a-abcde');
    assert.equal(s.attributes['kubetrace.node'], 'sandbox-node-1');
    assert.equal(s.attributes['kubetrace.placement'], 'exact');
    assert.deepEqual(s.events, []);
  });

  test('5xx is an error', () => {
    assert.equal(derivedAppSpan(p(sandbox[3]), ctx).status, 'error');
  });

  test('no time: placed at the start of the fallback window, duration kept, marked approximate', () => {
    const w = { startUnixNano: 10_000_000_000n, endUnixNano: 10_050_000_000n };
    const s = derivedAppSpan(p('method=GET route=/catalog status=200 duration_ms=2'), { ...ctx, fallbackWindow: w });
    assert.equal(s.startTimeUnixNano, '10000000000');
    assert.equal(s.endTimeUnixNano, '10002000000');
    assert.equal(s.attributes['kubetrace.placement'], 'approximate');
    const long = derivedAppSpan(p('method=GET route=/catalog duration_ms=999'), { ...ctx, fallbackWindow: w });
    assert.equal(long.endTimeUnixNano, String(w.endUnixNano), 'clamped to the window');
  });

  test('no route or method: semconv fallback name; no time and no window: unknown placement', () => {
    const s = derivedAppSpan(p('request_id=x msg=done'), { traceId: 't', service: 'svc' });
    assert.equal(s.name, 'HTTP');
    assert.equal(s.attributes['kubetrace.placement'], 'unknown');
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
  });
});
