// The phase index, the resolver and the debug matcher against every Debian nginx tree (1.22.1,
// 1.26.3, 1.30.6): each is the upstream release tarball that Debian's signed index pins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { allIndexedFunctions, resolveFunctionRange, stepsFromDebugLog } from '../../src/core/sourcemap/nginx';
import { debugIndex, matchMessage } from '../../src/core/sourcemap/nginx/debug-index';
import { moduleLine } from '../../src/core/sourcemap/nginx/modules';
import { DEBIAN_VERSIONS, grepDefinition, nginxTreeOf } from '../fixtures/nginx-debug/source';

const FIX = join(__dirname, '..', 'fixtures', 'nginx-debug');
const KEEPALIVE = readFileSync(join(FIX, 'keepalive-merged.log'), 'utf8').split('\n');
const LUA = readFileSync(join(FIX, 'lua-debug.log'), 'utf8').split('\n');
const RECORDED: [string[], string][] = [
  [KEEPALIVE, 'kt-first-0001'],
  [KEEPALIVE, 'kt-second-0002'],
  [KEEPALIVE, 'kt-other-0003'],
  [LUA, 'kt-lua-0001'],
];

const texts = new Map<string, string[]>();
const linesOf = (p: string) => {
  if (!texts.has(p)) texts.set(p, readFileSync(p, 'latin1').split('\n'));
  return texts.get(p)!;
};

/** The longest literal run of the format string in `code` (its first string, adjacent literals joined), between conversions. */
function longestLiteral(code: string): string {
  const first = /"(?:[^"\\]|\\.)*"(?:\s*"(?:[^"\\]|\\.)*")*/.exec(code)?.[0] ?? '';
  const literals = [...first.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
  const text = literals.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  return text
    .split(/%[-+ #0-9.*]*[uxX]*(?:[lLzZ]|ll)?[a-zA-Z]|\\[ntr]/)
    .reduce((a, b) => (b.length > a.length ? b : a), '');
}

for (const version of DEBIAN_VERSIONS) {
  test(`nginx ${version}: every phase-index function resolves to the line grep finds`, async (t) => {
    const { tree, missing } = nginxTreeOf(version);
    if (!tree) return t.skip(missing);
    for (const { file, fn } of allIndexedFunctions()) {
      const grep = grepDefinition(tree.root, file, fn);
      assert.equal(grep.length, 1, `${version}: grep finds one definition of ${fn} in ${file}`);
      const range = await resolveFunctionRange(tree, file, fn);
      assert.equal(range?.line, grep[0], `${version}: ${fn}`);
      assert.equal(linesOf(join(tree.root, file))[range!.endLine! - 1], '}', `${version}: ${fn} ends on a brace`);
    }
  });

  test(`nginx ${version}: recorded debug logs map >= 90% of core lines to lines that hold their text`, async (t) => {
    const { tree, missing } = nginxTreeOf(version);
    if (!tree) return t.skip(missing);
    let core = 0;
    let mapped = 0;
    for (const [log, id] of RECORDED) {
      const r = await stepsFromDebugLog(log, id, tree);
      for (const s of r.steps) {
        if (s.phase === 'lua') continue;
        core++;
        if (!s.source) continue;
        mapped++;
        assert.ok(s.source.path.startsWith(tree.root), s.source.path);
        const text = linesOf(s.source.path)
          .slice(s.source.line! - 1, s.source.endLine ?? s.source.line)
          .join('\n');
        assert.match(text, /ngx_log_debug/, `${s.message} -> ${s.source.path}:${s.source.line}`);
        // The format string on those lines has literal text, and the message holds its longest piece.
        const piece = longestLiteral(text).trim();
        if (piece) assert.ok(s.message.includes(piece), `${version}: "${piece}" (${text.trim()}) in "${s.message}"`);
      }
    }
    assert.ok(core >= 400, `${core} core debug lines`);
    assert.ok(mapped / core >= 0.9, `${version}: ${mapped} of ${core} mapped`);
  });
}

test('the debug formats come from the tree at hand: HTTP/2 push is gone after 1.22, HTTP/3 came in 1.25', async (t) => {
  const a = nginxTreeOf('1.22.1').tree!;
  const { tree: b, missing } = nginxTreeOf('1.26.3');
  if (!b) return t.skip(missing);
  const [ia, ib] = [await debugIndex(a), await debugIndex(b)];
  const has = (i: typeof ia, f: string) => i.sites.some((s) => s.format === f);
  assert.ok(has(ia, 'http2 push resource') && !has(ib, 'http2 push resource'));
  assert.ok(!has(ia, 'http3 init request stream') && has(ib, 'http3 init request stream'));
  assert.deepEqual(matchMessage(ia, 'http3 init request stream'), []);
  assert.equal(matchMessage(ib, 'http3 init request stream')[0]?.file, 'src/http/v3/ngx_http_v3_request.c');
});

test('a debug log mapped with another version: a warning names both versions', async (t) => {
  const { tree, missing } = nginxTreeOf('1.26.3');
  if (!tree) return t.skip(missing);
  const r = await stepsFromDebugLog(KEEPALIVE, 'kt-first-0001', tree);
  const d = r.diagnostics.find((x) => x.code === 'nginx-debug-version-mismatch');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /nginx 1\.22\.1/);
  assert.match(d.message, /nginx 1\.26\.3/);
  const same = await stepsFromDebugLog(KEEPALIVE, 'kt-first-0001', nginxTreeOf('1.22.1').tree!);
  assert.ok(!same.diagnostics.some((x) => x.code === 'nginx-debug-version-mismatch'), 'same version: no warning');
});

test('without the startup line, formats that do not match above the threshold are the mismatch signal', async () => {
  // A tree that lacks src/http: nearly every request line finds no format.
  const real = nginxTreeOf('1.22.1').tree!;
  const dir = mkdtempSync(join(tmpdir(), 'kt-ngx-'));
  try {
    cpSync(join(real.root, 'src', 'event'), join(dir, 'src', 'event'), { recursive: true });
    const noStartup = KEEPALIVE.filter((l) => !/\[notice\]/.test(l));
    const r = await stepsFromDebugLog(noStartup, 'kt-first-0001', { root: dir, version: '1.99.0' });
    const d = r.diagnostics.find((x) => x.code === 'nginx-debug-version-mismatch');
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.match(d.message, /nginx 1\.99\.0/);
    assert.match(d.message, /running version is unknown/);
    assert.ok(!r.diagnostics.some((x) => x.code === 'nginx-debug-unmatched'), 'one diagnostic, not two');
    // Under the threshold it stays an info line.
    const ok = await stepsFromDebugLog(noStartup, 'kt-first-0001', real);
    assert.ok(!ok.diagnostics.some((x) => x.code === 'nginx-debug-version-mismatch'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lua-nginx-module lines form a lua group with the module named, and are not counted as unmatched', async () => {
  const tree = nginxTreeOf('1.22.1').tree!;
  const r = await stepsFromDebugLog(LUA, 'kt-lua-0001', tree);
  const lua = r.steps.filter((s) => s.phase === 'lua');
  assert.ok(lua.length >= 20, `${lua.length} lua steps`);
  for (const s of lua) {
    assert.match(s.module ?? '', /^lua-nginx-module/);
    assert.equal(s.source, undefined, 'core source holds no lua-nginx-module line');
  }
  for (const hook of ['lua rewrite handler', 'lua balancer peer', 'lua header filter', 'lua log handler']) {
    assert.ok(
      lua.some((s) => s.message.startsWith(hook)),
      hook,
    );
  }
  const picked = lua.find((s) => s.message.includes('balancer: picking'));
  assert.equal(picked?.module, 'lua-nginx-module: balancer_by_lua(nginx.conf:15)');
  assert.ok(!r.diagnostics.some((d) => d.code === 'nginx-debug-unmatched'), JSON.stringify(r.diagnostics));
  const core = r.steps.filter((s) => s.phase !== 'lua');
  assert.ok(
    core.every((s) => s.source),
    'every core line of the lua log maps',
  );
  // Core steps around the lua lines keep their own phases.
  assert.ok(core.some((s) => s.phase === 'upstream') && core.some((s) => s.phase === 'headers'));
});

test('moduleLine: ingress-nginx ngx.log lines name their Lua file; core lines are not claimed', () => {
  assert.deepEqual(moduleLine('[lua] balancer.lua:348: balance(): picked 10.0.0.7:8080'), {
    phase: 'lua',
    module: 'lua-nginx-module: balancer.lua',
  });
  assert.equal(moduleLine('[lua] monitor.lua:99: call(): flushed')?.module, 'lua-nginx-module: monitor.lua');
  for (const core of ['http header: "lua: x"', 'http upstream request: "/"', 'rewrite phase: 1', 'generic phase: 0'])
    assert.equal(moduleLine(core), undefined, core);
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const m = moduleLine(s);
      if (m) assert.equal(m.phase, 'lua');
      if (!/^(\[lua\]|lua|http lua|stream lua|looking up|code cache|add lua|ngx)/.test(s)) assert.equal(m, undefined);
    }),
    { numRuns: 2000, verbose: true },
  );
});
