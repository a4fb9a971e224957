// Per-layer durations for compare, and the nanosecond arithmetic under them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareRows, layerDurations, unionMs } from '../../src/protocol/compare';
import { msSince, msSinceNanos, splitNanos } from '../../src/protocol/nanos';
import type { Trace } from '../../src/protocol/messages';
import { probeTrace, span } from '../webview/fixtures';

test("a layer's duration is the time its spans cover, overlaps counted once", () => {
  const d = layerDurations(probeTrace());
  // client: probe covers 0..48.2; ingress: nginx 1.5..45.9; app: orders 3.4..39.9; downstream 14.2..38.1
  assert.ok(Math.abs(d.client! - 48.2) < 1e-9);
  assert.ok(Math.abs(d.ingress! - 44.4) < 1e-9);
  assert.ok(Math.abs(d.app! - 36.5) < 1e-9);
  assert.ok(Math.abs(d.downstream! - 23.9) < 1e-9);
  assert.ok(Math.abs(d.total! - 48.2) < 1e-9);
});

test('gaps between spans of a layer are not counted', () => {
  const t: Trace = {
    traceId: 't',
    criticalPath: [],
    diagnostics: [],
    spans: [
      span({ name: 'a', service: 's', layer: 'app', start: 0, end: 10 }),
      span({ name: 'b', service: 's', layer: 'app', start: 5, end: 12 }),
      span({ name: 'c', service: 's', layer: 'app', start: 20, end: 21 }),
      span({ name: 'd', service: 's', layer: 'client', start: 0, end: 30 }),
    ],
  };
  const d = layerDurations(t);
  assert.ok(Math.abs(d.app! - 13) < 1e-9);
  assert.equal(d.ingress, undefined);
  assert.equal(layerDurations({ ...t, spans: [] }).total, undefined);
});

test('compareRows: one row per layer in either trace, then total; diff is right minus left', () => {
  const left = probeTrace();
  const right = probeTrace(2);
  const rows = compareRows(left, right);
  assert.deepEqual(
    rows.map((r) => r.layer),
    ['client', 'ingress', 'app', 'downstream', 'total'],
  );
  for (const r of rows)
    assert.ok(Math.abs(r.diffMs! - (r.rightMs! - r.leftMs!)) < 1e-9 && Math.abs(r.rightMs! - 2 * r.leftMs!) < 1e-6);
  const noDownstream = { ...right, spans: right.spans.filter((s) => s.layer !== 'downstream') };
  const r2 = compareRows(left, noDownstream).find((r) => r.layer === 'downstream')!;
  assert.equal(r2.rightMs, undefined);
  assert.equal(r2.diffMs, undefined);
  assert.ok(r2.leftMs! > 0);
});

test('unionMs merges touching and nested intervals', () => {
  assert.equal(unionMs([]), 0);
  assert.equal(
    unionMs([
      [0, 5],
      [5, 7],
      [1, 2],
      [10, 11],
    ]),
    8,
  );
});

test('nanosecond strings convert exactly, as BigInt arithmetic would', () => {
  fc.assert(
    fc.property(fc.bigInt(0n, 10n ** 19n), fc.bigInt(0n, 10n ** 19n), (a, b) => {
      const exact = Number(a - b) / 1e6;
      const got = msSince(splitNanos(a.toString()), splitNanos(b.toString()));
      assert.ok(Math.abs(got - exact) <= Math.max(1e-6, Math.abs(exact) * 1e-15), `${a} - ${b}: ${got} vs ${exact}`);
      assert.equal(msSinceNanos(a.toString(), splitNanos(b.toString())), got);
    }),
    { numRuns: 5000 },
  );
  assert.deepEqual(splitNanos('0'), { ms: 0, ns: 0 });
  assert.deepEqual(splitNanos('1764230400123456789'), { ms: 1764230400123, ns: 456789 });
});
