// Workspace trust and the kubeconfig: which location the editor uses per settings scope, and that a kubeconfig a
// Restricted-Mode workspace put in front of us never runs its credential command. The last tests load real
// kubeconfigs through client-node with an exec plugin that would create a marker file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { chooseKubeconfig, type KubeconfigInputs } from '../../src/core/kube/kubeconfig-choice';
import { credentialCommand, loadClientNode, loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester } from '../../src/core/kube/request';
import { KubetraceError } from '../../src/core/errors';

const HOME = '/home/u';
const WS = '/work/repo';
const base = (o: Partial<KubeconfigInputs> = {}): KubeconfigInputs => ({
  trusted: true,
  kubetrace: {},
  k8sTools: {},
  home: HOME,
  workspaceFolders: [WS],
  delimiter: ':',
  ...o,
});

test('trusted: folder over workspace over user settings, kubetrace.kubeconfig before Kubernetes Tools', () => {
  const all = { globalValue: '/u.yaml', workspaceValue: '/w.yaml', workspaceFolderValue: '/f.yaml' };
  assert.deepEqual(chooseKubeconfig(base({ kubetrace: all, k8sTools: { globalValue: '/t.yaml' } })), {
    value: '/f.yaml',
    from: 'kubetrace.kubeconfig',
    scope: 'folder settings',
    ignored: [],
    noCommands: undefined,
  });
  const tools = chooseKubeconfig(base({ k8sTools: { globalValue: '/t.yaml', workspaceValue: '~/w.yaml' } }));
  assert.equal(tools.value, `${HOME}/w.yaml`);
  assert.equal(tools.from, 'vs-kubernetes.kubeconfig');
  assert.equal(tools.scope, 'workspace settings');
  assert.equal(chooseKubeconfig(base({ env: '/e1:/e2' })).value, '/e1:/e2');
  assert.deepEqual(chooseKubeconfig(base()), {
    value: `${HOME}/.kube/config`,
    from: 'the default location',
    ignored: [],
    noCommands: undefined,
  });
  assert.equal(chooseKubeconfig(base({ override: '/o.yaml', kubetrace: all })).value, '/o.yaml');
});

test('untrusted: a workspace vs-kubernetes.kubeconfig is passed over, named in the notes, and user scope wins', () => {
  const attack = { workspaceValue: '/tmp/evil.yaml' };
  const c = chooseKubeconfig(base({ trusted: false, k8sTools: { ...attack, globalValue: '/home/u/sandbox.yaml' } }));
  assert.equal(c.value, '/home/u/sandbox.yaml');
  assert.equal(c.from, 'vs-kubernetes.kubeconfig');
  assert.equal(c.scope, 'user settings');
  assert.equal(c.noCommands, undefined);
  assert.equal(c.ignored.length, 1);
  assert.match(c.ignored[0], /^vs-kubernetes\.kubeconfig from the workspace settings \(\/tmp\/evil\.yaml\) is ignored/);
  assert.match(c.ignored[0], /not trusted \(Restricted Mode\)/);

  const only = chooseKubeconfig(
    base({ trusted: false, kubetrace: { workspaceFolderValue: '/f.yaml' }, k8sTools: attack, env: '/env.yaml' }),
  );
  assert.equal(only.value, '/env.yaml');
  assert.equal(only.from, 'KUBECONFIG');
  assert.equal(only.ignored.length, 2);
  // The same workspace value is used once the folder is trusted.
  assert.equal(chooseKubeconfig(base({ k8sTools: attack, env: '/env.yaml' })).value, '/tmp/evil.yaml');
});

test('untrusted: a kubeconfig inside the workspace, named by a setting or picked, may not run commands', () => {
  const viaUser = chooseKubeconfig(base({ trusted: false, kubetrace: { globalValue: '${workspaceFolder}/kc.yaml' } }));
  assert.equal(viaUser.value, `${WS}/kc.yaml`);
  assert.match(viaUser.noCommands ?? '', /lies in the workspace folder \/work\/repo.*Restricted Mode/);
  assert.ok(chooseKubeconfig(base({ trusted: false, override: `/x.yaml:${WS}/sub/kc` })).noCommands);
  assert.ok(chooseKubeconfig(base({ trusted: false, k8sTools: { globalValue: 'relative.yaml' } })).noCommands);
  assert.equal(
    chooseKubeconfig(base({ trusted: false, kubetrace: { globalValue: '/elsewhere/kc' } })).noCommands,
    undefined,
  );
  assert.equal(
    chooseKubeconfig(base({ kubetrace: { globalValue: '${workspaceFolder}/kc.yaml' } })).noCommands,
    undefined,
  );
  // The user's own KUBECONFIG and ~/.kube/config stay usable when the open folder is the home folder.
  assert.equal(chooseKubeconfig(base({ trusted: false, workspaceFolders: [HOME] })).noCommands, undefined);
  assert.equal(chooseKubeconfig(base({ trusted: false, env: `${WS}/kc` })).noCommands, undefined);
});

test('property: in Restricted Mode no workspace-scope value is ever chosen, and each one is named', () => {
  const path = fc.oneof(
    fc.constantFrom('/w/a.yaml', '${workspaceFolder}/k', '~/k', 'rel.yaml', `${WS}/x`, ''),
    fc.string({ maxLength: 12 }),
  );
  const scoped = fc.record(
    { globalValue: fc.option(path), workspaceValue: fc.option(path), workspaceFolderValue: fc.option(path) },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(scoped, scoped, fc.option(path), fc.option(path), (kubetrace, k8sTools, env, override) => {
      const i = base({ trusted: false, kubetrace, k8sTools, env: env ?? undefined, override: override || undefined });
      const c = chooseKubeconfig(i);
      const trustedPick = chooseKubeconfig({
        ...i,
        trusted: true,
        kubetrace: { globalValue: kubetrace.globalValue },
        k8sTools: { globalValue: k8sTools.globalValue },
      });
      assert.equal(c.value, trustedPick.value, 'the choice is the one user scope alone gives');
      const workspaceValues = [kubetrace, k8sTools].flatMap((v) =>
        [v.workspaceValue, v.workspaceFolderValue].filter((x) => typeof x === 'string' && x.trim()),
      );
      assert.equal(c.ignored.length, workspaceValues.length);
    }),
    { numRuns: 2000 },
  );
});

// ---- real kubeconfigs through client-node -------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-kc-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await loadClientNode();
});
let n = 0;
function trap(user: object): { file: string; marker: string } {
  const sub = join(dir, `case-${++n}`);
  mkdirSync(sub);
  const marker = join(sub, 'ran');
  const file = join(sub, 'kubeconfig');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u', user: JSON.parse(JSON.stringify(user).replaceAll('MARKER', marker)) }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return { file, marker };
}
const execUser = {
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: '/bin/sh',
    args: [
      '-c',
      'touch MARKER; echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}\'',
    ],
    interactiveMode: 'Never',
  },
};

test('the exec plugin trap really runs when commands are allowed (so the refusal below is meaningful)', async () => {
  const t = trap(execUser);
  const config = await loadKubeconfig({ kubeconfig: t.file });
  await (new KubeRequester(config) as unknown as { options(): Promise<unknown> }).options();
  assert.ok(existsSync(t.marker), 'the exec plugin ran');
});

test('noCommands: an exec plugin or a gcp cmd-path is refused before client-node could run it', async () => {
  const gcp = { 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/touch', 'cmd-args': 'MARKER' } } };
  for (const user of [execUser, gcp]) {
    const t = trap(user);
    await assert.rejects(loadKubeconfig({ kubeconfig: t.file, noCommands: 'because the test says so' }), (e) => {
      assert.ok(e instanceof KubetraceError);
      assert.equal(e.code, 'untrusted-command');
      assert.match(
        e.message,
        /^Kubetrace did not run `\/bin\/(sh|touch)`, the credential command of user "u": because/,
      );
      assert.ok(
        !e.message.includes('touch MARKER') && !e.message.includes(t.marker),
        'arguments stay out of the message',
      );
      assert.match(e.hint ?? '', /Manage Workspace Trust/);
      return true;
    });
    assert.ok(!existsSync(t.marker), 'nothing ran');
  }
  const plain = trap({ token: 'abc' });
  const ok = await loadKubeconfig({ kubeconfig: plain.file, noCommands: 'x' });
  assert.equal(ok.user, 'u');
  assert.equal(credentialCommand(ok.kc.getCurrentUser()), undefined);
});

test('a failing exec plugin that prints its token on stderr: the error keeps the cause, not the token', async () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06YWRtaW4ifQ.c2lnbmF0dXJlLWJ5dGVz';
  const opaque = 'AKIAxQ7v9P2mLw8Zr4Tn6Ys1Hb3Kd5Jf0Ge2Uc8';
  const t = trap({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: '/bin/sh',
      args: ['-c', `echo "refresh failed for token ${jwt} (session ${opaque}): expired" >&2; exit 1`],
      interactiveMode: 'Never',
    },
  });
  const config = await loadKubeconfig({ kubeconfig: t.file });
  await assert.rejects((new KubeRequester(config) as unknown as { options(): Promise<unknown> }).options(), (e) => {
    assert.ok(e instanceof KubetraceError);
    assert.match(e.message, /^cannot authenticate to the cluster: .*refresh failed for token \[redacted\].*expired/);
    assert.ok(!e.message.includes(jwt.slice(0, 20)) && !e.message.includes(opaque), e.message);
    return true;
  });
});
