import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findProgram, findPython } from '../../src/core/programs';

const only =
  (...files: string[]) =>
  (f: string) =>
    files.includes(f);

test('the override wins, even over a runnable /usr/sbin copy', () => {
  assert.equal(
    findProgram('nginx', 'KUBETRACE_NGINX', { KUBETRACE_NGINX: '/opt/x/nginx' }, only('/usr/sbin/nginx')),
    '/opt/x/nginx',
  );
});

test("Debian's /usr/sbin comes before the PATH, which is not a normal user's", () => {
  const env = { PATH: '/usr/local/bin:/usr/bin' };
  assert.equal(findProgram('nginx', 'X', env, only('/usr/sbin/nginx', '/usr/local/bin/nginx')), '/usr/sbin/nginx');
});

test('the PATH, in order, then Homebrew on Apple silicon when the editor was started without it', () => {
  assert.equal(
    findProgram('haproxy', 'X', { PATH: '/a:/b' }, only('/b/haproxy', '/opt/homebrew/bin/haproxy')),
    '/b/haproxy',
  );
  assert.equal(
    findProgram('haproxy', 'X', { PATH: '/usr/bin:/bin' }, only('/opt/homebrew/bin/haproxy')),
    '/opt/homebrew/bin/haproxy',
  );
  assert.equal(findProgram('nginx', 'X', {}, only('/usr/local/bin/nginx')), '/usr/local/bin/nginx');
});

test('nothing found: /usr/sbin/<name>, so the error names where Debian puts it', () => {
  assert.equal(
    findProgram('nginx', 'X', { PATH: '/usr/bin' }, () => false),
    '/usr/sbin/nginx',
  );
});

test("python3: the override, else Debian's /usr/bin/python3 (it has Flask), else the PATH's", () => {
  const has = (f: string) => f === '/usr/bin/python3';
  assert.equal(findPython({ KUBETRACE_PYTHON: '/venv/bin/python' }, has), '/venv/bin/python');
  assert.equal(findPython({}, has), '/usr/bin/python3');
  assert.equal(
    findPython({}, () => false),
    'python3',
  );
});
