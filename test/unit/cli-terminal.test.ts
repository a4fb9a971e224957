// What the CLI prints: control characters from traces become visible escapes, JSON stays exact, colours stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { styledSafe, terminalSafe, terminalSafeDeep } from '../../src/cli/terminal';
import { renderWaterfall } from '../../src/cli/waterfall';
import type { Trace } from '../../src/core/trace/model';

const HOSTILE = 'GET /orders\x1b[2J\x1b[H\x1b]52;c;ZWNobyBoaQ==\x07\x9b31m\u202e';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('escape sequences become visible text: clear screen, OSC 52, C1 CSI, bidi override', () => {
  const s = terminalSafe(HOSTILE);
  assert.doesNotMatch(s, CONTROL);
  assert.equal(s, 'GET /orders\\u001b[2J\\u001b[H\\u001b]52;c;ZWNobyBoaQ==\\u0007\\u009b31m\\u202e');
  assert.equal(terminalSafe('a\tb\nc'), 'a\tb\nc');
  assert.equal(terminalSafe('a\rb'), 'a\\u000db');
});

test('property: JSON text made terminalSafe parses to the same value, and has no control character', () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.string({ unit: fc.integer({ min: 0, max: 0x2070 }).map((c) => String.fromCharCode(c)) }),
      (v, s) => {
        for (const value of [v, { s, nested: [s, { [s]: s }] }]) {
          const text = terminalSafe(JSON.stringify(value, null, 2));
          assert.doesNotMatch(text, CONTROL);
          assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)));
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('styledSafe keeps SGR colours and nothing else', () => {
  assert.equal(styledSafe('\x1b[1mtrace\x1b[0m x\x1b[2Jy'), '\x1b[1mtrace\x1b[0m x\\u001b[2Jy');
});

test('terminalSafeDeep copies without recursion, keys included', () => {
  let deep: unknown = 'x\x1b';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  let out = terminalSafeDeep({ ['k\x07']: deep }) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['k\\u0007']);
  let v = out['k\\u0007'];
  while (Array.isArray(v)) v = v[0];
  assert.equal(v, 'x\\u001b');
  out = terminalSafeDeep({ a: 1, b: true, c: null }) as Record<string, unknown>;
  assert.deepEqual(out, { a: 1, b: true, c: null });
});

test('a waterfall of a hostile trace has only its own colour escapes', () => {
  const span = {
    spanId: '1'.repeat(16),
    name: HOSTILE,
    service: 'orders\x1b]0;pwned\x07',
    layer: 'app' as const,
    kind: 'server' as const,
    startTimeUnixNano: '1000',
    endTimeUnixNano: '2000',
    status: 'unset' as const,
    attributes: {},
    events: [],
    links: [],
    origin: 'import' as const,
    source: { kind: 'app' as const, path: '/app/x\x1b[8m.js', line: 3 },
  };
  const trace: Trace = {
    traceId: 'abc\x1b[2J',
    spans: [span],
    criticalPath: [],
    diagnostics: [{ code: 'x', severity: 'warning', message: 'bad \x1b[31mline' }],
  };
  for (const color of [true, false]) {
    const out = styledSafe(renderWaterfall(trace, { color }));
    const escapes = out.match(/\x1b[^m]*m?/g) ?? [];
    for (const e of escapes) assert.match(e, /^\x1b\[[0-9;]*m$/, JSON.stringify(e));
    if (!color) assert.doesNotMatch(out, CONTROL);
    assert.match(out, /GET \/orders\\u001b\[2J/);
  }
});
