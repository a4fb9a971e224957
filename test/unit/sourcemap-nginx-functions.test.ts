import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allIndexedFunctions,
  parseFunctionDefs,
  resolveFunctionLine,
  resolveFunctionRange,
} from '../../src/core/sourcemap/nginx';
import { grepDefinition, nginxTree } from '../fixtures/nginx-debug/source';

test('every function in the phase index resolves to its definition line, as grep finds it', async () => {
  const tree = nginxTree();
  const fns = allIndexedFunctions();
  assert.ok(fns.length >= 30, `the index names ${fns.length} functions`);
  for (const { file, fn } of fns) {
    const grep = grepDefinition(tree.root, file, fn);
    assert.equal(grep.length, 1, `grep finds exactly one definition of ${fn} in ${file}`);
    const range = await resolveFunctionRange(tree, file, fn);
    assert.ok(range, `${fn} resolves in ${file}`);
    assert.equal(range.line, grep[0], `${fn} line`);
    assert.equal(await resolveFunctionLine(tree, file, fn), grep[0]);
    const lines = readFileSync(join(tree.root, file), 'latin1').split('\n');
    assert.ok(range.endLine && range.endLine > range.line, `${fn} has an end line`);
    assert.equal(lines[range.endLine - 1], '}', `${fn} ends on a column-0 brace`);
    // The body between holds no other definition.
    const inner = lines.slice(range.line, range.endLine - 1).filter((l) => /^[A-Za-z_]\w*\(/.test(l));
    assert.deepEqual(inner, [], `${fn} body holds no other definition`);
  }
});

test('a function that is not in the file resolves to undefined, and a missing file too', async () => {
  const tree = nginxTree();
  assert.equal(await resolveFunctionLine(tree, 'src/http/ngx_http_request.c', 'ngx_no_such_function'), undefined);
  assert.equal(await resolveFunctionLine(tree, 'src/http/no_such_file.c', 'ngx_http_process_request'), undefined);
  assert.equal(
    await resolveFunctionLine(tree, '../../../etc/passwd', 'root'),
    undefined,
    'paths outside the tree are refused',
  );
});

test('prototypes, calls and multi-line parameter lists are told apart from definitions', () => {
  const c = [
    '#include <ngx_core.h>',
    'static ngx_int_t ngx_foo(ngx_http_request_t *r);', // 2: prototype, name not at col 0
    'ngx_int_t',
    'ngx_bar(ngx_http_request_t *r,', // 4: prototype at col 0, multi-line
    '    ngx_uint_t n);',
    '',
    'static ngx_int_t',
    'ngx_foo(ngx_http_request_t *r)', // 8: definition
    '{',
    '    if (r) { return ngx_bar(r, 1); }',
    '    /* } */',
    '}', // 12
    '',
    'ngx_int_t',
    'ngx_bar(ngx_http_request_t *r, /* (comment) */', // 15: definition over two lines
    '    ngx_uint_t n)',
    '{',
    '    return n;',
    '}', // 19
  ].join('\n');
  const defs = parseFunctionDefs(c);
  assert.deepEqual(defs.get('ngx_foo'), { name: 'ngx_foo', line: 8, endLine: 12 });
  assert.deepEqual(defs.get('ngx_bar'), { name: 'ngx_bar', line: 15, endLine: 19 });
  assert.equal(defs.size, 2);
});
