// Unreadable-line warnings: the first 20 by number, then one line with how many more; the count stays complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineWarnings, MAX_LINE_WARNINGS } from '../../src/cli/line-warnings';

function run(n: number): { printed: string[]; count: number } {
  const printed: string[] = [];
  const w = new LineWarnings((text) => printed.push(text));
  for (let i = 1; i <= n; i++) w.add(i * 10, 'bad status', `line ${i}`);
  w.finish();
  return { printed, count: w.count };
}

test('up to 20 bad lines: each is printed with its number, and no summary line', () => {
  for (const n of [0, 1, MAX_LINE_WARNINGS]) {
    const r = run(n);
    assert.equal(r.count, n);
    assert.deepEqual(
      r.printed,
      Array.from({ length: n }, (_, i) => `warning: line ${(i + 1) * 10}: bad status: line ${i + 1}\n`),
    );
  }
});

test('more than 20: the first 20, then one line with the rest (singular and plural)', () => {
  const one = run(MAX_LINE_WARNINGS + 1);
  assert.equal(one.count, 21);
  assert.equal(one.printed.length, 21);
  assert.equal(one.printed[20], 'warning: … and 1 more unreadable line\n');
  const many = run(1000);
  assert.equal(many.count, 1000);
  assert.equal(many.printed.length, 21);
  assert.equal(many.printed[19], 'warning: line 200: bad status: line 20\n');
  assert.equal(many.printed[20], 'warning: … and 980 more unreadable lines\n');
});

test('a long line is cut to 200 characters in its warning', () => {
  const printed: string[] = [];
  const w = new LineWarnings((text) => printed.push(text));
  w.add(7, 'too long', 'x'.repeat(5000));
  assert.equal(printed[0], `warning: line 7: too long: ${'x'.repeat(200)}\n`);
});
