// Finding a probe's own line in a log that is not nginx's (src/core/probe/proxy-log.ts), on lines written by the
// sandbox's real haproxy (src/sandbox/haproxy/): by the captured request id, else by method, path, status and time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parserFor } from '../../src/core/ingest/controller-log/formats';
import { findProxyLine, type ProxyLineKeys } from '../../src/core/probe/proxy-log';
import { otherProxySpanIds } from '../../src/core/sourcemap/proxy-spans';
import type { Span } from '../../src/core/trace/model';

const parser = parserFor('haproxy-httplog');
const ID = '3ff106b1b2fc42d1c316e52d08f8e6aa';
const OTHER = '0123456789abcdef0123456789abcdef';
const at = (ms: string, id: string, path = '/catalog', status = 200) =>
  `127.0.0.1:47044 [05/Dec/2026:22:59:51.${ms}] http catalog_catalog_http/SRV_1 0/0/1/5/8 ${status} 328 - - ---- ` +
  `1/1/0/0/0 0/0 {${id}} "GET ${path} HTTP/1.1"`;
const LOG = [
  '[NOTICE]   (28632) : New worker (28634) forked',
  '[NOTICE]   (28632) : Loading success.',
  at('100', OTHER),
  at('645', ID),
  at('700', ''),
  'Proxy http stopped (cumulated conns: FE: 3, BE: 0).',
];
const start = Date.UTC(2026, 11, 5, 22, 59, 51, 640);
const keys = (k: Partial<ProxyLineKeys> = {}): ProxyLineKeys => ({
  requestId: ID,
  traceId: ID,
  method: 'GET',
  path: '/catalog',
  status: 200,
  window: { startMs: start, endMs: start + 20 },
  ...k,
});
const spansOf = (r: unknown) => parser.spans(r, { traceId: ID, service: 'haproxy-tech' });
const startOf = (hit: ReturnType<typeof findProxyLine>) =>
  Number(BigInt(hit!.batch.spans[0].startTimeUnixNano) / 1_000_000n);

describe('the probe line in an HAProxy httplog', () => {
  test('the line whose captured X-Request-ID is the probe’s wins, whatever else is in the window', () => {
    const hit = findProxyLine(LOG, parser, keys(), spansOf);
    assert.equal(hit?.by, 'request-id');
    assert.equal(startOf(hit), Date.UTC(2026, 11, 5, 22, 59, 51, 645));
    assert.equal(hit!.batch.spans[0].name, 'haproxy');
  });

  test('without its id, the one line of that method, path and status in the window; other ids are never taken', () => {
    const hit = findProxyLine(LOG, parser, keys({ requestId: 'f'.repeat(32), traceId: 'f'.repeat(32) }), spansOf);
    assert.equal(hit?.by, 'time');
    assert.equal(hit?.candidates, 1);
    // The 22:59:51.700 line has no id; the .645 and .100 lines belong to other requests.
    assert.equal(startOf(hit), Date.UTC(2026, 11, 5, 22, 59, 51, 700));
  });

  test('nothing when path, status or time do not fit', () => {
    const other = { requestId: 'f'.repeat(32), traceId: 'f'.repeat(32) };
    assert.equal(findProxyLine(LOG, parser, keys({ ...other, path: '/other' }), spansOf), undefined);
    assert.equal(findProxyLine(LOG, parser, keys({ ...other, status: 503 }), spansOf), undefined);
    const late = { startMs: start + 60_000, endMs: start + 60_020 };
    assert.equal(findProxyLine(LOG, parser, keys({ ...other, window: late }), spansOf), undefined);
  });
});

test("the spans of HAProxy's line are another proxy's (no nginx source), not the app span hung under them", () => {
  const hit = findProxyLine(LOG, parser, keys(), spansOf)!;
  const attempt = hit.batch.spans.find((s) => s.name === 'upstream.attempt')!;
  const app: Span = { ...attempt, spanId: 'a'.repeat(16), name: 'GET /catalog', service: 'catalog', layer: 'app' };
  app.kind = 'server';
  app.parentSpanId = attempt.spanId;
  // nginx's own spans share the names but are nginx's.
  const nginx = parserFor('nginx-combined').parse(
    '127.0.0.1 - - [05/Dec/2026:22:59:51 +0000] "GET /catalog HTTP/1.1" 200 328 "-" "curl/8.0"',
  );
  assert.ok('record' in nginx);
  const nginxSpans = parserFor('nginx-combined').spans(nginx.record, { traceId: ID }).spans;
  const ids = otherProxySpanIds([...hit.batch.spans, app, ...nginxSpans]);
  assert.deepEqual([...ids].sort(), hit.batch.spans.map((s) => s.spanId).sort());
});
