// Assembly respects precision: millisecond spans from logs sit inside the finer window that must contain them when
// that fits within their resolution, silently; only larger offsets are clock skew, and say which source is coarse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assemble } from '../../src/core/trace/assemble';
import type { Span, Trace } from '../../src/core/trace/model';

// A whole millisecond; the probe's own times are offset from it by fractions, as a high-resolution clock gives.
const T0 = 1_764_000_000_000_000_000n;
const ns = (ms: number) => String(T0 + BigInt(Math.round(ms * 1e6)));
const msOf = (v: string) => Number(BigInt(v) - T0) / 1e6;

function span(p: Partial<Span> & { spanId: string; s: number; e: number }): Span {
  const { s, e, ...rest } = p;
  return {
    name: rest.spanId,
    service: 'orders',
    layer: 'app',
    kind: 'server',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
    startTimeUnixNano: ns(s),
    endTimeUnixNano: ns(e),
    ...rest,
  };
}
const client = (id: string, s: number, e: number, parent?: string) =>
  span({
    spanId: id,
    name: id,
    parentSpanId: parent,
    s,
    e,
    service: 'client',
    layer: 'client',
    kind: parent ? 'internal' : 'client',
    origin: 'probe',
  });
const log = (id: string, name: string, s: number, e: number, parent: string, kind: Span['kind'] = 'internal') =>
  span({
    spanId: id,
    name,
    parentSpanId: parent,
    s,
    e,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind,
    origin: 'nginx-log',
  });

/** Every span lies inside its parent, up to `slackMs`. */
function assertNested(t: Trace, slackMs = 0): void {
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  for (const s of t.spans) {
    const p = s.parentSpanId ? by.get(s.parentSpanId) : undefined;
    if (!p) continue;
    const early = msOf(p.startTimeUnixNano) - msOf(s.startTimeUnixNano);
    const late = msOf(s.endTimeUnixNano) - msOf(p.endTimeUnixNano);
    assert.ok(
      early <= slackMs + 1e-9 && late <= slackMs + 1e-9,
      `${s.name} [${msOf(s.startTimeUnixNano)}, ${msOf(s.endTimeUnixNano)}] is outside ${p.name} ` +
        `[${msOf(p.startTimeUnixNano)}, ${msOf(p.endTimeUnixNano)}]`,
    );
  }
}
const layerMs = (t: Trace, layer: Span['layer']) => {
  const top = t.spans.filter(
    (s) => s.layer === layer && !t.spans.some((p) => p.spanId === s.parentSpanId && p.layer === layer),
  );
  return top.reduce((n, s) => n + msOf(s.endTimeUnixNano) - msOf(s.startTimeUnixNano), 0);
};

test('catalog: an nginx span starting 0.5 ms before the probe is placed inside it, silently', () => {
  const spans = [
    client('probe', 0.137, 12.923),
    client('connect', 0.137, 0.485, 'probe'),
    client('request', 0.485, 0.858, 'probe'),
    client('ttfb', 0.858, 11.93, 'probe'),
    client('download', 11.93, 12.923, 'probe'),
    log('n', 'nginx', -0.363, 1.637, 'probe', 'server'),
    log('a', 'upstream.attempt', -0.363, 1.637, 'n', 'client'),
    span({
      spanId: 'app',
      name: 'GET /catalog',
      parentSpanId: 'a',
      s: 0.302,
      e: 1.635,
      service: 'catalog',
      origin: 'app-log',
    }),
  ];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  assertNested(t);
  assert.deepEqual(
    t.diagnostics.filter((d) => d.code === 'clock-skew' || d.code === 'coarse-span-scaled'),
    [],
  );
  const nginx = t.spans.find((s) => s.name === 'nginx')!;
  assert.equal(msOf(nginx.endTimeUnixNano) - msOf(nginx.startTimeUnixNano), 2, 'its duration is kept');
});

test('POST orders: a 13.0 ms nginx span in a 10.1 ms exchange is fitted, and the note names the access log', () => {
  const spans = [
    client('probe', 0.21, 10.31),
    client('connect', 0.21, 0.5, 'probe'),
    client('tls', 0.5, 2.1, 'probe'),
    client('request', 2.1, 2.6, 'probe'),
    client('ttfb', 2.6, 9.8, 'probe'),
    client('download', 9.8, 10.31, 'probe'),
    // Ends 3.8 ms after the client's last byte; the attempt starts after its own child app span.
    log('n', 'nginx', 1.11, 14.11, 'probe', 'server'),
    log('a', 'upstream.attempt', 8.11, 14.11, 'n', 'client'),
    log('h', 'upstream.header', 8.11, 13.11, 'a'),
    span({ spanId: 'app', name: 'POST /orders', parentSpanId: 'probe', s: 5.37, e: 8.92 }),
  ];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  assertNested(t);
  assert.ok(layerMs(t, 'ingress') <= layerMs(t, 'client'), 'ingress time no longer than the client exchange');
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  assert.ok(
    BigInt(by.get('n')!.startTimeUnixNano) >= BigInt(by.get('request')!.startTimeUnixNano),
    'nginx does not start before the client has connected and sent its request',
  );
  const note = t.diagnostics.find((d) => d.code === 'coarse-span-scaled' && d.spanId === 'n');
  assert.match(note?.message ?? '', /13\.00 ms by the access log \(1\.00 ms resolution\).*10\.10 ms/);
  assert.ok(!t.diagnostics.some((d) => /clocks of the two hosts/.test(d.hint ?? '')), 'no talk of two hosts');
});

test('shop-api /inventory/stock: a 3.83 ms app span under a 3.51 ms client request ends up inside it', () => {
  const spans = [
    client('probe', 0.4, 3.91),
    client('connect', 0.4, 0.7, 'probe'),
    client('request', 0.7, 0.9, 'probe'),
    client('ttfb', 0.9, 3.75, 'probe'),
    client('download', 3.75, 3.91, 'probe'),
    log('n', 'nginx', 0.7, 3.7, 'probe', 'server'),
    log('a', 'upstream.attempt', 0.7, 3.7, 'n', 'client'),
    // OpenTelemetry JS stamps the start with Date.now(): a whole millisecond, so 1 ms resolution.
    span({ spanId: 'app', name: 'GET /inventory/stock', parentSpanId: 'probe', s: 0, e: 3.83, service: 'inventory' }),
  ];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  assertNested(t);
  assert.ok(layerMs(t, 'app') <= layerMs(t, 'client'));
  assert.deepEqual(
    t.diagnostics.filter((d) => d.code === 'clock-skew'),
    [],
  );
});

test('shop-api under load: an app span closed after its response left, longer than the whole exchange, is cut', () => {
  const spans = [
    client('probe', 0.4, 3.91),
    client('connect', 0.4, 0.7, 'probe'),
    client('request', 0.7, 0.9, 'probe'),
    client('ttfb', 0.9, 3.75, 'probe'),
    client('download', 3.75, 3.91, 'probe'),
    log('n', 'nginx', 0.7, 3.7, 'probe', 'server'),
    log('a', 'upstream.attempt', 0.7, 3.7, 'n', 'client'),
    // 4 ms, ending 1.1 ms after the client's last byte: its SDK closed it on the response's `finish` event.
    span({ spanId: 'app', name: 'GET /inventory/stock', parentSpanId: 'probe', s: 1, e: 5, service: 'inventory' }),
    span({
      spanId: 'db',
      name: 'SELECT stock',
      parentSpanId: 'app',
      s: 1.5,
      e: 4.8,
      service: 'inventory',
      kind: 'internal',
    }),
  ];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  assertNested(t);
  const app = t.spans.find((s) => s.spanId === 'app')!;
  assert.equal(msOf(app.startTimeUnixNano), 1, 'its start is kept');
  const note = t.diagnostics.find((d) => d.code === 'span-clipped' && d.spanId === 'app');
  assert.match(note?.message ?? '', /lasts 4\.00 ms, longer than the whole client "probe" \(3\.51 ms\)/);
  assert.equal(t.criticalPath.filter((c) => c.spanId === 'app').length > 0, true, 'the app is on the path');
});

// CI run 27: orders' client span for its call to inventory ended before inventory's server span did. Both are
// OpenTelemetry JS spans (whole-millisecond starts); inventory closed its span 1.5 ms after its response left.
test('orders → inventory under load: a server span outlasting the client call it answered is cut at its end', () => {
  const orders = { service: 'orders', origin: 'otlp' as const };
  const spans = [
    client('probe', 0.4, 9.91),
    client('request', 0.7, 0.9, 'probe'),
    span({ ...orders, spanId: 'o', name: 'GET /orders', parentSpanId: 'probe', s: 1, e: 8 }),
    span({ ...orders, spanId: 'call', name: 'GET', parentSpanId: 'o', kind: 'client', s: 2, e: 5.2 }),
    span({ spanId: 'inv', name: 'GET /inventory/stock', parentSpanId: 'call', service: 'inventory', s: 2, e: 6.7 }),
    span({ spanId: 'q', name: 'stock', parentSpanId: 'inv', service: 'inventory', kind: 'internal', s: 3, e: 6.5 }),
  ];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  assertNested(t);
  const inv = t.spans.find((s) => s.spanId === 'inv')!;
  assert.deepEqual([msOf(inv.startTimeUnixNano), msOf(inv.endTimeUnixNano)], [2, 5.2], 'its start is kept');
  const note = t.diagnostics.find((d) => d.code === 'span-clipped' && d.spanId === 'inv');
  assert.match(note?.message ?? '', /lasts 4\.70 ms, longer than the whole orders "GET" \(3\.20 ms\)/);
});

// Asynchronous work in another service (a consumer after its producer) may outlive its parent; it is not cut.
test('a consumer span outliving the producer span that started it is left as it is', () => {
  const spans = [
    client('probe', 0.4, 9.91),
    span({ spanId: 'o', name: 'POST /orders', parentSpanId: 'probe', s: 1, e: 8 }),
    span({ spanId: 'send', name: 'publish', parentSpanId: 'o', kind: 'producer', s: 2, e: 3 }),
    span({ spanId: 'recv', name: 'process', parentSpanId: 'send', service: 'mailer', kind: 'consumer', s: 2, e: 40 }),
  ];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  const recv = t.spans.find((s) => s.spanId === 'recv')!;
  assert.deepEqual([msOf(recv.startTimeUnixNano), msOf(recv.endTimeUnixNano)], [2, 40]);
  assert.ok(!t.diagnostics.some((d) => d.spanId === 'recv' && d.code === 'span-clipped'));
});

test('an offset beyond the resolution is clock skew: corrected, with a note naming the coarse source and the offset', () => {
  const spans = [client('probe', 0.21, 50.31), log('n', 'nginx', -4.79, 40.21, 'probe', 'server')];
  const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
  assertNested(t);
  const d = t.diagnostics.find((x) => x.code === 'clock-skew' && x.spanId === 'n');
  assert.match(d?.message ?? '', /started 5\.00 ms before its parent.*1\.00 ms resolution of the access log/);
});

// Random probes: a true timeline, then what each source reports of it (logs in whole ms with rounding error,
// OTel JS with a whole-ms start). After assembly no child is outside its parent by more than the resolution.
test('property: no child ends up outside its parent by more than the coarse source’s resolution', () => {
  const arb = fc.record({
    probeStart: fc.integer({ min: 0, max: 999_999 }), // ns past a whole ms
    phases: fc.array(fc.integer({ min: 50_000, max: 3_000_000 }), { minLength: 5, maxLength: 5 }),
    nginxIn: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    attemptIn: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    appIn: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    logErr: fc.tuple(fc.integer({ min: -999_999, max: 999_999 }), fc.integer({ min: -999_999, max: 999_999 })),
    otelJs: fc.boolean(),
    // An app that closes its span on the response's `finish` event can end it after the client's last byte.
    appLate: fc.integer({ min: 0, max: 6_000_000 }),
    appFromLog: fc.boolean(),
    // The app calls another instrumented service, which can also close its span late.
    callIn: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    downIn: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    downLate: fc.integer({ min: 0, max: 6_000_000 }),
  });
  fc.assert(
    fc.property(arb, (r) => {
      const p0 = T0 + 5_000_000n + BigInt(r.probeStart);
      const cuts = [p0];
      for (const d of r.phases) cuts.push(cuts[cuts.length - 1] + BigInt(d));
      const within = (a: bigint, b: bigint, [x, y]: [number, number]): [bigint, bigint] => {
        const len = Number(b - a);
        const lo = Math.min(x, y) * len;
        const hi = Math.max(x, y) * len;
        return [a + BigInt(Math.floor(lo)), a + BigInt(Math.floor(hi))];
      };
      // The truth: nginx inside the request..download window, the attempt inside nginx, the app inside the attempt.
      const [ns0, ne0] = within(cuts[2], cuts[5], r.nginxIn);
      const [as0, ae0] = within(ns0, ne0, r.attemptIn);
      const [ps0, pe0] = within(as0, ae0, r.appIn);
      // What the access log says: $msec to the ms, durations to the ms, both off by up to a rounding step.
      const ms = 1_000_000n;
      const roundMs = (x: bigint) => ((x + ms / 2n) / ms) * ms;
      const nEnd = roundMs(ne0 + BigInt(r.logErr[0]));
      const nStart = nEnd - roundMs(ne0 - ns0);
      const aStart = nEnd - roundMs(ae0 - as0 + BigInt(r.logErr[1]) / 2n);
      const appStart = r.otelJs ? (ps0 / ms) * ms : ps0;
      const s = (id: string, a: bigint, b: bigint, more: Partial<Span>): Span => ({
        ...span({ spanId: id, s: 0, e: 0, ...more }),
        startTimeUnixNano: String(a),
        endTimeUnixNano: String(b < a ? a : b),
      });
      const c = { service: 'client', layer: 'client' as const, origin: 'probe' as const };
      const g = { service: 'ingress-nginx', layer: 'ingress' as const, origin: 'nginx-log' as const };
      const spans = [
        s('probe', cuts[0], cuts[5], { ...c, kind: 'client' }),
        ...['connect', 'tls', 'request', 'ttfb', 'download'].map((n, i) =>
          s(n, cuts[i], cuts[i + 1], { ...c, name: n, parentSpanId: 'probe', kind: 'internal' }),
        ),
        s('nginx', nStart, nEnd, { ...g, name: 'nginx', parentSpanId: 'probe', kind: 'server' }),
        s('attempt', aStart < nStart ? nStart : aStart, nEnd, {
          ...g,
          name: 'upstream.attempt',
          parentSpanId: 'nginx',
          kind: 'client',
        }),
        s('app', appStart, appStart + (pe0 - ps0) + BigInt(r.appLate), {
          parentSpanId: 'probe',
          origin: r.appFromLog ? 'app-log' : 'otlp',
        }),
      ];
      if (!r.appFromLog) {
        const [cs0, ce0] = within(ps0, pe0, r.callIn);
        const [ds0, de0] = within(cs0, ce0, r.downIn);
        const stamp = (x: bigint) => (r.otelJs ? (x / ms) * ms : x);
        spans.push(
          s('call', stamp(cs0), stamp(cs0) + (ce0 - cs0), { name: 'GET', parentSpanId: 'app', kind: 'client' }),
          s('down', stamp(ds0), stamp(ds0) + (de0 - ds0) + BigInt(r.downLate), {
            service: 'inventory',
            parentSpanId: 'call',
          }),
        );
      }
      const t = assemble([{ spans, diagnostics: [] }], { traceId: 't', rootSpanId: 'probe' });
      assertNested(t, 1);
    }),
    { numRuns: 400 },
  );
});
