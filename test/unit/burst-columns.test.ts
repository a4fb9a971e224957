// The request set's columns (core/burst/columns.ts): pushes one value at a time and appends whole arrays, in any
// order and across chunk boundaries, read back as a plain array of the same kind would hold them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MillisColumn, f64, i32, u16, u32, u8, type Column } from '../../src/core/burst/columns';

const KINDS: [string, () => Column, (n: number) => ArrayLike<number> & { [i: number]: number }][] = [
  ['f64', f64, (n) => new Float64Array(n)],
  ['i32', i32, (n) => new Int32Array(n)],
  ['u32', u32, (n) => new Uint32Array(n)],
  ['u16', u16, (n) => new Uint16Array(n)],
  ['u8', u8, (n) => new Uint8Array(n)],
];

// Runs of pushes and appends; long enough to cross the 16,384-value chunks several times.
const steps = fc.array(
  fc.oneof(
    fc.record({ push: fc.integer({ min: 0, max: 3000 }), seed: fc.integer() }),
    fc.record({ append: fc.integer({ min: 0, max: 40000 }), add: fc.constantFrom(0, 0, 7, -3), seed: fc.integer() }),
  ),
  { maxLength: 12 },
);

for (const [name, make, typed] of KINDS)
  test(`a ${name} column holds what a ${name} array would, pushed or appended`, () => {
    fc.assert(
      fc.property(steps, (list) => {
        const col = make();
        const model: number[] = [];
        for (const s of list) {
          const n = 'push' in s ? s.push : s.append;
          const src = typed(n);
          for (let k = 0; k < n; k++) src[k] = (s.seed + k * 2654435761) % 100000;
          if ('push' in s) for (let k = 0; k < n; k++) col.push(src[k]);
          else col.pushAll(src, s.add);
          // What storing the value in an array of this kind keeps (wrapping, as a typed array store does).
          const kept = typed(n);
          for (let k = 0; k < n; k++) kept[k] = src[k] + ('append' in s ? s.add : 0);
          for (let k = 0; k < n; k++) model.push(kept[k]);
        }
        assert.equal(col.length, model.length);
        assert.deepEqual(Array.from(col.toArray()), model);
        for (let i = 0; i < model.length; i += 997) assert.equal(col.get(i), model[i]);
      }),
      { numRuns: 40 },
    );
  });

test('a milliseconds column gives back exactly the numbers pushed, in whatever form each chunk takes', () => {
  // Mostly what a request's times give (whole milliseconds from a log, whole nanoseconds / 1e6 from spans), sometimes
  // any double at all; runs of one kind fill whole chunks of it, and a value of another kind widens a chunk midway.
  const value = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 70_000 }) },
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 4_294_967_295 }).map((ns) => ns / 1e6) },
    { weight: 1, arbitrary: fc.integer({ min: 4_294_967_294, max: 2 ** 40 }).map((ns) => ns / 1e6) },
    { weight: 1, arbitrary: fc.double() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(0, -0, 0.1, 1e-7, 4294, 4295, 4294.967295, 65535, 65536, NaN, Infinity, -1, 2 ** 53),
    },
  );
  const run = (v: fc.Arbitrary<number>) =>
    fc.oneof(
      fc.array(v, { maxLength: 2000 }),
      fc.tuple(v, fc.integer({ min: 1, max: 20_000 })).map(([x, n]) => Array<number>(n).fill(x)),
    );
  const values = fc.array(run(value), { maxLength: 12 }).map((runs) => runs.flat());
  fc.assert(
    fc.property(values, fc.array(value, { maxLength: 3000 }), (pushed, appended) => {
      const col = new MillisColumn();
      for (const v of pushed) col.push(v);
      col.pushAll(Float64Array.from(appended));
      const all = [...pushed, ...appended];
      assert.equal(col.length, all.length);
      for (let i = 0; i < all.length; i++) assert.ok(Object.is(col.get(i), all[i]), `${i}: ${col.get(i)} != ${all[i]}`);
      assert.deepEqual([...col.toArray()], all);
    }),
    { numRuns: 40 },
  );
});
