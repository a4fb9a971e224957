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
  const app = backendLike('jaeger', [span('a1', 'app', 'orders'), span('d1', 'downstream', 'inventory')]);
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
