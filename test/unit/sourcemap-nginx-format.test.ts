import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanDebugCalls, WILDCARD } from '../../src/core/sourcemap/nginx/c-scan';
import { compileFormat, matchTokens } from '../../src/core/sourcemap/nginx/format';
import { debugIndex, forgetDebugIndex, matchMessage } from '../../src/core/sourcemap/nginx/debug-index';
import { nginxTree } from '../fixtures/nginx-debug/source';

const m = (fmt: string, msg: string, cut = false) => matchTokens(compileFormat(fmt), msg, cut);

test('format directives match what ngx_vslprintf prints', () => {
  assert.ok(m('http header: "%V: %V"', 'http header: "X-Request-ID: abc"'));
  assert.ok(m('rewrite phase: %ui', 'rewrite phase: 13'));
  assert.ok(!m('rewrite phase: %ui', 'rewrite phase: x'));
  assert.ok(m('malloc: %p:%uz', 'malloc: 000055C975F833C0:1024'));
  assert.ok(!m('malloc: %p:%uz', 'malloc: 000055c975f833c0:1024'), '%p prints upper-case hex');
  assert.ok(m('event timer add: %d: %M:%M', 'event timer add: 8: 60000:705793'));
  assert.ok(m('timer: %M', 'timer: -1'), '%M prints -1 signed');
  assert.ok(m('http cl:%O max:%O', 'http cl:-1 max:1048576'));
  assert.ok(m('hash: %xi', 'hash: 7fa3'));
  assert.ok(!m('hash: %xi', 'hash: 7FA3'));
  assert.ok(m('hash: %Xd', 'hash: 7FA3'));
  assert.ok(m('bytes: %*xs', 'bytes: 0a0b'));
  assert.ok(!m('bytes: %*xs', 'bytes: zz'));
  assert.ok(m('width: %4d|', 'width:   12|'), 'space padding');
  assert.ok(m('zero: %08xD', 'zero: 0000abcd'));
  assert.ok(m('time: %T.%03M', 'time: 1700000000.042'));
  assert.ok(m('ratio %.2f', 'ratio 3.14'));
  assert.ok(m('char %c!', 'char x!'));
  assert.ok(m('100%% done %s', '100% done now'));
  assert.ok(m('dump:%N"%*s"', 'dump:\n"GET / HTTP/1.1\r\nHost: a\r\n"'));
  assert.ok(m('%s socket %d', 'stream socket 9'));
  assert.ok(!m('x %d y', 'x  y'), 'a number needs a digit');
  assert.ok(m('a %V b', 'a  b'), 'a string may be empty');
  assert.ok(m('long %V tail', 'long abcdefgh', true), 'cut messages match when allowed');
  assert.ok(!m('long %V tail', 'long abcdefgh'));
  assert.ok(m('http finalize request: %i, "%V?%V" a:%d, c:%d', 'http finalize request: -4, "/orders/1?" a:1, c:2'));
});

test('the scanner reads formats from multi-line calls, concatenated literals, escapes and macros', () => {
  const c = [
    'static void f(void) {',
    '    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,',
    '                   "http header: \\"%V: %V\\"",',
    '                   &h->key, &h->value);',
    '    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, log, 0, "part one, "',
    '                   /* comment, with "quotes" */ "part two");',
    '    ngx_log_debug1(NGX_LOG_DEBUG_CORE, log, 0, "tid " NGX_TID_T_FMT " x" SOME_MACRO, t);',
    '    ngx_log_debug1(NGX_LOG_DEBUG_CORE, log, 0, fmt, t);',
    '    ngx_log_debug3(NGX_LOG_DEBUG_CORE, log, 0, "paren (%d) %s", f(a, (b)), \')\', ",");',
    '    ngx_log_debug(NGX_LOG_DEBUG_CORE, log, 0, "variadic %d", n);',
    '}',
  ].join('\n');
  const calls = scanDebugCalls(c);
  assert.deepEqual(
    calls.map((x) => [x.line, x.endLine, x.format]),
    [
      [2, 4, 'http header: "%V: %V"'],
      [5, 6, 'part one, part two'],
      [7, 7, `tid %P x${WILDCARD}`],
      [9, 9, 'paren (%d) %s'],
      [10, 10, 'variadic %d'],
    ],
  );
});

test('the whole 1.22.1 tree compiles to matchers well under a second of CPU', async () => {
  const tree = nginxTree();
  forgetDebugIndex(tree.root);
  const cpu0 = process.cpuUsage();
  const index = await debugIndex(tree);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  assert.ok(index.sites.length >= 1250, `found ${index.sites.length} ngx_log_debug calls`);
  assert.ok(cpuMs < 1000, `building took ${cpuMs.toFixed(0)} ms of CPU (${index.buildMs.toFixed(0)} ms wall)`);
  // Each site's line range holds the first piece of literal text of its format.
  const texts = new Map<string, string[]>();
  for (const s of index.sites) {
    if (!texts.has(s.file)) texts.set(s.file, readFileSync(join(tree.root, s.file), 'latin1').split('\n'));
    const text = texts
      .get(s.file)!
      .slice(s.line - 1, s.endLine)
      .join('\n');
    assert.match(text, /ngx_log_debug/, `${s.file}:${s.line}`);
    const lit = s.toks.find((t) => t.t === 'lit');
    if (lit?.t === 'lit') {
      const words = lit.s
        .replace(/[\r\n"\\]/g, ' ')
        .trim()
        .split(/\s+/)[0];
      if (words) assert.ok(text.includes(words), `${s.file}:${s.line} holds "${words}"`);
    }
  }
});

test('matching prefers the most literal format, then http over stream and mail, and keeps ties as ambiguity', async () => {
  const index = await debugIndex(nginxTree());
  const header = matchMessage(index, 'http header: "X-Request-ID: abc"');
  assert.equal(header.length, 1);
  assert.equal(header[0].file, 'src/http/ngx_http_request.c');
  assert.equal(header[0].function, 'ngx_http_process_request_headers');
  // "ssl new session" style messages exist in both http and stream modules; take one that is shared.
  const shared = index.sites.filter(
    (s) =>
      s.rank === 1 && index.sites.some((h) => h.rank === 0 && h.file.startsWith('src/http/') && h.format === s.format),
  );
  assert.ok(shared.length > 0, 'some format appears in both http and stream/mail');
  const sample = shared[0];
  const msg = sample.format
    .replace(/%[0-9]*[uxXm*.]*[Vvs]/g, 'v')
    .replace(/%[0-9]*[uxXm*.]*[diOzDLAMTP]/g, '1')
    .replace(/%p/g, '00AB');
  const hits = matchMessage(index, msg);
  assert.ok(hits.length >= 1, `"${msg}" matches`);
  assert.ok(
    hits.every((h) => h.rank === 0),
    'stream/mail candidates are dropped when http ones fit',
  );
  const twice = matchMessage(index, 'http proxy header: "Host: x"');
  assert.ok(twice.length >= 2, 'a message logged from two places stays ambiguous');
  assert.ok(twice.every((h) => h.format === 'http proxy header: "%V: %V"'));
  assert.deepEqual(matchMessage(index, 'nothing nginx ever said'), []);
  assert.deepEqual(
    matchMessage(index, 'single line that only "%*s" would fit'),
    [],
    'pure wildcards need a multi-line dump',
  );
});
