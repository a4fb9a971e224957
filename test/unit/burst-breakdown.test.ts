// The request-set breakdown on hand-built requests (client -> nginx -> attempt -> orders -> inventory): layer time from
// the critical path, span rows, tail attribution and its sentence, failures, retries, pods, filters, the probe cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestBreakdown } from '../../src/core/burst/breakdown';
import { measureRequest, type RequestMeasure } from '../../src/core/burst/measure';
import { RequestRecords } from '../../src/core/burst/records';
import { compareBursts } from '../../src/core/burst/compare';
import { histogram } from '../../src/core/burst/histogram';
import { SampleStore, percentileOfSorted, stats } from '../../src/core/burst/stats';
import { at, shopRequest } from './burst-fixtures';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} != ${b}`);

test('nearest-rank percentiles: p50 of 1..10 is 5, p90 is 9, p99 is 10; one sample is every percentile', () => {
  assert.deepEqual(stats([3, 1, 2, 10, 9, 8, 7, 6, 5, 4]), { count: 10, p50: 5, p90: 9, p99: 10, max: 10 });
  assert.deepEqual(stats([7]), { count: 1, p50: 7, p90: 7, p99: 7, max: 7 });
  assert.deepEqual(stats([]), { count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  assert.ok(Number.isNaN(percentileOfSorted([], 50)));
  const s = new SampleStore(4); // several chunks
  for (let i = 100; i >= 1; i--) s.push(i);
  assert.equal(s.length, 100);
  assert.equal(s.get(0), 100);
  assert.deepEqual(stats(s), { count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
});

test('one request: each layer owns its critical-path time, summing to the duration; the ingress time before upstream is a row', () => {
  const { trace, request } = shopRequest({ total: 100, pod: 'orders-7d9f' });
  const m = measureRequest(trace, request);
  assert.equal(m.durationMs, 100);
  assert.deepEqual(m.layerMs, [10, 14, 16, 60]);
  assert.equal(m.pod, 'orders-7d9f');
  const b = new RequestBreakdown({ route: 'shop/orders' });
  b.add(trace, request);
  const r = b.report();
  assert.equal(r.route, 'shop/orders');
  assert.deepEqual(
    r.layers.map((l) => [l.layer, l.p50, l.share]),
    [
      ['client', 10, 0.1],
      ['ingress', 14, 0.14],
      ['app', 16, 0.16],
      ['downstream', 60, 0.6],
    ],
  );
  const row = (name: string) => r.spans.find((s) => s.name === name);
  assert.equal(row('SELECT stock')?.p50, 60);
  assert.equal(row('SELECT stock')?.service, 'inventory');
  assert.equal(row('nginx (before upstream)')?.p50, 5);
  assert.equal(row('nginx (before upstream)')?.layer, 'ingress');
  assert.equal(row('upstream.attempt')?.p50, 80);
  assert.deepEqual(r.pods, [{ pod: 'orders-7d9f', count: 1, p50: 100, p99: 100, errors: 0 }]);
  assert.equal(r.requests, 1);
  assert.equal(r.completed, 1);
  assert.equal(r.errors, 0);
  assert.equal(r.probes[0].traceId, request.traceId);
});

test('tail attribution: the slowest 1% spent its extra time in `SELECT stock`, and the sentence says so', () => {
  const b = new RequestBreakdown();
  for (let i = 0; i < 98; i++) {
    const { trace, request } = shopRequest({ total: 70, start: i * 10 });
    b.add(trace, request);
  }
  for (let i = 0; i < 2; i++) {
    const { trace, request } = shopRequest({ total: 480, start: 1000 + i * 10 });
    b.add(trace, request);
  }
  const r = b.report();
  assert.equal(r.tail.percentile, 99);
  assert.equal(r.tail.thresholdMs, 480);
  assert.equal(r.tail.medianMs, 70);
  close(r.tail.extraMs, 410, 'extra');
  assert.equal(r.tail.biggest?.service, 'inventory');
  assert.equal(r.tail.biggest?.name, 'SELECT stock');
  close(r.tail.biggest?.extraMs ?? 0, 410, 'biggest');
  assert.equal(r.tail.sentence, "p99 is 480 ms; 410 ms of the extra time is in inventory's `SELECT stock`");
  const down = r.tail.layers.find((l) => l.layer === 'downstream');
  close(down?.medianShare ?? 0, 30 / 70, 'median share');
  close(down?.tailShare ?? 0, 440 / 480, 'tail share');
  assert.deepEqual(
    r.tails.map((t) => t.percentile),
    [99, 95, 90],
  );
  // p90's threshold is a fast request: its tail is everything at or above 70 ms, i.e. every request.
  assert.equal(r.tails[2].thresholdMs, 70);
  assert.equal(r.rps, 100 / ((1010 + 480) / 1000));
  assert.equal(r.durationMs, 1490);
  assert.equal(
    r.histogram.reduce((n, h) => n + h.count, 0),
    100,
  );
});

test('identical requests: no extra time anywhere, no biggest contributor, and a set compared with itself is equal', () => {
  const b = new RequestBreakdown();
  for (let i = 0; i < 20; i++) {
    const { trace, request } = shopRequest({ total: 90, start: i });
    b.add(trace, request);
  }
  const r = b.report();
  for (const t of r.tails) {
    close(t.extraMs, 0, `p${t.percentile}`);
    assert.equal(t.biggest, undefined);
    for (const l of t.layers) close(l.delta, 0, l.layer);
  }
  assert.match(r.tail.sentence, /^p99 is 90 ms; the slowest 1% spent no time beyond the median request \(90 ms\)$/);
  assert.deepEqual(compareBursts(r, r), { equal: true, differences: [] });
  const none = new RequestBreakdown().report();
  assert.deepEqual(compareBursts(none, none), { equal: true, differences: [] });
  assert.deepEqual(compareBursts(none, r).differences.slice(0, 2), [
    { what: 'requests', a: 0, b: 20, severity: 'info' },
    { what: 'total', b: 90, severity: 'warning' },
  ]);
});

test('failures by layer: a 502 nginx made itself is the ingress, a 503 the app answered is the app, no answer is the client', () => {
  const b = new RequestBreakdown();
  const add = (x: ReturnType<typeof shopRequest>) => b.add(x.trace, x.request);
  add(shopRequest({ total: 50 }));
  add(shopRequest({ total: 50, status: 502, noApp: true }));
  add(shopRequest({ total: 50, status: 502, noApp: true }));
  add(shopRequest({ total: 50, status: 503 }));
  const start = at(5000);
  b.add(
    { traceId: 'e'.repeat(32), spans: [], criticalPath: [], diagnostics: [] },
    {
      traceId: 'e'.repeat(32),
      startUnixNano: start,
      durationMs: 3000,
      complete: false,
      newConnection: true,
      error: 'ECONNRESET',
    },
  );
  const r = b.report();
  assert.equal(r.errors, 4);
  assert.equal(r.completed, 4);
  assert.deepEqual(r.failures, [
    { status: 502, layer: 'ingress', count: 2 },
    { layer: 'client', count: 1, example: 'ECONNRESET' },
    { status: 503, layer: 'app', count: 1 },
  ]);
  // The request without a trace is all client time.
  const client = r.layers.find((l) => l.layer === 'client');
  assert.equal(client?.max, 3000);
  assert.deepEqual(b.report({ status: 'error' }).requests, 4);
  assert.deepEqual(b.report({ status: '5xx' }).requests, 3);
  assert.deepEqual(b.report({ status: 503 }).requests, 1);
  assert.deepEqual(b.report({ status: '2xx' }).requests, 1);
});

test('retries are counted by the upstream pod of each try that was retried', () => {
  const b = new RequestBreakdown();
  const add = (x: ReturnType<typeof shopRequest>) => b.add(x.trace, x.request);
  add(shopRequest({ total: 60, pod: 'orders-b', retriedPods: ['orders-a'] }));
  add(shopRequest({ total: 60, pod: 'orders-b', retriedPods: ['orders-a', 'orders-c'] }));
  add(shopRequest({ total: 60, pod: 'orders-a' }));
  const r = b.report();
  assert.deepEqual(r.retries, [
    { upstream: 'orders-a', retries: 2 },
    { upstream: 'orders-c', retries: 1 },
  ]);
  assert.deepEqual(
    r.pods.map((p) => [p.pod, p.count]),
    [
      ['orders-b', 2],
      ['orders-a', 1],
    ],
  );
  assert.equal(b.report({ upstream: 'orders-a' }).requests, 1);
  assert.equal(b.report({ upstream: 'nobody' }).requests, 0);
});

test('filters by path and time range keep only the matching requests', () => {
  const b = new RequestBreakdown();
  for (let i = 0; i < 10; i++) {
    const { trace, request } = shopRequest({ total: 50 + i, start: i * 100, path: i % 2 ? '/orders/1' : '/cart' });
    b.add(trace, request);
  }
  assert.equal(b.report({ path: 'orders' }).requests, 5);
  const r = b.report({ fromUnixNano: at(200), toUnixNano: at(400) });
  assert.deepEqual(
    r.probes.map((p) => p.startUnixNano),
    [at(200), at(300), at(400)],
  );
  assert.equal(b.report({ path: 'orders', fromUnixNano: at(200), toUnixNano: at(400) }).requests, 1);
});

test('a big set lists at most maxProbes requests (the slowest and failed ones among them) and says so', () => {
  const b = new RequestBreakdown({ maxProbes: 40 });
  for (let i = 0; i < 1000; i++) {
    const { trace, request } = shopRequest({ total: 50 + (i % 97), start: i, status: i % 100 === 7 ? 500 : 200 });
    b.add(trace, request);
  }
  const r = b.report();
  assert.equal(r.requests, 1000);
  assert.ok(r.probes.length <= 40 && r.probes.length >= 30, String(r.probes.length));
  assert.ok(r.probes.some((p) => p.durationMs === 146));
  assert.equal(r.probes.filter((p) => p.status === 500).length, 10);
  const starts = r.probes.map((p) => BigInt(p.startUnixNano));
  assert.deepEqual(
    starts,
    [...starts].sort((x, y) => (x < y ? -1 : 1)),
  );
  assert.ok(r.diagnostics.some((d) => d.code === 'burst-probes-capped'));
  assert.equal(r.errors, 10);
});

test('histogram: log-scale bins cover every duration once, each sqrt(2) wider than the last', () => {
  const h = histogram([1, 1.4, 1.5, 2, 3, 100]);
  assert.equal(h[0].lowerMs, 1);
  assert.equal(h[0].count, 2); // 1 and 1.4 are below sqrt(2)
  assert.equal(
    h.reduce((n, x) => n + x.count, 0),
    6,
  );
  for (let i = 1; i < h.length; i++) {
    assert.equal(h[i].lowerMs, h[i - 1].upperMs);
    assert.ok(Math.abs(h[i].upperMs / h[i].lowerMs - Math.SQRT2) < 1e-12);
  }
  assert.ok(h[h.length - 1].lowerMs <= 100 && 100 < h[h.length - 1].upperMs);
  assert.deepEqual(histogram([]), []);
  assert.equal(histogram([0])[0].lowerMs, 0);
});

test('compareBursts names the percentiles that moved and how much it matters', () => {
  const a = new RequestBreakdown();
  const b = new RequestBreakdown();
  for (let i = 0; i < 10; i++) {
    const x = shopRequest({ total: 70, start: i });
    a.add(x.trace, x.request);
    const y = shopRequest({ total: i < 5 ? 70 : 300, start: i });
    b.add(y.trace, y.request);
  }
  const c = compareBursts(a.report(), b.report());
  assert.equal(c.equal, false);
  const d = c.differences.find((x) => x.what === 'downstream inventory `SELECT stock` p99');
  assert.deepEqual(d, { what: 'downstream inventory `SELECT stock` p99', a: 30, b: 260, severity: 'error' });
  assert.ok(c.differences.some((x) => x.what === 'total p99' && x.a === 70 && x.b === 300));
  // The client layer's own time did not change (its span did: it lasts the whole request).
  assert.ok(!c.differences.some((x) => /^client p\d+$/.test(x.what)), 'the client layer did not change');
  assert.ok(c.differences.some((x) => x.what === 'client client `probe` p99'));
});

test('trace(id) asks the lookup it was given, and nothing when there is none', async () => {
  const { trace, request } = shopRequest({ total: 40 });
  const b = new RequestBreakdown({ lookup: async (id) => (id === trace.traceId ? trace : undefined) });
  b.add(trace, request);
  assert.equal(await b.trace(trace.traceId), trace);
  assert.equal(await b.trace('0'.repeat(31) + '1'), undefined);
  assert.equal(await new RequestBreakdown().trace(trace.traceId), undefined);
});

test('a completed request whose trace states no status (a trace file) is not a failure; an incomplete one is', () => {
  const b = new RequestBreakdown();
  const { trace, request } = shopRequest({ total: 40 });
  for (const s of trace.spans) delete s.attributes['http.response.status_code'];
  const { status: _status, ...noStatus } = request;
  b.add(trace, noStatus);
  assert.equal(b.report().errors, 0);
  assert.equal(b.report({ status: 'error' }).requests, 0);
  b.add(trace, { ...noStatus, complete: false });
  assert.deepEqual(b.report().failures, [{ layer: 'client', count: 1 }]);
  assert.equal(b.report({ status: 'error' }).requests, 1);
});

test('requests of one shape share it; a request whose span rows or owners differ in any key gets its own', () => {
  const rec = new RequestRecords();
  const m = (spans: [string, number][], owned: [string, number][]): RequestMeasure => ({
    durationMs: 10,
    startNs: 1_795_773_600_000_000_000n,
    layerMs: [4, 6, 0, 0],
    spans,
    owned: new Map(owned),
    retried: [],
  });
  const r = { traceId: 'a'.repeat(32), startUnixNano: '1', durationMs: 10, complete: true, newConnection: false };
  const requests = [
    m(
      [
        ['c\0client\0probe', 10],
        ['i\0nginx\0nginx', 6],
      ],
      [
        ['c\0client\0probe', 4],
        ['i\0nginx\0nginx', 6],
      ],
    ),
    m(
      [
        ['c\0client\0probe', 9],
        ['i\0nginx\0nginx', 5],
      ],
      [
        ['c\0client\0probe', 4],
        ['i\0nginx\0nginx', 6],
      ],
    ),
    // Same counts and span rows, another owner: a shape of its own.
    m(
      [
        ['c\0client\0probe', 9],
        ['i\0nginx\0nginx', 5],
      ],
      [
        ['c\0client\0probe', 4],
        ['i\0nginx\0attempt', 6],
      ],
    ),
    // Same counts and owners, another span row.
    m(
      [
        ['c\0client\0probe', 9],
        ['i\0nginx\0other', 5],
      ],
      [
        ['c\0client\0probe', 4],
        ['i\0nginx\0attempt', 6],
      ],
    ),
    m(
      [
        ['c\0client\0probe', 10],
        ['i\0nginx\0nginx', 6],
      ],
      [
        ['c\0client\0probe', 4],
        ['i\0nginx\0nginx', 6],
      ],
    ),
  ];
  for (const q of requests) rec.add(q, r);
  const names = (ids: number[]) => ids.map((k) => rec.keys.values[k]);
  const shapes = requests.map((_, i) => rec.shapeOf(i));
  assert.equal(shapes[0], shapes[1]);
  assert.equal(shapes[0], shapes[4]);
  assert.notEqual(shapes[1], shapes[2]);
  assert.notEqual(shapes[2], shapes[3]);
  requests.forEach((q, i) => {
    assert.deepEqual(
      names(shapes[i].spans),
      q.spans.map(([k]) => k),
      `request ${i}`,
    );
    assert.deepEqual(names(shapes[i].owned), [...q.owned.keys()], `request ${i}`);
  });
});
