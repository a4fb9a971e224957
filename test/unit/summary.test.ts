// The summary an agent reads: short whatever the trace's size, no secrets, critical path order kept, sources named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { summarizeTrace, traceFacts, SUMMARY_MAX_LINES } from '../../src/core/summary';
import type { Diagnostic, Layer, Span, Trace } from '../../src/core/trace/model';

const MS = 1_000_000n;
const T0 = 1_764_000_000_000_000_000n;

const section = (spanId: string, index: number, from: bigint, to: bigint) => ({
  spanId,
  index,
  startTimeUnixNano: `${T0 + from * MS}`,
  endTimeUnixNano: `${T0 + to * MS}`,
});

function span(id: string, parent: string | undefined, o: Partial<Span> & { at: bigint; ms: bigint }): Span {
  const { at, ms, ...rest } = o;
  return {
    spanId: id,
    parentSpanId: parent,
    name: id,
    service: 'client',
    layer: 'client',
    kind: 'internal',
    startTimeUnixNano: `${T0 + at * MS}`,
    endTimeUnixNano: `${T0 + (at + ms) * MS}`,
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'probe',
    ...rest,
  };
}

/** A probe through nginx to orders and inventory, the shape the sandbox gives. */
function ordersTrace(): Trace {
  const spans = [
    span('p', undefined, {
      name: 'probe',
      at: 0n,
      ms: 100n,
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'https://alice:pw@shop.test/orders?token=abc&sku=1',
        'http.response.status_code': 200,
        'kubetrace.probe.target': 'load-balancer',
      },
    }),
    span('c', 'p', { name: 'connect', at: 0n, ms: 5n }),
    span('t', 'p', { name: 'ttfb', at: 5n, ms: 90n }),
    span('d', 'p', { name: 'download', at: 95n, ms: 5n }),
    span('n', 'p', {
      name: 'nginx',
      service: 'ingress-nginx',
      layer: 'ingress',
      at: 6n,
      ms: 88n,
      source: {
        kind: 'nginx',
        path: '/cache/nginx-1.22.1/src/http/ngx_http_request.c',
        line: 2033,
        function: 'ngx_http_process_request',
      },
    }),
    span('a', 'n', {
      name: 'GET /orders',
      service: 'orders',
      layer: 'app',
      at: 10n,
      ms: 80n,
      source: { kind: 'app', path: '/ws/src/sandbox/apps/orders/server.js', line: 59, function: 'listOrders' },
    }),
    span('i', 'a', {
      name: 'GET /inventory/stock',
      service: 'inventory',
      layer: 'downstream',
      at: 20n,
      ms: 30n,
      source: { kind: 'app', path: '/ws/src/sandbox/apps/inventory/server.js', line: 21, function: 'lookupStock' },
    }),
  ];
  return {
    traceId: 'ab'.repeat(16),
    spans,
    // The probe owns nothing (its phases cover it); connect, ttfb and download own their windows.
    criticalPath: [
      section('p', 0, 0n, 0n),
      section('c', 1, 0n, 5n),
      section('t', 2, 5n, 95n),
      section('d', 3, 95n, 100n),
    ],
    diagnostics: [{ code: 'clock-skew', severity: 'info', message: 'moved 1 ms', hint: 'clocks differ' }],
  };
}

test('the summary names status, time, the critical path, each layer and the source lines', () => {
  const text = summarizeTrace(ordersTrace(), { workspaceFolders: ['/ws'] });
  const lines = text.split('\n');
  assert.match(
    lines[0],
    /^trace a[b]{1}(ab){15} · HTTP 200 · total 100\.0 ms · 7 spans · layers client, ingress, app, downstream$/,
  );
  assert.equal(lines[1], 'request: GET https://shop.test/orders?token=[redacted]&sku=… via load-balancer');
  assert.match(text, /critical path.*\n {2}client {5}probe {2}100\.0 ms {2}owns 0\.0 µs 0%\n/);
  assert.match(text, /client {5}ttfb {2}90\.0 ms {2}owns 90\.0 ms 90%/);
  assert.match(
    text,
    /ingress-nginx nginx {2}88\.0 ms {2}nginx-1\.22\.1\/src\/http\/ngx_http_request\.c:2033 ngx_http_process_request/,
  );
  assert.match(text, /orders GET \/orders {2}80\.0 ms {2}src\/sandbox\/apps\/orders\/server\.js:59 listOrders/);
  assert.match(text, /inventory GET \/inventory\/stock .*src\/sandbox\/apps\/inventory\/server\.js:21 lookupStock/);
  assert.match(text, /info clock-skew: moved 1 ms \(hint: clocks differ\)/);
  assert.ok(!text.includes('alice') && !text.includes('pw@') && !text.includes('abc'), text);
});

test('errors are listed with their exception and source; diagnostics by severity with hints', () => {
  const t = ordersTrace();
  const app = t.spans.find((s) => s.spanId === 'a')!;
  app.status = 'error';
  app.events.push({
    timeUnixNano: app.endTimeUnixNano,
    name: 'exception',
    attributes: { 'exception.type': 'Error', 'exception.message': 'inventory down' },
  });
  t.diagnostics.push({
    code: 'app-spans-missing',
    severity: 'warning',
    message: 'no spans',
    hint: 'check the exporter',
  });
  const text = summarizeTrace(t, { workspaceFolders: ['/ws'] });
  assert.match(
    text,
    /errors \(1 spans\):\n {2}app {8}orders GET \/orders: Error: inventory down {2}src\/sandbox\/apps\/orders\/server\.js:59/,
  );
  assert.ok(text.indexOf('warning app-spans-missing') < text.indexOf('info clock-skew'), text);
});

test('sections name spans by index, which tells repeated span ids apart', () => {
  const t = ordersTrace();
  t.spans.push({ ...t.spans[1], spanId: 'c', name: 'connect-again' });
  const sections = [
    { spanId: 'p', index: 0, startTimeUnixNano: t.spans[0].startTimeUnixNano, endTimeUnixNano: `${T0 + 1n * MS}` },
    { spanId: 'c', index: 7, startTimeUnixNano: `${T0 + 1n * MS}`, endTimeUnixNano: `${T0 + 100n * MS}` },
  ];
  const facts = traceFacts({ ...t, criticalPath: sections });
  assert.deepEqual(
    facts.path.map((g) => [g.name, Number(g.ownNs / 1e6)]),
    [
      ['probe', 1],
      ['connect-again', 99],
    ],
  );
});

test('an empty trace and a trace without a critical path still give a short summary', () => {
  assert.equal(
    summarizeTrace({ traceId: 'x', spans: [], criticalPath: [], diagnostics: [] }),
    'trace x · total 0.0 µs · 0 spans',
  );
  const t = ordersTrace();
  const text = summarizeTrace({ ...t, criticalPath: [] });
  assert.match(text, /^trace .* HTTP 200 · total 100\.0 ms/);
  assert.ok(!text.includes('critical path'));
});

// Random traces: a tree with names from a small vocabulary (so repeats aggregate), a critical path of sections
// in order, and a token planted where secrets show up in real traces.
const NAMES = ['GET /a', 'SELECT', 'cache.get', 'render', 'publish', 'upstream.attempt', 'nginx'];
const SERVICES = ['orders', 'inventory', 'db', 'ingress-nginx'];
const LAYERS: Layer[] = ['client', 'ingress', 'app', 'downstream'];

function randomTrace(n: number, seed: number, token: string): Trace {
  let x = seed >>> 0 || 1;
  const rnd = (k: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % k;
  };
  const spans: Span[] = [span('s0', undefined, { name: 'probe', at: 0n, ms: BigInt(n + 10) })];
  for (let i = 1; i < n; i++) {
    const parent = spans[rnd(i)];
    const at = BigInt(rnd(n));
    const where = rnd(6);
    spans.push(
      span(`s${i}`, parent.spanId, {
        name: where === 0 ? `GET /x Authorization: Bearer ${token}` : NAMES[rnd(NAMES.length)],
        service: SERVICES[rnd(SERVICES.length)],
        layer: LAYERS[rnd(LAYERS.length)],
        at,
        ms: BigInt(1 + rnd(20)),
        status: rnd(4) === 0 ? 'error' : 'ok',
        attributes: {
          'http.request.header.authorization': `Bearer ${token}`,
          'http.request.header.cookie': `session=${token}`,
          'url.full': `https://u:${token}@h/x?token=${token}`,
        },
        events:
          where === 1
            ? [{ timeUnixNano: '1', name: 'exception', attributes: { 'exception.message': `cookie: sid=${token}` } }]
            : [],
        source:
          where === 2
            ? { kind: 'app', path: `/ws/app/${NAMES[rnd(NAMES.length)]}.js`, line: 1 + rnd(99), function: 'f' }
            : undefined,
      }),
    );
  }
  const path = spans.filter(() => rnd(3) === 0);
  let at = T0;
  const criticalPath = path.map((s) => {
    const a = at;
    at += BigInt(1 + rnd(5)) * MS;
    return { spanId: s.spanId, index: spans.indexOf(s), startTimeUnixNano: `${a}`, endTimeUnixNano: `${at}` };
  });
  const diagnostics: Diagnostic[] = Array.from({ length: rnd(30) }, (_, i) => ({
    code: `code-${rnd(12)}`,
    severity: (['info', 'warning', 'error'] as const)[rnd(3)],
    message: i % 2 ? `token=${token} refused` : `header Authorization: ${token}`,
    hint: `set password=${token}`,
  }));
  return { traceId: 'f'.repeat(32), spans, criticalPath, diagnostics };
}

test('property: never longer than the limit, never a planted token, critical path order kept', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 400 }),
      fc.integer(),
      fc.stringMatching(/^[A-Za-z0-9]{12,24}$/),
      (n, seed, token) => {
        const t = randomTrace(n, seed, `kt${token}`);
        const text = summarizeTrace(t, { workspaceFolders: ['/ws'] });
        const lines = text.split('\n');
        assert.ok(lines.length <= SUMMARY_MAX_LINES, `${lines.length} lines`);
        assert.ok(lines.every((l) => l.length <= 220));
        assert.ok(!text.includes(`kt${token}`), text);
        // Order: each path entry starts where the previous one ended, in section order.
        const facts = traceFacts(t);
        const firstAt = new Map<number, number>();
        t.criticalPath.forEach((s, i) => firstAt.has(s.index) || firstAt.set(s.index, i));
        const order = facts.path.map((g) => firstAt.get(t.spans.indexOf(g.first))!);
        assert.deepEqual(
          order,
          [...order].sort((a, b) => a - b),
        );
        // And the text lists them in that order.
        const rows = lines
          .slice(lines.findIndex((l) => l.startsWith('critical path')) + 1)
          .filter((l) => l.startsWith('  '));
        facts.path.slice(0, 14).forEach((g, i) => {
          if (i < rows.length && !g.name.includes('Authorization'))
            assert.ok(rows[i].includes(g.name), `${rows[i]} vs ${g.name}`);
        });
      },
    ),
    { numRuns: 150 },
  );
});

test('a 10,000-span trace gives at most 60 lines, repeated spans aggregated', () => {
  const t = randomTrace(10_000, 42, 'kt-secret-0123456789');
  const text = summarizeTrace(t);
  const lines = text.split('\n');
  assert.ok(lines.length <= 60, `${lines.length} lines`);
  assert.ok(!text.includes('kt-secret-0123456789'));
  assert.match(text, /×\d+/);
  assert.match(text, /more steps on the path own/);
});
