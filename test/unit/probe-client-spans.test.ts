// The probe's own span: a 4xx answer is an error for the client that asked (OpenTelemetry's HTTP client
// convention), and the headers and body the user added are on the span, with secrets redacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientSpans } from '../../src/core/probe/spans';
import type { ExchangeResult } from '../../src/core/probe/http';

const T0 = 1_700_000_000_000_000_000n;
function result(status: number | undefined): ExchangeResult {
  return {
    times: { start: T0, connectStart: T0, connectEnd: T0 + 100_000n, requestEnd: T0 + 200_000n, end: T0 + 900_000n },
    status,
    headers: {},
    body: Buffer.alloc(0),
    bodyTruncated: false,
    bodyBytes: 0,
    newConnection: true,
  };
}
function probe(status: number | undefined, extra: { headers?: Record<string, string>; body?: Buffer } = {}) {
  const spans = clientSpans({
    traceId: 'a'.repeat(32),
    rootSpanId: 'b'.repeat(16),
    req: {
      scheme: 'http',
      address: '127.0.0.1',
      port: 80,
      host: 'shop.test',
      method: 'POST',
      path: '/orders',
      headers: {},
      body: extra.body,
      timeoutMs: 0,
    },
    res: result(status),
    target: 'load-balancer',
    url: 'http://shop.test/orders',
    userHeaders: extra.headers,
  });
  return spans[0];
}

test('the client span is an error for 4xx and 5xx answers and ok below 400', () => {
  for (const [status, want] of [
    [200, 'ok'],
    [302, 'ok'],
    [399, 'ok'],
    [400, 'error'],
    [404, 'error'],
    [429, 'error'],
    [500, 'error'],
    [503, 'error'],
  ] as const)
    assert.equal(probe(status).status, want, `HTTP ${status}`);
});

test('headers the user added are request attributes; credential headers are redacted', () => {
  const s = probe(201, {
    headers: { 'X-Tenant': 'gold', Authorization: 'Bearer abcdefghijkl', Cookie: 'sid=42', 'X-Api-Key': 'k1' },
  });
  assert.equal(s.attributes['http.request.header.x-tenant'], 'gold');
  for (const h of ['authorization', 'cookie', 'x-api-key'])
    assert.equal(s.attributes[`http.request.header.${h}`], '[redacted]', h);
  assert.doesNotMatch(JSON.stringify(s), /abcdefghijkl|sid=42|k1"/);
});

test('the body is recorded by size with a redacted preview, cut at 512 bytes', () => {
  const small = probe(201, { body: Buffer.from('{"sku": "kt-1", "password": "hunter22"}') });
  assert.equal(small.attributes['http.request.body.size'], 39);
  assert.match(String(small.attributes['kubetrace.request.body']), /"sku": "kt-1"/);
  assert.doesNotMatch(String(small.attributes['kubetrace.request.body']), /hunter22/);
  const big = probe(201, { body: Buffer.alloc(2000, 'x') });
  assert.equal(big.attributes['http.request.body.size'], 2000);
  assert.equal(String(big.attributes['kubetrace.request.body']).length, 513);
  assert.equal(probe(200).attributes['http.request.body.size'], undefined, 'no body, no attribute');
});
