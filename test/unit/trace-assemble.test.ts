import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../../src/core/trace/assemble';
import { criticalPath } from '../../src/core/trace/critical-path';
import type { CriticalSection, Span } from '../../src/core/trace/model';

/** The spans on the path, each once, in the order the path first reaches them. */
const pathIds = (path: CriticalSection[]) => [...new Set(path.map((c) => c.spanId))];

const ms = (n: number) => String(1_700_000_000_000_000_000n + BigInt(Math.round(n * 1e6)));
function span(p: Partial<Span> & { spanId: string; s: number; e: number }): Span {
  const { s, e, ...rest } = p;
  return {
    name: rest.spanId,
    service: 'x',
    layer: 'app',
    kind: 'internal',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
    startTimeUnixNano: ms(s),
    endTimeUnixNano: ms(e),
    ...rest,
  };
}

test('app server span is hung under the nginx attempt; callees become downstream', () => {
  const probe = span({
    spanId: 'p',
    s: 0,
    e: 100,
    service: 'client',
    layer: 'client',
    kind: 'client',
    origin: 'probe',
  });
  const nginx = span({
    spanId: 'n',
    parentSpanId: 'p',
    s: 5,
    e: 95,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: 'server',
    origin: 'nginx-log',
    name: 'nginx',
  });
  const attempt = span({
    spanId: 'a',
    parentSpanId: 'n',
    s: 10,
    e: 90,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: 'client',
    origin: 'nginx-log',
    name: 'upstream.attempt',
  });
  const orders = span({ spanId: 'o', parentSpanId: 'p', s: 20, e: 80, service: 'orders', kind: 'server' });
  const inv = span({ spanId: 'i', parentSpanId: 'o', s: 30, e: 60, service: 'inventory', kind: 'server' });
  const t = assemble([{ spans: [probe, nginx, attempt, orders, inv], diagnostics: [] }], {
    traceId: 't',
    rootSpanId: 'p',
  });
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  assert.equal(by.get('o')!.parentSpanId, 'a');
  assert.equal(by.get('o')!.attributes['kubetrace.parent.original'], 'p');
  assert.equal(by.get('o')!.layer, 'app');
  assert.equal(by.get('i')!.layer, 'downstream');
  assert.deepEqual(pathIds(t.criticalPath), ['p', 'n', 'a', 'o', 'i']);
});

test('duplicates merge, keeping the richer origin and both event sets', () => {
  const a = span({
    spanId: 's1',
    s: 0,
    e: 10,
    origin: 'app-log',
    attributes: { from: 'log' },
    events: [{ timeUnixNano: ms(1), name: 'log', attributes: {} }],
  });
  const b = span({ spanId: 's1', s: 0, e: 10, origin: 'otlp', attributes: { 'http.route': '/x' } });
  const t = assemble(
    [
      { spans: [a], diagnostics: [] },
      { spans: [b], diagnostics: [] },
    ],
    { traceId: 't' },
  );
  assert.equal(t.spans.length, 1);
  assert.equal(t.spans[0].origin, 'otlp');
  assert.equal(t.spans[0].attributes.from, 'log');
  assert.equal(t.spans[0].attributes['http.route'], '/x');
  assert.equal(t.spans[0].events.length, 1);
});

test('a child from another host that starts before its parent is moved inside it', () => {
  const parent = span({ spanId: 'p', s: 100, e: 200, service: 'orders', layer: 'app', kind: 'client' });
  const child = span({ spanId: 'c', parentSpanId: 'p', s: 50, e: 90, service: 'inventory', kind: 'server' });
  const grandchild = span({ spanId: 'g', parentSpanId: 'c', s: 60, e: 70, service: 'inventory' });
  const t = assemble([{ spans: [parent, child, grandchild], diagnostics: [] }], { traceId: 't' });
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  const c = by.get('c')!,
    g = by.get('g')!;
  assert.ok(BigInt(c.startTimeUnixNano) >= BigInt(parent.startTimeUnixNano));
  assert.ok(BigInt(c.endTimeUnixNano) <= BigInt(parent.endTimeUnixNano));
  assert.equal(BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano), 40_000_000n, 'durations are kept');
  assert.equal(BigInt(g.startTimeUnixNano) - BigInt(c.startTimeUnixNano), 10_000_000n, 'the subtree moves with it');
  assert.ok(t.diagnostics.some((d) => d.code === 'clock-skew' && d.spanId === 'c'));
});

test('orphans attach under the closest layer, with a diagnostic', () => {
  const probe = span({
    spanId: 'p',
    s: 0,
    e: 100,
    service: 'client',
    layer: 'client',
    kind: 'client',
    origin: 'probe',
  });
  const app = span({ spanId: 'o', parentSpanId: 'p', s: 10, e: 90, service: 'orders', kind: 'server' });
  const lost = span({ spanId: 'l', parentSpanId: 'missing', s: 20, e: 30, service: 'inventory', kind: 'server' });
  const t = assemble([{ spans: [probe, app, lost], diagnostics: [] }], { traceId: 't', rootSpanId: 'p' });
  const l = t.spans.find((s) => s.spanId === 'l')!;
  assert.equal(l.parentSpanId, 'o');
  assert.ok(t.diagnostics.some((d) => d.code === 'orphan-span' && d.spanId === 'l'));
});

test('critical path skips children the parent did not wait for', () => {
  const spans = [
    span({ spanId: 'r', s: 0, e: 100 }),
    span({ spanId: 'a', parentSpanId: 'r', s: 0, e: 40 }),
    span({ spanId: 'b', parentSpanId: 'r', s: 10, e: 30 }), // overlaps a, ends before a: not waited for
    span({ spanId: 'c', parentSpanId: 'r', s: 50, e: 95 }),
  ];
  assert.deepEqual(pathIds(criticalPath(spans, 'r').sections), ['r', 'a', 'c']);
});
