// The closed-tree rule (src/core/trace/closed.ts) lets a trace be complete without a quiet period. It must never fire
// while a span of the tree is still to come: a property test over random span trees and random arrival orders, under
// the one assumption the rule rests on (each process exports its spans in the order they end, and a child ends
// inside its parent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { treeState } from '../../src/core/trace/closed';
import type { Layer, Span, SpanKind, SpanOrigin } from '../../src/core/trace/model';

const treeClosed = (spans: Span[]) => treeState(spans) === 'closed';

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

interface Made {
  span: Span;
  end: number;
  /** The process that exports it: 'client' (known at once), 'ingress' (one log line) or a service. */
  process: string;
}

function mk(p: {
  id: string;
  parent?: string;
  name: string;
  service: string;
  layer: Layer;
  kind: SpanKind;
  origin: SpanOrigin;
  attrs?: Record<string, string>;
}): Span {
  return {
    spanId: p.id,
    parentSpanId: p.parent,
    name: p.name,
    service: p.service,
    layer: p.layer,
    kind: p.kind,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    status: 'unset',
    attributes: p.attrs ?? {},
    events: [],
    links: [],
    origin: p.origin,
  };
}

/** A probe's tree: probe (+ phases), nginx with one attempt, the app's server span and what it calls. */
function randomTrace(r: () => number, uninstrumented: boolean) {
  const made: Made[] = [];
  let n = 0;
  const id = () => (++n).toString(16).padStart(16, '0');
  const root = mk({ id: id(), name: 'probe', service: 'kubetrace', layer: 'client', kind: 'client', origin: 'probe' });
  made.push({ span: root, end: 1000, process: 'client' });
  const nginx = mk({
    id: id(),
    parent: root.spanId,
    name: 'nginx',
    service: 'ingress',
    layer: 'ingress',
    kind: 'server',
    origin: 'nginx-log',
  });
  made.push({ span: nginx, end: 990, process: 'ingress' });
  const attempt = mk({
    id: id(),
    parent: nginx.spanId,
    name: 'upstream.attempt',
    service: 'ingress',
    layer: 'ingress',
    kind: 'client',
    origin: 'nginx-log',
  });
  made.push({ span: attempt, end: 980, process: 'ingress' });
  let services = 0;
  // A server span of `service` ending at `end`, with children that end inside it.
  const serve = (parent: string, service: string, end: number, depth: number, layer: Layer) => {
    const server = mk({ id: id(), parent, name: 'GET /', service, layer, kind: 'server', origin: 'otlp' });
    made.push({ span: server, end, process: service });
    const kids = Math.floor(r() * 4);
    let t = end - 1;
    for (let k = 0; k < kids && t > 1; k++) {
      const childEnd = t - r() * Math.min(t - 1, 50);
      const what = r();
      if (what < 0.4 && depth < 3) {
        const call = mk({
          id: id(),
          parent: server.spanId,
          name: 'GET',
          service,
          layer,
          kind: 'client',
          origin: 'otlp',
          attrs: { 'http.request.method': 'GET' },
        });
        made.push({ span: call, end: childEnd, process: service });
        serve(call.spanId, `svc${++services}`, childEnd - 0.1, depth + 1, 'downstream');
      } else if (what < 0.6) {
        const db = mk({
          id: id(),
          parent: server.spanId,
          name: 'SELECT',
          service,
          layer,
          kind: 'client',
          origin: 'otlp',
          attrs: { 'db.system': 'pg' },
        });
        made.push({ span: db, end: childEnd, process: service });
      } else {
        const inner = mk({
          id: id(),
          parent: server.spanId,
          name: 'work',
          service,
          layer,
          kind: 'internal',
          origin: 'otlp',
        });
        made.push({ span: inner, end: childEnd, process: service });
      }
      t = childEnd - 1;
    }
    if (uninstrumented && depth === 0) {
      const ext = mk({
        id: id(),
        parent: server.spanId,
        name: 'GET',
        service,
        layer,
        kind: 'client',
        origin: 'otlp',
        attrs: { 'url.full': 'http://x' },
      });
      made.push({ span: ext, end: Math.max(1, t - 0.5), process: service });
    }
  };
  serve(root.spanId, 'orders', 970, 0, 'app');
  return made;
}

/** Batches as they reach Kubetrace: each process exports in end order, cut at random; processes interleave. */
function arrivals(made: Made[], r: () => number): Span[][] {
  const byProcess = new Map<string, Made[]>();
  for (const m of made) if (m.process !== 'client') byProcess.set(m.process, [...(byProcess.get(m.process) ?? []), m]);
  const queues: Span[][][] = [];
  for (const [name, list] of byProcess) {
    list.sort((a, b) => a.end - b.end);
    if (name === 'ingress') {
      queues.push([list.map((m) => m.span)]); // one access-log line gives all its spans at once
      continue;
    }
    const batches: Span[][] = [];
    let cur: Span[] = [];
    for (const m of list) {
      cur.push(m.span);
      if (r() < 0.4) {
        batches.push(cur);
        cur = [];
      }
    }
    if (cur.length) batches.push(cur);
    queues.push(batches);
  }
  const out: Span[][] = [];
  while (queues.some((q) => q.length)) {
    const open = queues.filter((q) => q.length);
    out.push(open[Math.floor(r() * open.length)].shift()!);
  }
  return out;
}

const EXPECTED: Layer[] = ['client', 'ingress', 'app'];

test('property: a closed tree with every expected layer has every span (random trees, random arrival orders)', () => {
  fc.assert(
    fc.property(fc.integer(), fc.boolean(), (seed, uninstrumented) => {
      const r = rng(seed);
      const made = randomTrace(r, uninstrumented);
      const initial = made.filter((m) => m.process === 'client').map((m) => m.span);
      const got = [...initial];
      for (const batch of arrivals(made, r)) {
        got.push(...batch);
        const layers = new Set<Layer>(got.map((s) => (s.layer === 'downstream' ? 'app' : s.layer)));
        if (!EXPECTED.every((l) => layers.has(l))) continue;
        const state = treeState(got);
        if (state === 'closed')
          assert.equal(got.length, made.length, `closed with ${got.length} of ${made.length} spans`);
        // Whatever is still to come is known to be coming, so the collector waits the longer quiet period for it.
        if (got.length < made.length) assert.equal(state, 'pending');
      }
      // When everything is there, the rule must fire unless a call went to a service that sends no spans.
      assert.equal(treeState(got), uninstrumented ? 'pending' : 'closed');
    }),
    { numRuns: 500 },
  );
});

test('a client span of an HTTP call with no answer yet keeps the tree open; a database call does not', () => {
  const root = mk({ id: 'r', name: 'probe', service: 'c', layer: 'client', kind: 'client', origin: 'probe' });
  const app = mk({
    id: 'a',
    parent: 'r',
    name: 'GET /',
    service: 'orders',
    layer: 'app',
    kind: 'server',
    origin: 'otlp',
  });
  const call = mk({
    id: 'b',
    parent: 'a',
    name: 'GET',
    service: 'orders',
    layer: 'app',
    kind: 'client',
    origin: 'otlp',
    attrs: { 'http.method': 'GET' },
  });
  const db = mk({
    id: 'd',
    parent: 'a',
    name: 'SELECT',
    service: 'orders',
    layer: 'app',
    kind: 'client',
    origin: 'otlp',
    attrs: { 'db.system': 'pg', 'http.method': 'x' },
  });
  assert.equal(treeClosed([root, app, db]), true);
  assert.equal(treeClosed([root, app, call]), false);
  const answer = mk({
    id: 'i',
    parent: 'b',
    name: 'GET /stock',
    service: 'inventory',
    layer: 'downstream',
    kind: 'server',
    origin: 'otlp',
  });
  assert.equal(treeClosed([root, app, call, answer]), true);
  assert.equal(treeClosed([root, answer]), false, 'a named parent that has not arrived');
  assert.equal(treeClosed([]), false);
});

test('more than one upstream attempt never closes the tree: the quiet period decides', () => {
  const root = mk({ id: 'r', name: 'probe', service: 'c', layer: 'client', kind: 'client', origin: 'probe' });
  const nginx = mk({
    id: 'n',
    parent: 'r',
    name: 'nginx',
    service: 'ingress',
    layer: 'ingress',
    kind: 'server',
    origin: 'nginx-log',
  });
  const a1 = mk({
    id: 'a1',
    parent: 'n',
    name: 'upstream.attempt',
    service: 'ingress',
    layer: 'ingress',
    kind: 'client',
    origin: 'nginx-log',
  });
  const a2 = { ...a1, spanId: 'a2' };
  const app = mk({
    id: 'a',
    parent: 'r',
    name: 'GET /',
    service: 'orders',
    layer: 'app',
    kind: 'server',
    origin: 'otlp',
  });
  assert.equal(treeClosed([root, nginx, a1, app]), true);
  assert.equal(treeState([root, nginx, a1, a2, app]), 'open');
});
