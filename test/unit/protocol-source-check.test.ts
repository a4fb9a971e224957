// The host's check of an openSource request: only refs the current trace itself offers for that span.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findSpanSourceRef, sameSourceRef, spanSourceRefs } from '../../src/protocol/source-check';
import { IDS, NGINX_STEPS, probeTrace } from '../webview/fixtures';

test("every ref a span offers is found, and the trace's own copy is returned", () => {
  const trace = probeTrace();
  const nginx = trace.spans.find((s) => s.spanId === IDS.nginx)!;
  const refs = spanSourceRefs(nginx);
  // main + 2 more + 12 step sources + 1 ambiguous candidate
  assert.equal(refs.length, 1 + 2 + NGINX_STEPS.length + 1);
  for (const r of refs) {
    const found = findSpanSourceRef(trace, IDS.nginx, structuredClone(r));
    assert.deepEqual(found, r);
    assert.ok(found && refs.includes(found), 'an object of the trace, not the one from the message');
  }
});

test('refs of another span, changed refs and unknown spans are refused', () => {
  const trace = probeTrace();
  const orders = trace.spans.find((s) => s.spanId === IDS.orders)!;
  assert.equal(findSpanSourceRef(trace, IDS.nginx, orders.source!), undefined);
  assert.equal(findSpanSourceRef(trace, IDS.orders, { ...orders.source!, line: 43 }), undefined);
  assert.equal(findSpanSourceRef(trace, IDS.orders, { ...orders.source!, path: '/etc/passwd' }), undefined);
  assert.equal(findSpanSourceRef(trace, IDS.orders, { ...orders.source!, kind: 'nginx' }), undefined);
  const { function: _fn, ...noFunction } = orders.source!;
  assert.equal(findSpanSourceRef(trace, IDS.orders, noFunction), undefined);
  assert.equal(findSpanSourceRef(trace, 'ffffffffffffffff', orders.source!), undefined);
  // dns has no source at all
  assert.equal(findSpanSourceRef(trace, IDS.dns, orders.source!), undefined);
});

test("with a repeated span id (imports keep them), each copy's refs are accepted", () => {
  const trace = probeTrace();
  const copy = structuredClone(trace.spans.find((s) => s.spanId === IDS.orders)!);
  copy.source = { kind: 'app', path: 'other.js', line: 1 };
  trace.spans.push(copy);
  assert.ok(findSpanSourceRef(trace, IDS.orders, { kind: 'app', path: 'other.js', line: 1 }));
  assert.ok(
    findSpanSourceRef(trace, IDS.orders, {
      kind: 'app',
      path: 'services/orders/src/server.js',
      line: 42,
      function: 'handleOrders',
    }),
  );
});

test('sameSourceRef compares every field', () => {
  const a = { kind: 'nginx', path: 'p', line: 1, endLine: 2, function: 'f' } as const;
  assert.ok(sameSourceRef(a, { ...a }));
  for (const change of [
    { kind: 'app' },
    { path: 'q' },
    { line: 3 },
    { endLine: 4 },
    { function: 'g' },
    { line: undefined },
  ]) {
    assert.ok(!sameSourceRef(a, { ...a, ...change } as typeof a), JSON.stringify(change));
  }
});
