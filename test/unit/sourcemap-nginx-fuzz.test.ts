import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stepsFromDebugLog } from '../../src/core/sourcemap/nginx';
import { scanDebugCalls } from '../../src/core/sourcemap/nginx/c-scan';
import { compileFormat, matchTokens } from '../../src/core/sourcemap/nginx/format';
import { debugIndex, matchMessage } from '../../src/core/sourcemap/nginx/debug-index';
import { parseErrorLog } from '../../src/core/sourcemap/nginx/debug-log';
import { nginxTree } from '../fixtures/nginx-debug/source';
import { cpuMs } from '../cpu';

const LOG = readFileSync(join(__dirname, '..', 'fixtures', 'nginx-debug', 'keepalive-merged.log'), 'utf8').split('\n');
const MESSAGES = LOG.map((l) => l.replace(/^.*?\d+#\d+: (\*\d+ )?/, ''));

// A real line, mutated: characters inserted, deleted or replaced.
const mutated = fc
  .tuple(
    fc.constantFrom(...LOG),
    fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.string({ maxLength: 4 })), { maxLength: 6 }),
  )
  .map(([line, edits]) =>
    edits.reduce((s, [at, op, text]) => {
      const i = s.length ? at % (s.length + 1) : 0;
      return op === 0
        ? s.slice(0, i) + text + s.slice(i)
        : op === 1
          ? s.slice(0, i) + s.slice(i + 1)
          : s.slice(0, i) + text + s.slice(i + text.length);
    }, line),
  );
const anyLine = fc.oneof(
  mutated,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.constantFrom(...LOG),
);

test('debug-log parsing and step building never throw on random or mutated logs', async () => {
  const tree = nginxTree();
  await debugIndex(tree);
  const t0 = cpuMs();
  await fc.assert(
    fc.asyncProperty(
      fc.array(anyLine, { maxLength: 60 }),
      fc.constantFrom('kt-first-0001', 'kt-other-0003', 'x'),
      async (lines, id) => {
        const withId = [
          ...lines,
          `2026/11/27 10:23:52 [debug] 1#1: *9 http header: "X-Request-ID: ${id}"`,
          ...lines.slice(0, 5),
        ];
        const r = await stepsFromDebugLog(withId, id, tree);
        assert.ok(Array.isArray(r.steps) && Array.isArray(r.diagnostics));
        assert.ok(r.connection !== undefined, 'the connection that names the id is found');
        assert.ok(r.steps.some((s) => s.phase === 'headers' && s.message.includes(`X-Request-ID: ${id}`)));
        for (const s of r.steps) assert.equal(typeof s.message, 'string');
      },
    ),
    { numRuns: 1500 },
  );
  assert.ok(cpuMs() - t0 < 20_000, 'CPU time of 1,500 runs');
});

test('the matcher never throws and stays fast on mutated messages', async () => {
  const index = await debugIndex(nginxTree());
  const mutatedMsg = fc
    .tuple(fc.constantFrom(...MESSAGES), fc.string({ maxLength: 8 }), fc.nat())
    .map(([m, ins, at]) => m.slice(0, at % (m.length + 1)) + ins + m.slice(at % (m.length + 1)));
  let worst = 0;
  fc.assert(
    fc.property(fc.oneof(mutatedMsg, fc.string({ maxLength: 300 })), fc.boolean(), (msg, cut) => {
      const t = cpuMs();
      const hits = matchMessage(index, msg, [], cut);
      worst = Math.max(worst, cpuMs() - t);
      assert.ok(Array.isArray(hits));
      for (const h of hits) assert.ok(h.line > 0);
    }),
    { numRuns: 4000 },
  );
  assert.ok(worst < 250, `worst single match took ${worst.toFixed(1)} ms of CPU`);
});

test('adversarial messages against many-string formats stay bounded', () => {
  const toks = compileFormat('%V: %V: %V: %V: %V "%V" %d');
  for (const msg of [': '.repeat(1000), 'a: '.repeat(700) + '"', ': '.repeat(900) + ' "x" q']) {
    const t = cpuMs();
    assert.equal(matchTokens(toks, msg), false);
    matchTokens(toks, msg, true);
    const took = cpuMs() - t;
    assert.ok(took < 2000, `${msg.length} chars took ${took.toFixed(0)} ms of CPU`);
  }
});

test('format compilation and the C scanner accept any text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (fmt, msg) => {
      const toks = compileFormat(fmt);
      assert.equal(typeof matchTokens(toks, msg), 'boolean');
    }),
    { numRuns: 3000 },
  );
  const cish = fc
    .array(
      fc.constantFrom(
        'ngx_log_debug1(',
        'ngx_log_debug(',
        '"',
        '\\',
        '"%V"',
        ',',
        ')',
        '(',
        ';',
        '/*',
        '*/',
        '//',
        '\n',
        "'",
        'x',
        ' ',
        'NGX_MACRO',
        '#define ',
      ),
      { maxLength: 80 },
    )
    .map((a) => a.join(''));
  fc.assert(
    fc.property(cish, (c) => {
      for (const call of scanDebugCalls(c)) assert.ok(call.line >= 1 && call.endLine >= call.line);
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.array(anyLine, { maxLength: 40 }), (lines) => {
      for (const e of parseErrorLog(lines)) assert.ok(e.lines.length >= 1);
    }),
    { numRuns: 1000 },
  );
});
