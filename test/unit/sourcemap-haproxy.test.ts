// HAProxy source mapping (src/core/sourcemap/haproxy/): the phase index against Debian's HAProxy trees (bookworm's
// 2.6.12, trixie's 3.0.11, fetched by scripts/fetch-haproxy-source.sh), the span -> source answers, the pins, and the
// function scanner on random and damaged files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  HAPROXY_PHASE_INDEX,
  HAPROXY_PINS,
  allHaproxyFunctions,
  findHaproxySourceTree,
  haproxyFunction,
  haproxyIndexCovers,
  haproxySourceForSpan,
  haproxyVersionFromV,
  scanFunctions,
} from '../../src/core/sourcemap/haproxy';
import { haproxySpans } from '../../src/core/ingest/haproxy-log/spans';
import { parserFor } from '../../src/core/ingest/controller-log/formats';
import { resolveSources } from '../../src/core/sourcemap';
import type { Trace } from '../../src/core/trace/model';

const ROOT = join(__dirname, '..', '..');
const CACHE = join(ROOT, '.cache', 'haproxy-src');
const VERSIONS = ['2.6.12', '3.0.11'];
const treeOf = (v: string) => {
  const tree = findHaproxySourceTree([CACHE], v);
  return tree?.version === v
    ? { tree }
    : { missing: `HAProxy ${v} source is missing: run bash scripts/fetch-haproxy-source.sh --optional '' ${v}` };
};
const lineOf = (file: string, n: number) => readFileSync(file, 'latin1').split('\n')[n - 1] ?? '';

for (const v of VERSIONS) {
  test(`HAProxy ${v}: every indexed function is defined where the index says, at the line returned`, (t) => {
    const { tree, missing } = treeOf(v);
    if (!tree) return t.skip(missing);
    for (const f of allHaproxyFunctions()) {
      const hit = haproxyFunction(tree, f.file, f.fn);
      assert.ok(hit, `${f.fn} not found in ${f.file} of ${v}`);
      const text = lineOf(join(tree.root, f.file), hit.line);
      assert.match(text, new RegExp(`\\b${f.fn}\\(`), `${f.file}:${hit.line} is "${text}"`);
      assert.ok(!/;\s*$/.test(text), `${f.file}:${hit.line} is a prototype`);
      assert.ok(hit.endLine && hit.endLine > hit.line, `${f.fn} has no end`);
      assert.match(lineOf(join(tree.root, f.file), hit.endLine), /^}/);
    }
  });

  test(`HAProxy ${v}: the spans of an httplog line open their phase's function with file and line`, (t) => {
    const { tree, missing } = treeOf(v);
    if (!tree) return t.skip(missing);
    const line =
      '10.0.0.1:51234 [05/Dec/2026:10:00:00.123] http catalog_http/SRV_1 1/2/3/4/15 200 120 - - ---- ' +
      '1/1/0/0/0 0/0 {kt-1} "GET /items HTTP/1.1"';
    const parser = parserFor('haproxy-httplog');
    const r = parser.parse(line);
    assert.ok('record' in r, 'the fixture line parses');
    const names = haproxySpans(r.record as never, { traceId: 'a'.repeat(32) }).spans.map((s) => s.name);
    assert.deepEqual(names.sort(), [...Object.keys(HAPROXY_PHASE_INDEX)].sort());
    for (const name of names) {
      const s = haproxySourceForSpan({ name }, tree, undefined, v);
      assert.equal(s.sourceReason, undefined, `${name}: ${s.sourceReason}`);
      const main = HAPROXY_PHASE_INDEX[name].main;
      assert.equal(s.source?.path, `${tree.root}/${main.file}`);
      assert.equal(s.source?.function, main.fn);
      assert.match(lineOf(s.source!.path, s.source!.line!), new RegExp(`\\b${main.fn}\\(`));
      assert.equal(s.moreSources?.length, HAPROXY_PHASE_INDEX[name].more.length);
      for (const m of s.moreSources ?? []) assert.ok(m.line, `${name}: ${m.function} has a line`);
    }
  });
}

test('the two Debian trees differ in lines, so lines really come from the tree at hand', (t) => {
  const [a, b] = VERSIONS.map((v) => treeOf(v).tree);
  if (!a || !b) return t.skip('a Debian HAProxy tree is missing (scripts/fetch-haproxy-source.sh)');
  const at = (tree: typeof a, fn: string) => haproxyFunction(tree, 'src/http_ana.c', fn)?.line;
  assert.notEqual(at(a, 'http_wait_for_response'), at(b, 'http_wait_for_response'));
});

test('a tree of another release of the same branch is used with a note; another branch is not', (t) => {
  const { tree, missing } = treeOf('2.6.12');
  if (!tree) return t.skip(missing);
  assert.equal(findHaproxySourceTree([CACHE], '2.6.13')?.version, '2.6.12');
  assert.equal(findHaproxySourceTree([join(CACHE, '2.6.12')], '2.8.1'), undefined);
  const s = haproxySourceForSpan({ name: 'upstream.connect' }, tree, undefined, '2.6.13');
  assert.ok(s.source?.line);
  assert.match(s.sourceReason ?? '', /HAProxy 2\.6\.12's source; the controller runs 2\.6\.13/);
});

test('without a tree: function names without lines and the reason given, or a default one', () => {
  const s = haproxySourceForSpan({ name: 'queue' }, undefined);
  assert.deepEqual(s.source, { kind: 'haproxy', path: 'src/queue.c', function: 'pendconn_add' });
  assert.match(s.sourceReason ?? '', /no HAProxy source tree is available, so pendconn_add is shown without a line/);
  assert.equal(haproxySourceForSpan({ name: 'queue' }, undefined, 'why not').sourceReason, 'why not');
  const other = haproxySourceForSpan({ name: 'something.else' }, undefined);
  assert.equal(other.source, undefined);
  assert.match(other.sourceReason ?? '', /no function indexed for a span named something\.else/);
  assert.equal(haproxySourceForSpan({ name: 'constructor' }, undefined).source, undefined);
});

test('a tree whose file lacks the function says so', () => {
  const tree = { root: join(ROOT, 'test'), version: '9.9.9' };
  const s = haproxySourceForSpan({ name: 'haproxy' }, tree);
  assert.equal(s.source?.line, undefined);
  assert.match(s.sourceReason ?? '', /http_wait_for_request was not found in src\/http_ana\.c of the HAProxy 9\.9\.9/);
  assert.equal(haproxyFunction(tree, '../../etc/passwd', 'x'), undefined);
  assert.equal(haproxyFunction(tree, '/etc/passwd', 'x'), undefined);
});

test('haproxy -v output gives the version; the index covers 2.6 to 3.0', () => {
  assert.equal(haproxyVersionFromV('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\n'), '2.6.12');
  assert.equal(haproxyVersionFromV('HA-Proxy version 2.0.33-1 2023/01/01'), '2.0.33');
  assert.equal(haproxyVersionFromV('HAProxy version 3.0.11-1+deb13u4 2026/01/01'), '3.0.11');
  assert.equal(haproxyVersionFromV('nginx version: nginx/1.22.1'), undefined);
  assert.equal(haproxyVersionFromV(undefined), undefined);
  assert.ok(haproxyIndexCovers('2.6.12') && haproxyIndexCovers('3.0.11'));
  assert.ok(!haproxyIndexCovers('2.4.1') && !haproxyIndexCovers('3.2.0') && !haproxyIndexCovers(undefined));
});

test('the pins in checksums.ts are those in scripts/fetch-haproxy-source.sh, and each fetched tarball matches', () => {
  const script = readFileSync(join(ROOT, 'scripts', 'fetch-haproxy-source.sh'), 'utf8');
  const inScript = Object.fromEntries(
    [...script.matchAll(/^\s*(\d+\.\d+\.\d+)\) echo ([0-9a-f]{64}) ;;$/gm)].map((m) => [m[1], m[2]]),
  );
  assert.deepEqual(inScript, Object.fromEntries(Object.entries(HAPROXY_PINS).map(([v, p]) => [v, p.sha256])));
  for (const [v, p] of Object.entries(HAPROXY_PINS)) {
    assert.match(p.from, new RegExp(`Debian ${p.suite} source index`));
    const mark = join(CACHE, v, '.kubetrace-extracted');
    if (existsSync(mark)) assert.match(readFileSync(mark, 'utf8'), new RegExp(`sha256: ${p.sha256}`));
  }
});

test('the scanner finds definitions in HAProxy style and skips prototypes, externs and calls', () => {
  const text = [
    '/* a comment */',
    'static void f_end(struct stream *s);',
    'extern struct task *g(struct task *t);',
    'int alpha(struct stream *s, struct channel *req,',
    '          int an_bit)',
    '{',
    '\tif (x) {',
    '\t\tcall(y);',
    '\t}',
    'out:',
    '\treturn 0;',
    '}',
    '',
    'struct pendconn *beta(struct stream *strm) /* comment ( */',
    '{',
    '}',
    'INITCALL1(STG_REGISTER, thing, x);',
    'static inline int gamma(void) { return 1; }',
  ].join('\n');
  const defs = scanFunctions(text);
  assert.deepEqual(defs.get('alpha'), { name: 'alpha', line: 4, endLine: 12 });
  assert.deepEqual(defs.get('beta'), { name: 'beta', line: 14, endLine: 16 });
  assert.equal(defs.get('gamma')?.line, 18);
  for (const n of ['f_end', 'g', 'call', 'INITCALL1', 'if']) assert.equal(defs.has(n), false, n);
});

// Random and damaged files: the index builder never throws, and what it finds is where it says.
const cLike = fc.constantFrom(
  'int f(void)',
  '{',
  '}',
  'static int g(struct s *a,',
  '\tint b)',
  '/*',
  '*/',
  '\tx = y(z);',
  'void h(int a); /* ( */',
  '#define Q(x) (x)',
  '"(("',
  'struct t *k(void) {',
  '',
);
const file = fc.oneof(
  fc.array(cLike, { maxLength: 60 }).map((l) => l.join('\n')),
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(fc.oneof(cLike, fc.string({ maxLength: 30 })), { maxLength: 40 }).map((l) => l.join('\n')),
);

test('scanFunctions never throws on random or damaged files, and every hit is a definition line', () => {
  fc.assert(
    fc.property(file, (text) => {
      const defs = scanFunctions(text);
      const lines = text.split('\n');
      for (const [name, d] of defs) {
        assert.equal(d.name, name);
        assert.ok(d.line >= 1 && d.line <= lines.length);
        assert.ok(lines[d.line - 1].includes(`${name}(`) || new RegExp(`\\b${name}\\s*\\(`).test(lines[d.line - 1]));
        if (d.endLine !== undefined) assert.ok(d.endLine > d.line && /^}/.test(lines[d.endLine - 1]));
      }
      // An indexed function that is not in the file is "not found", never a guess.
      if (!/http_wait_for_request/.test(text)) assert.equal(defs.get('http_wait_for_request'), undefined);
    }),
    { numRuns: 500 },
  );
});

test('a real file, damaged: no throw, and the functions still found sit at their name', (t) => {
  const { tree, missing } = treeOf('2.6.12');
  if (!tree) return t.skip(missing);
  const real = readFileSync(join(tree.root, 'src', 'queue.c'), 'latin1');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.string({ maxLength: 6 })), { maxLength: 12 }), (edits) => {
      const text = edits.reduce((s, [at, op, ins]) => {
        const i = at % (s.length + 1);
        return op === 0 ? s.slice(0, i) + ins + s.slice(i) : op === 1 ? s.slice(0, i) + s.slice(i + 20) : s;
      }, real);
      const lines = text.split('\n');
      for (const [name, d] of scanFunctions(text)) assert.match(lines[d.line - 1], new RegExp(`\\b${name}\\s*\\(`));
    }),
    { numRuns: 100 },
  );
});

test("resolveSources: HAProxy's log spans open their function inside the allowed roots, else keep only its name", async (t) => {
  const { tree, missing } = treeOf('2.6.12');
  if (!tree) return t.skip(missing);
  const line =
    '10.0.0.1:51234 [05/Dec/2026:10:00:00.123] http catalog_http/SRV_1 1/2/3/4/15 200 120 - - ---- ' +
    '1/1/0/0/0 0/0 {kt-1} "GET /items HTTP/1.1"';
  const r = parserFor('haproxy-httplog').parse(line);
  assert.ok('record' in r);
  const spans = haproxySpans(r.record as never, { traceId: 'b'.repeat(32), service: 'haproxy-tech' }).spans;
  const trace = { traceId: 'b'.repeat(32), spans, diagnostics: [] } as unknown as Trace;
  const open = await resolveSources(trace, {
    workspaceFolders: [],
    allowedRoots: [tree.root],
    haproxy: { tree, version: '2.6.12' },
  });
  for (const s of open.spans) {
    assert.equal(s.sourceReason, undefined, `${s.name}: ${s.sourceReason}`);
    assert.equal(s.source?.function, HAPROXY_PHASE_INDEX[s.name].main.fn);
    assert.ok(s.source?.line);
  }
  const closed = await resolveSources(trace, { workspaceFolders: [], allowedRoots: [], haproxy: { tree } });
  for (const s of closed.spans) {
    assert.equal(s.source?.line, undefined);
    assert.equal(s.source?.path, HAPROXY_PHASE_INDEX[s.name].main.file);
    assert.match(s.sourceReason ?? '', /HAProxy source .* outside|HAProxy source/);
  }
  const none = await resolveSources(trace, {
    workspaceFolders: [],
    allowedRoots: [],
    haproxy: { reason: 'no source tree for HAProxy 2.6.12 was found' },
  });
  for (const s of none.spans) assert.equal(s.sourceReason, 'no source tree for HAProxy 2.6.12 was found');
});
