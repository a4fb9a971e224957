// The probe's own line in an access log: request id first, then the User-Agent or query marker, then
// method + path + status inside the probe's window (and how many lines fit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { findProbeLine } from '../../src/core/probe/find-line';
import {
  KUBETRACE_VERSION,
  probeUserAgent,
  queryMarks,
  userAgentMarks,
  withQueryMark,
} from '../../src/core/probe/mark';

const T = 'a3ce929d0e0e47364bf92f3577b34da6';
const OTHER = '0af7651916cd43dd8448eb211c80319c';
// 16/Aug/2024:17:14:48 +0000
const AT = Date.UTC(2024, 7, 16, 17, 14, 48);
const combined = (path: string, status: number, ua: string, sec = 48) =>
  `10.138.15.194 - - [16/Aug/2024:17:14:${String(sec).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" ${status} 156 "-" "${ua}"`;
const keys = (over: Partial<Parameters<typeof findProbeLine>[1]> = {}) => ({
  requestId: T,
  traceId: T,
  method: 'GET',
  path: '/orders',
  status: 200,
  window: { startMs: AT + 100, endMs: AT + 200 },
  ...over,
});

test("the User-Agent names the version and the trace; the version is package.json's", () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.equal(KUBETRACE_VERSION, pkg.version);
  assert.equal(probeUserAgent(T), `kubetrace/${pkg.version} (probe ${T})`);
  assert.ok(userAgentMarks(probeUserAgent(T), T));
  assert.ok(!userAgentMarks(probeUserAgent(OTHER), T));
});

test('the query marker is added to the query, never to the path', () => {
  assert.equal(withQueryMark('/orders', T), `/orders?kubetrace=${T}`);
  assert.equal(withQueryMark('/orders?a=1', T), `/orders?a=1&kubetrace=${T}`);
  assert.equal(withQueryMark('/orders?', T), `/orders?kubetrace=${T}`);
  assert.ok(queryMarks(withQueryMark('/orders?a=1', T), T));
  assert.ok(!queryMarks(`/orders/kubetrace=${T}`, T), 'a path segment is not the marker');
  assert.ok(!queryMarks(`/orders?kubetrace=${T}x`, T));
});

test('an ingress-nginx line is found by its request id even when another line has the marker', () => {
  const ingressNginx = `192.168.14.161 - - [16/Aug/2024:17:14:48 +0000] "GET /orders HTTP/1.1" 200 0 "-" "curl/8" 89 0.001 [shop-orders-80] [] 127.10.0.5:8080 0 0.000 200 ${T}`;
  const hit = findProbeLine([ingressNginx, combined('/orders', 200, probeUserAgent(T))], keys());
  assert.equal(hit?.by, 'request-id');
  assert.equal(hit?.line, ingressNginx);
});

test('a combined line (no request id) is found by the User-Agent marker, among other probes', () => {
  const lines = [
    combined('/orders', 200, probeUserAgent(OTHER)),
    combined('/orders', 200, probeUserAgent(T)),
    combined('/orders', 200, 'curl/8'),
  ];
  const hit = findProbeLine(lines, keys());
  assert.equal(hit?.by, 'marker');
  assert.equal(hit?.line, lines[1]);
});

test('a log that drops the User-Agent is matched by the query marker', () => {
  const lines = [combined('/orders', 200, '-'), combined(`/orders?kubetrace=${T}`, 200, '-')];
  assert.equal(findProbeLine(lines, keys())?.line, lines[1]);
  assert.equal(findProbeLine(lines, keys())?.by, 'marker');
});

test('without any mark: method + path + status in the window, with the number of candidates', () => {
  const lines = [
    combined('/orders', 200, 'curl/8', 30), // too early
    combined('/orders', 404, 'curl/8'), // wrong status
    combined('/catalog', 200, 'curl/8'), // wrong path
    combined('/orders?x=1', 200, 'curl/8'),
    combined('/orders', 200, 'curl/8'),
  ];
  const hit = findProbeLine(lines, keys());
  assert.equal(hit?.by, 'time');
  assert.equal(hit?.candidates, 2);
  assert.equal(hit?.line, lines[4], 'the newest candidate');
  assert.equal(findProbeLine(lines.slice(0, 3), keys()), undefined);
});

test("property: a line carrying the probe's marker is always found, wherever it sits among other lines", () => {
  const otherLine = fc
    .tuple(fc.constantFrom('/orders', '/catalog', '/'), fc.constantFrom(200, 404, 503), fc.string({ maxLength: 30 }))
    .map(([p, s, ua]) => combined(p, s, ua.replace(/["\\\n\r]/g, '')));
  fc.assert(
    fc.property(
      fc.array(otherLine, { maxLength: 20 }),
      fc.nat(),
      fc.boolean(),
      fc.constantFrom(200, 301, 502),
      (others, at, byQuery, status) => {
        const mine = byQuery
          ? combined(withQueryMark('/orders', T), status, '-')
          : combined('/orders', status, probeUserAgent(T));
        const lines = [...others];
        lines.splice(at % (lines.length + 1), 0, mine);
        const hit = findProbeLine(lines, keys({ status }));
        assert.equal(hit?.line, mine);
        assert.equal(hit?.by, 'marker');
      },
    ),
  );
});
