// The probe's request headers (src/core/probe/send.ts `probeHeaders`), built with loops since a burst builds them for
// every request: property test against the spread of objects they were built with before (fast-check prints the
// seed of a failure). Same names, values and order; the trace context always the probe's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { probeHeaders } from '../../src/core/probe/send';
import { probeUserAgent } from '../../src/core/probe/mark';
import { traceparent } from '../../src/core/ids';

const ids = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', rootSpanId: '00f067aa0ba902b7', requestId: 'req-1' };

// What the headers were: an object spread, names lower-cased with Object.fromEntries.
function spread(extra?: Record<string, string>, user?: Record<string, string>): Record<string, string> {
  return {
    'user-agent': probeUserAgent(ids.traceId),
    accept: '*/*',
    ...Object.fromEntries(Object.entries(extra ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    ...Object.fromEntries(Object.entries(user ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    traceparent: traceparent(ids.traceId, ids.rootSpanId),
    'x-request-id': ids.requestId,
  };
}

const name = fc.oneof(
  fc.constantFrom('User-Agent', 'accept', 'Accept', 'TraceParent', 'x-request-id', 'X-Request-Id', '__proto__'),
  fc.constantFrom('constructor', 'toString', 'Authorization', 'x-a', 'X-A', 'host'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/),
);
const headers = fc.option(fc.dictionary(name, fc.string({ maxLength: 8 }), { maxKeys: 6 }), { nil: undefined });

test('the headers are the old spread of them: same names, values and order', () => {
  fc.assert(
    fc.property(headers, headers, (extra, user) => {
      const got = probeHeaders(ids, extra, user);
      const want = spread(extra, user);
      assert.deepEqual(Object.entries(got), Object.entries(want));
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
      assert.equal(got.traceparent, traceparent(ids.traceId, ids.rootSpanId));
    }),
    { numRuns: 500 },
  );
});

test('a user header named __proto__ is sent like any other, and changes nothing else', () => {
  const got = probeHeaders(ids, undefined, { __proto__x: '1', ['__proto__']: 'v' } as Record<string, string>);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.ok(Object.keys(got).includes('__proto__'));
});
