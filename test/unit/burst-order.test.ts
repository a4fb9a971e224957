// Requests by duration (core/burst/order.ts): the same order as a stable comparator sort, for any durations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { byDuration } from '../../src/core/burst/order';

const reference = (sel: Uint32Array, d: (i: number) => number) => [...sel].sort((a, b) => d(a) - d(b) || a - b);

test('property: requests by duration are in a stable comparator sort’s order', () => {
  // Few distinct durations (many ties), a log's whole milliseconds, spans' nanoseconds, and the odd ones.
  const duration = fc.oneof(
    fc.constantFrom(0, -0, 1, 2, 3),
    fc.integer({ min: 0, max: 70_000 }),
    fc.integer({ min: 0, max: 2 ** 40 }).map((ns) => ns / 1e6),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  fc.assert(
    fc.property(fc.array(duration, { maxLength: 3000 }), fc.integer({ min: 0, max: 5 }), (ds, skip) => {
      // A selection: indices ascending, some left out, as RequestRecords.select gives them.
      const sel = Uint32Array.from(ds.map((_, i) => i).filter((i) => skip === 0 || i % (skip + 1) !== 0));
      const d = (i: number) => ds[i];
      assert.deepEqual([...byDuration(sel, d)], reference(sel, d));
    }),
    { numRuns: 200 },
  );
});

test('infinite durations sort as the comparator sorts them, ties by index', () => {
  const ds = [5, Infinity, 1, Infinity, 1, -Infinity, 0];
  const sel = Uint32Array.from(ds.keys());
  const d = (i: number) => ds[i];
  assert.deepEqual([...byDuration(sel, d)], reference(sel, d));
});

test('more distinct durations than a rank can hold fall back to the comparator, in the same order', () => {
  const n = 2 ** 21 + 5;
  const sel = new Uint32Array(n);
  for (let i = 0; i < n; i++) sel[i] = i;
  // Distinct, descending: the order is the reverse of the indices.
  const out = byDuration(sel, (i) => n - i);
  assert.equal(out[0], n - 1);
  assert.equal(out[n - 1], 0);
  for (let j = 1; j < n; j += 99_991) assert.equal(out[j], n - 1 - j);
});
