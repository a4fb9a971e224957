// Zipkin v2 JSON into the model, with shared client/server spans merged and nothing dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { zipkinToSpanBatch } from '../../src/core/ingest/zipkin/reader';

const seed = readFileSync(join(__dirname, '..', 'fixtures', 'traces', 'zipkin.json'));

test('a Zipkin trace reads with kinds, times in ns, endpoints, annotations and tags', () => {
  const r = zipkinToSpanBatch(seed);
  assert.deepEqual(
    r.spans.map((s) => [s.spanId, s.parentSpanId, s.service, s.kind]),
    [
      ['00f067aa0ba902b7', undefined, 'orders', 'server'],
      ['53995c3f42cd8ad8', '00f067aa0ba902b7', 'orders', 'client'],
      ['b7ad6b7169203331', '53995c3f42cd8ad8', 'inventory', 'client'],
    ],
  );
  const [root, call, db] = r.spans;
  assert.equal(root.startTimeUnixNano, '1732701600123456000');
  assert.equal(root.endTimeUnixNano, '1732701600135456000');
  assert.equal(root.attributes['network.local.address'], '127.10.0.3');
  assert.equal(root.attributes['http.status_code'], '200');
  assert.equal(db.attributes['peer.service'], 'postgres');
  assert.equal(db.attributes['network.peer.port'], 5432);
  assert.equal(call.attributes['peer.service'], 'inventory');
});

test('a shared server half merges into its client half, keeping the server side as zipkin.server.* attributes', () => {
  const r = zipkinToSpanBatch(seed);
  const merged = r.spans.filter((s) => s.spanId === '53995c3f42cd8ad8');
  assert.equal(merged.length, 1);
  const m = merged[0];
  assert.equal(m.service, 'orders');
  assert.equal(m.attributes['zipkin.server.service'], 'inventory');
  assert.equal(m.attributes['zipkin.server.address'], '127.10.0.5');
  assert.equal(m.attributes['zipkin.server.port'], 8080);
  assert.equal(m.attributes['zipkin.server.name'], 'get /inventory/stock');
  assert.equal(m.attributes['zipkin.server.start_time_unix_nano'], '1732701600125956000');
  assert.equal(m.attributes['http.status_code'], '503', 'server-only tags join the span');
  assert.equal(
    m.attributes['zipkin.server.network.peer.address'],
    '127.10.0.3',
    'conflicting values are kept under the server prefix',
  );
  assert.equal(m.attributes.error, 'stock service unavailable');
  assert.equal(m.status, 'error');
  assert.deepEqual(
    m.events.map((e) => e.name),
    ['wire.send', 'cache.miss', 'wire.recv'],
    "both halves' annotations, in time order",
  );
  assert.ok(r.diagnostics.some((d) => d.code === 'zipkin-shared-merged'));
});

test('spans with the same id that are not a client/server pair are all kept', () => {
  const dup = [
    {
      traceId: 'a1',
      id: 'b1',
      kind: 'CLIENT',
      name: 'x',
      timestamp: 10,
      duration: 1,
      localEndpoint: { serviceName: 's' },
    },
    {
      traceId: 'a1',
      id: 'b1',
      kind: 'CLIENT',
      name: 'x-late',
      timestamp: 11,
      duration: 1,
      localEndpoint: { serviceName: 's' },
    },
    {
      traceId: 'a1',
      id: 'b1',
      kind: 'SERVER',
      shared: true,
      name: 'y',
      timestamp: 12,
      duration: 1,
      localEndpoint: { serviceName: 't' },
    },
  ];
  const r = zipkinToSpanBatch(Buffer.from(JSON.stringify(dup)));
  assert.equal(r.spans.length, 3);
});

test('a list of traces (as /api/v2/traces answers) and bad entries are read without throwing', () => {
  const nested = JSON.stringify([
    JSON.parse(seed.toString()),
    [{ traceId: 'ff', id: '01', name: 'solo', timestamp: 5 }],
    [7],
  ]);
  const r = zipkinToSpanBatch(Buffer.from(nested));
  assert.equal(r.spans.length, 4);
  assert.ok(r.diagnostics.some((d) => d.code === 'zipkin-bad-span'));
  const r2 = zipkinToSpanBatch(Buffer.from('{"traceId":"x"}'));
  assert.equal(r2.spans.length, 0);
  assert.match(r2.diagnostics[0].message, /not Zipkin v2 JSON/);
  const r3 = zipkinToSpanBatch(Buffer.from('[{"traceId":"x","id":"y"}]'));
  assert.ok(r3.diagnostics.some((d) => d.code === 'zipkin-bad-time' && /no timestamp/.test(d.message)));
});

const zspan = fc.record(
  {
    traceId: fc.constantFrom('t1', 't2', 7),
    id: fc.constantFrom('a', 'b', 'c', 'd', null),
    parentId: fc.constantFrom('a', 'b', undefined, '0000000000000000'),
    kind: fc.constantFrom('CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER', 'other', 3),
    name: fc.jsonValue({ maxDepth: 0 }),
    timestamp: fc.oneof(fc.nat(), fc.double(), fc.string({ maxLength: 4 })),
    duration: fc.oneof(fc.nat(), fc.double()),
    localEndpoint: fc.oneof(
      fc.record(
        {
          serviceName: fc.string({ maxLength: 5 }),
          ipv4: fc.string({ maxLength: 5 }),
          port: fc.jsonValue({ maxDepth: 0 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    annotations: fc.oneof(
      fc.array(
        fc.record(
          { timestamp: fc.oneof(fc.nat(), fc.string()), value: fc.jsonValue({ maxDepth: 0 }) },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    tags: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    shared: fc.boolean(),
  },
  { requiredKeys: [] },
);

test('fuzz: random Zipkin spans: every span object survives (pairs may merge), no throw', () => {
  fc.assert(
    fc.property(fc.array(zspan, { maxLength: 8 }), (spans) => {
      const r = zipkinToSpanBatch(Buffer.from(JSON.stringify(spans)));
      const merged = r.diagnostics
        .filter((d) => d.code === 'zipkin-shared-merged')
        .reduce((n, d) => n + Number(/^(\d+)/.exec(d.message)?.[1] ?? 0), 0);
      assert.equal(r.spans.length + merged, spans.length);
    }),
    { numRuns: 3000, interruptAfterTimeLimit: 12_000 },
  );
});

test('fuzz: byte mutations of a real answer never throw', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (edits, cut) => {
        const b = Buffer.from(seed);
        for (const [i, v] of edits) b[i % b.length] = v;
        const r = zipkinToSpanBatch(b.subarray(0, cut % (b.length + 1)));
        assert.ok(r.spans.length <= 4);
      },
    ),
    { numRuns: 3000, interruptAfterTimeLimit: 12_000 },
  );
});
