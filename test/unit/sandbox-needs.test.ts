// What Start Sandbox says when system packages are missing (src/core/sandbox-needs.ts), with the command probe
// injected: each case is a machine where some of the sandbox's programs do not run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  installLine,
  missingMessage,
  missingSandboxNeeds,
  optionalMessage,
  type CommandProbe,
} from '../../src/core/sandbox-needs';

/** A machine where the listed commands (with their first argument) fail and everything else runs. */
function machine(failing: string[]): { probe: CommandProbe; asked: string[] } {
  const asked: string[] = [];
  const probe: CommandProbe = async (command, args) => {
    const call = `${command} ${args.join(' ')}`;
    asked.push(call);
    return !failing.some((f) => call.startsWith(f));
  };
  return { probe, asked };
}
const debian = { env: {}, exists: (p: string) => p === '/usr/bin/python3' };

test('everything installed: nothing is missing, and each program is the one the sandbox runs', async () => {
  const m = machine([]);
  assert.deepEqual(await missingSandboxNeeds(m.probe, debian), []);
  assert.deepEqual(m.asked.sort(), [
    '/usr/bin/python3 -c import flask',
    '/usr/sbin/haproxy -v',
    '/usr/sbin/nginx -v',
    'openssl version',
  ]);
});

test('nginx and Flask missing: both named, with the apt and brew lines that install them', async () => {
  const missing = await missingSandboxNeeds(machine(['/usr/sbin/nginx', '/usr/bin/python3']).probe, debian);
  assert.deepEqual(
    missing.map((n) => n.name),
    ['nginx', 'Flask for python3'],
  );
  assert.equal(
    missingMessage(missing),
    'The sandbox needs nginx and Flask for python3, which are not installed. ' +
      'Debian/Ubuntu: sudo apt-get install -y nginx python3-flask. ' +
      'macOS: brew install nginx && python3 -m pip install --user flask.',
  );
  assert.equal(installLine(missing, 'linux'), 'sudo apt-get install -y nginx python3-flask');
  assert.equal(installLine(missing, 'darwin'), 'brew install nginx && python3 -m pip install --user flask');
});

test('a required package and haproxy missing: the required one leads, the install lines carry both', async () => {
  const missing = await missingSandboxNeeds(machine(['/usr/sbin/haproxy', 'openssl']).probe, debian);
  assert.deepEqual(
    missing.map((n) => [n.name, n.required]),
    [
      ['openssl', true],
      ['haproxy', false],
    ],
  );
  assert.equal(
    missingMessage(missing),
    'The sandbox needs openssl, which is not installed. Debian/Ubuntu: sudo apt-get install -y openssl haproxy. ' +
      'macOS: brew install openssl haproxy.',
  );
});

test('only haproxy missing: the sandbox may start, and the message says what does not work without it', async () => {
  const missing = await missingSandboxNeeds(machine(['/usr/sbin/haproxy']).probe, debian);
  assert.deepEqual(
    missing.map((n) => [n.name, n.required]),
    [['haproxy', false]],
  );
  const text = optionalMessage(missing);
  assert.match(text, /^haproxy is not installed: the sandbox starts without it/);
  assert.match(text, /catalog-haproxy/);
  assert.match(text, /Debian\/Ubuntu: sudo apt-get install -y haproxy\. macOS: brew install haproxy\.$/);
});

test('the overrides the sandbox honours are the programs checked; a probe that throws counts as missing', async () => {
  const m = machine([]);
  const env = { KUBETRACE_NGINX: '/opt/nginx/sbin/nginx', KUBETRACE_HAPROXY: '/opt/hap', KUBETRACE_PYTHON: 'py3' };
  await missingSandboxNeeds(m.probe, { env, exists: () => true });
  assert.ok(m.asked.includes('/opt/nginx/sbin/nginx -v'));
  assert.ok(m.asked.includes('/opt/hap -v'));
  assert.ok(m.asked.includes('py3 -c import flask'));
  // No /usr/bin/python3: the python3 on PATH, as src/sandbox/runtime/apps.ts picks it.
  const n = machine([]);
  await missingSandboxNeeds(n.probe, { env: {}, exists: () => false });
  assert.ok(n.asked.includes('python3 -c import flask'));
  const throwing: CommandProbe = async (command) => {
    if (command === 'openssl') throw new Error('spawn EACCES');
    return true;
  };
  assert.deepEqual(
    (await missingSandboxNeeds(throwing, debian)).map((x) => x.name),
    ['openssl'],
  );
});
