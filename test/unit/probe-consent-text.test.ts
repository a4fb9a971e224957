// The consent question shows the request's added headers and body with secrets redacted, and the With Options
// header line is parsed strictly: a part that is not `Name: value` is refused, never silently dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHeaderLine, requestDetail } from '../../src/core/probe/consent-text';

test('the consent detail lists headers (credentials redacted) and the body size with a redacted preview', () => {
  const d = requestDetail(
    { 'X-Tenant': 'gold', Authorization: 'Bearer abcdefghijkl' },
    '{"sku": "kt-1",\n "password": "pw1234"}',
  );
  assert.match(d, /^Headers: X-Tenant: gold; Authorization: \[redacted\] · Body: 38 bytes, \{"sku": "kt-1", /);
  assert.doesNotMatch(d, /abcdefghijkl|pw1234/);
  assert.equal(requestDetail(undefined, undefined), 'No extra headers, no body');
  assert.match(requestDetail({}, 'x'.repeat(500)), /^Body: 500 bytes, x{120}…$/);
});

test('the header line: Name: value parts separated by ;, values may hold colons, bad parts are refused', () => {
  assert.deepEqual(parseHeaderLine(''), { headers: {} });
  assert.deepEqual(parseHeaderLine(' X-Tenant: gold ; Accept:text/html; X-Time: 12:30 '), {
    headers: { 'X-Tenant': 'gold', Accept: 'text/html', 'X-Time': '12:30' },
  });
  for (const bad of ['novalue', ': empty-name', 'bad name: x', 'X-Ok: 1; oops'])
    assert.ok('error' in parseHeaderLine(bad), bad);
});

test('property: any line either parses into names that are HTTP tokens or names the part it refused', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (line) => {
      const r = parseHeaderLine(line);
      if ('error' in r) return assert.match(r.error, /is not Name: value$/);
      for (const [k, v] of Object.entries(r.headers)) {
        assert.match(k, /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
        assert.equal(v, v.trim());
        assert.ok(!v.includes(';'));
      }
    }),
    { numRuns: 500 },
  );
});
