import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextHop, MAX_REDIRECTS } from '../../src/core/probe/redirects';
import type { ExchangeResult } from '../../src/core/probe/http';

const res = (status: number, location?: string): ExchangeResult => ({
  times: { start: 1n, end: 2n },
  status,
  headers: location ? { location } : {},
  body: Buffer.alloc(0),
  bodyTruncated: false,
  bodyBytes: 0,
  newConnection: true,
});
const hop = { scheme: 'http' as const, port: 8080, path: '/orders' };
const ports = (s: 'http' | 'https') => (s === 'https' ? 8443 : 8080);

test("a 308 to https on the same host is followed on the target's https port, with an event", () => {
  const n = nextHop(res(308, 'https://shop.test/orders'), hop, 'shop.test', 0, ports);
  assert.ok(n && 'hop' in n);
  assert.deepEqual(n.hop, { scheme: 'https', port: 8443, path: '/orders' });
  assert.equal(n.event.name, 'redirect');
  assert.equal(n.event.attributes['http.response.status_code'], 308);
});

test('relative locations resolve against the current URL, query included', () => {
  const n = nextHop(res(302, '/orders/7?x=1'), hop, 'shop.test', 1, ports);
  assert.ok(n && 'hop' in n);
  assert.deepEqual(n.hop, { scheme: 'http', port: 8080, path: '/orders/7?x=1' });
});

test('another host is never followed, and the trace says where it went', () => {
  const n = nextHop(res(301, 'https://login.example.com/'), hop, 'shop.test', 0, ports);
  assert.ok(n && 'stop' in n);
  assert.equal(n.stop.code, 'redirect-other-host');
  assert.match(n.stop.message, /login\.example\.com/);
});

test('at most MAX_REDIRECTS, a scheme the target cannot reach stops, non-redirects end', () => {
  const many = nextHop(res(302, '/x'), hop, 'shop.test', MAX_REDIRECTS, ports);
  assert.ok(many && 'stop' in many && many.stop.code === 'too-many-redirects');
  const noPort = nextHop(res(308, 'https://shop.test/orders'), hop, 'shop.test', 0, () => undefined);
  assert.ok(noPort && 'stop' in noPort && noPort.stop.code === 'redirect-not-followed');
  assert.equal(nextHop(res(200), hop, 'shop.test', 0, ports), undefined);
  assert.equal(nextHop(res(304), hop, 'shop.test', 0, ports), undefined);
});

const secrets = { authorization: 'Bearer s3cret', Cookie: 'sid=1', 'x-api-key': 'k', accept: '*/*' };
const https = { scheme: 'https' as const, port: 8443, path: '/orders' };

test('an https -> http downgrade on the same host is never followed, and the trace says why', () => {
  for (const location of ['http://shop.test/orders', 'http://SHOP.test:8443/login']) {
    const n = nextHop(res(302, location), https, 'shop.test', 0, ports, secrets);
    assert.ok(n && 'stop' in n, location);
    assert.equal(n.stop.code, 'redirect-downgrade');
    assert.equal(n.stop.severity, 'warning');
    assert.match(n.stop.message, /https to plain http/);
  }
});

test('a redirect that changes scheme or port goes on without Authorization, Cookie and the other secrets', () => {
  const up = nextHop(res(308, 'https://shop.test/orders'), hop, 'shop.test', 0, ports, secrets);
  assert.ok(up && 'hop' in up);
  assert.deepEqual(up.headers, { accept: '*/*' });
  assert.equal(up.note?.code, 'redirect-dropped-credentials');
  assert.match(up.note!.message, /authorization, cookie, x-api-key/);
  assert.deepEqual(up.event.attributes['kubetrace.redirect.dropped_headers'], ['authorization', 'cookie', 'x-api-key']);
  const port = nextHop(res(302, 'https://shop.test:9443/x'), https, 'shop.test', 0, ports, secrets);
  assert.ok(port && 'hop' in port);
  assert.deepEqual(port.headers, { accept: '*/*' });
});

test('a redirect within the same origin keeps the headers as they were', () => {
  for (const location of ['/orders/7', 'https://shop.test/orders/7', 'https://shop.test:8443/orders/7']) {
    const n = nextHop(res(302, location), https, 'shop.test', 0, ports, secrets);
    assert.ok(n && 'hop' in n, location);
    assert.equal(n.headers, secrets);
    assert.equal(n.note, undefined);
  }
});
