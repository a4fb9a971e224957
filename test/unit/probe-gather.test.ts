// The collector keeps what a source already delivered when its last poll is cut short by the collector's own
// stop (a trace backend read in flight when the trace became complete answers "cancelled", with no spans).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gather, type SpanFeed } from '../../src/core/probe/gather';
import type { Layer, SpanBatch, Span } from '../../src/core/trace/model';

const span = (id: string, layer: Layer, service: string): Span => ({
  spanId: id,
  name: 'x',
  service,
  layer,
  kind: 'server',
  startTimeUnixNano: '1',
  endTimeUnixNano: '2',
  status: 'unset',
  attributes: {},
  events: [],
  links: [],
  origin: 'jaeger',
});

/** Answers `first` once, then every later poll hangs until the collector aborts it and answers empty. */
function backendLike(name: string, first: Span[]): SpanFeed & { polls: number } {
  const src = {
    name,
    intervalMs: 1,
    polls: 0,
    async poll(signal: AbortSignal): Promise<SpanBatch> {
      src.polls++;
      if (src.polls === 1) return { spans: first, diagnostics: [] };
      await new Promise<void>((r) =>
        signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }),
      );
      return { spans: [], diagnostics: [{ code: 'backend-cancelled', severity: 'info', message: 'cancelled' }] };
    },
  };
  return src;
}

// A quiet period far longer than the poll interval, so the second poll is surely in flight on a busy CI machine.
test('a poll cancelled by the stop does not replace the spans that had arrived', async () => {
  // a1 names a parent that never comes, so the tree never closes and a quiet period decides (trace/closed.ts).
  const app = backendLike('jaeger', [
    { ...span('a1', 'app', 'orders'), parentSpanId: 'elsewhere' },
    span('d1', 'downstream', 'inventory'),
  ]);
  const got = await gather({
    feeds: [app],
    expected: ['client', 'app'],
    initial: [span('c1', 'client', 'client')],
    quietMs: 200,
    maxWaitMs: 3000,
  });
  assert.equal(got.complete, true);
  assert.ok(app.polls >= 2, 'the second poll was in flight when the collector stopped');
  assert.deepEqual(got.results.flatMap((r) => r.spans.map((s) => s.spanId)).sort(), ['a1', 'd1']);
  assert.deepEqual(got.missing, []);
});

test('a source whose only poll is cancelled still reports it (nothing earlier to keep)', async () => {
  const slow: SpanFeed = {
    name: 'slow backend',
    poll: (signal) =>
      new Promise((r) =>
        signal.addEventListener(
          'abort',
          () => r({ spans: [], diagnostics: [{ code: 'backend-cancelled', severity: 'info', message: 'cancelled' }] }),
          { once: true },
        ),
      ),
  };
  const t0 = performance.now();
  const got = await gather({
    feeds: [slow],
    expected: ['client'],
    initial: [span('c1', 'client', 'client')],
    quietMs: 20,
    maxWaitMs: 3000,
  });
  assert.ok(performance.now() - t0 < 2700, 'a hanging source does not hold the trace back to maxWaitMs (3 s)');
  assert.equal(got.complete, true);
  assert.deepEqual(
    got.results.flatMap((r) => r.diagnostics.map((d) => d.code)),
    ['backend-cancelled'],
  );
});

test('without the expected layer the collector gives up at maxWaitMs with what arrived', async () => {
  const app = backendLike('jaeger', [span('d1', 'downstream', 'inventory')]);
  const t0 = performance.now();
  const got = await gather({
    feeds: [app],
    expected: ['client', 'ingress'],
    initial: [span('c1', 'client', 'client')],
    quietMs: 10,
    maxWaitMs: 300,
  });
  const took = performance.now() - t0;
  assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
  assert.equal(got.complete, false);
  assert.deepEqual(got.missing, ['ingress']);
  assert.deepEqual(
    got.results.flatMap((r) => r.spans.map((s) => s.spanId)),
    ['d1'],
  );
});

/** Answers `first` until `afterMs` has passed since its first poll, then `first` plus `later`. */
function arrivesLater(name: string, first: Span[], later: Span[], afterMs: number): SpanFeed {
  let t0: number | undefined;
  return {
    name,
    intervalMs: 5,
    async poll(): Promise<SpanBatch> {
      t0 ??= performance.now();
      return { spans: performance.now() - t0 >= afterMs ? [...first, ...later] : first, diagnostics: [] };
    },
  };
}

test('a closed tree is complete without waiting for the quiet period', async () => {
  const root = span('c1', 'client', 'client');
  const app = { ...span('a1', 'app', 'orders'), parentSpanId: 'c1' };
  const got = await gather({
    feeds: [arrivesLater('jaeger', [app], [], 0)],
    expected: ['client', 'app'],
    initial: [root],
    quietMs: 60_000,
    maxWaitMs: 120_000,
  });
  assert.equal(got.complete, true);
  assert.ok(got.waitedMs < 30_000, `waited ${got.waitedMs} ms: the quiet period was not needed`);
});

test('while the answer to a call is on its way, the collector waits the longer quiet period for it', async () => {
  const root = span('c1', 'client', 'client');
  const app = { ...span('a1', 'app', 'orders'), parentSpanId: 'c1' };
  const call: Span = {
    ...span('a2', 'app', 'orders'),
    parentSpanId: 'a1',
    kind: 'client',
    attributes: { 'http.request.method': 'GET' },
  };
  // Arrives long after the short quiet period: only the pending rule keeps the collector waiting for it.
  const answer = { ...span('i1', 'downstream', 'inventory'), parentSpanId: 'a2' };
  const got = await gather({
    feeds: [arrivesLater('jaeger', [app, call], [answer], 300)],
    expected: ['client', 'app'],
    initial: [root],
    quietMs: 20,
    pendingQuietMs: 60_000,
    maxWaitMs: 120_000,
  });
  assert.equal(got.complete, true);
  assert.deepEqual(got.results.flatMap((r) => r.spans.map((s) => s.spanId)).sort(), ['a1', 'a2', 'i1']);
});
