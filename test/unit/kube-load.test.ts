// Kubeconfig loading as kubectl does it, on real files in a temp folder through real client-node: several files
// (first one wins), contexts by name, namespaces per context, and malformed files turned into one clear error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { kubeconfigFiles, loadKubeconfig } from '../../src/core/kube/load';
import { KubetraceError } from '../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-kubeconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: unknown, name = `kc-${++n}.yaml`) => {
  const f = join(dir, name);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, typeof content === 'string' ? content : stringify(content));
  return f;
};
const config = (o: {
  clusters?: [string, string][];
  users?: [string, object][];
  contexts?: [string, string, string, string?][];
  current?: string;
}) => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: (o.clusters ?? []).map(([name, server]) => ({ name, cluster: { server } })),
  users: (o.users ?? []).map(([name, user]) => ({ name, user })),
  contexts: (o.contexts ?? []).map(([name, cluster, user, namespace]) => ({
    name,
    context: { cluster, user, ...(namespace ? { namespace } : {}) },
  })),
  ...(o.current !== undefined ? { 'current-context': o.current } : {}),
});
const fails = async (p: Promise<unknown>, message: RegExp, hint?: RegExp) => {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof KubetraceError, `not a KubetraceError: ${e}`);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), `message is not one line: ${e.message}`);
    if (hint) assert.match(e.hint ?? '', hint);
    return true;
  });
};

const a = file(
  config({
    clusters: [
      ['prod', 'https://10.0.0.1:6443'],
      ['shared', 'https://first.example:6443'],
    ],
    users: [
      ['alice', { token: 'a-token' }],
      ['shared-user', { token: 'from-first' }],
    ],
    contexts: [
      ['prod', 'prod', 'alice', 'payments'],
      ['shared', 'shared', 'shared-user'],
    ],
    current: 'prod',
  }),
);
const b = file(
  config({
    clusters: [
      ['staging', 'https://10.0.0.2:6443/'],
      ['shared', 'https://second.example:6443'],
    ],
    users: [
      ['bob', { token: 'b-token' }],
      ['shared-user', { token: 'from-second' }],
    ],
    contexts: [
      ['staging', 'staging', 'bob', 'qa'],
      ['shared', 'staging', 'bob'],
    ],
    current: 'staging',
  }),
);

test("KUBECONFIG with several files merges them; the first file's current context wins", async () => {
  const old = process.env.KUBECONFIG;
  process.env.KUBECONFIG = [a, join(dir, 'does-not-exist.yaml'), b].join(delimiter);
  try {
    const c = await loadKubeconfig();
    assert.deepEqual(c.files, [a, b], 'a listed file that does not exist is skipped, as kubectl does');
    assert.equal(c.contextName, 'prod');
    assert.equal(c.namespace, 'payments');
    assert.equal(c.server, 'https://10.0.0.1:6443');
    assert.equal(c.user, 'alice');
    assert.deepEqual(
      c.kc
        .getContexts()
        .map((x) => x.name)
        .sort(),
      ['prod', 'shared', 'staging'],
    );
    // A name defined twice: the first file's value is kept (kubectl's rule), not an error.
    assert.equal(c.kc.getCluster('shared')?.server, 'https://first.example:6443');
    assert.equal(c.kc.getUser('shared-user')?.token, 'from-first');
    assert.equal(c.kc.getContextObject('shared')?.cluster, 'shared');
    const s = await loadKubeconfig({ context: 'staging' });
    assert.deepEqual([s.contextName, s.namespace, s.server, s.user], ['staging', 'qa', 'https://10.0.0.2:6443', 'bob']);
  } finally {
    if (old === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = old;
  }
});

test("the order of the files decides; a first file without current-context takes the next one's", async () => {
  const c = await loadKubeconfig({ kubeconfig: [b, a].join(delimiter) });
  assert.equal(c.contextName, 'staging');
  assert.equal(c.kc.getCluster('shared')?.server, 'https://second.example:6443');
  const noCurrent = file(
    config({ clusters: [['x', 'https://x.example']], users: [['u', { token: 't' }]], contexts: [['x', 'x', 'u']] }),
  );
  const d = await loadKubeconfig({ kubeconfig: [noCurrent, b].join(delimiter) });
  assert.equal(d.contextName, 'staging');
  const empty = file('  \n');
  const e = await loadKubeconfig({ kubeconfig: [empty, a].join(delimiter) });
  assert.equal(e.contextName, 'prod', 'an empty file is an empty config, as in kubectl');
});

test('relative certificate paths are resolved against the file that names them', async () => {
  const sub = join(dir, 'nested');
  const f = file(
    {
      ...config({
        users: [['cert', { 'client-certificate': 'certs/client.crt', 'client-key': 'certs/client.key' }]],
        contexts: [['c', 'prod', 'cert']],
        current: 'c',
      }),
    },
    'nested/kc.yaml',
  );
  const c = await loadKubeconfig({ kubeconfig: [f, a].join(delimiter) });
  assert.equal(c.server, 'https://10.0.0.1:6443', 'the cluster comes from the second file');
  assert.equal(c.kc.getUser('cert')?.certFile, join(sub, 'certs/client.crt'));
  assert.equal(c.kc.getUser('cert')?.keyFile, join(sub, 'certs/client.key'));
});

test('a context chosen by name, with its own namespace or "default"', async () => {
  const c = await loadKubeconfig({ kubeconfig: a, context: 'shared' });
  assert.deepEqual(
    [c.contextName, c.namespace, c.server, c.user],
    ['shared', 'default', 'https://first.example:6443', 'shared-user'],
  );
  assert.equal(c.kc.getCurrentContext(), 'shared', 'client-node uses the chosen context for auth too');
});

test('an unknown context is an error listing the known ones', async () => {
  await fails(
    loadKubeconfig({ kubeconfig: [a, b].join(delimiter), context: 'nope' }),
    /^context "nope" is not in the kubeconfig$/,
    /^known contexts: prod, shared, staging$/,
  );
});

test('kubeconfigFiles: explicit beats KUBECONFIG beats ~/.kube/config', () => {
  assert.deepEqual(kubeconfigFiles(`x${delimiter} y ${delimiter}${delimiter}`, { KUBECONFIG: 'z' }), ['x', 'y']);
  assert.deepEqual(kubeconfigFiles(undefined, { KUBECONFIG: `z${delimiter}w` }), ['z', 'w']);
  assert.deepEqual(kubeconfigFiles(undefined, { KUBECONFIG: '  ' }), [join(homedir(), '.kube', 'config')]);
});

const malformed: { name: string; content: string | object; message: RegExp; hint: RegExp; context?: string }[] = [
  {
    name: 'bad YAML',
    content: 'apiVersion: v1\nclusters: [\n  - bad\n',
    message: /^cannot read kubeconfig .*kc-\d+\.yaml: .*(flow|comma|collection)/,
    hint: /valid kubeconfig YAML/,
  },
  {
    name: 'tab-indented YAML',
    content: 'clusters:\n\t- name: x\n',
    message: /^cannot read kubeconfig /,
    hint: /valid kubeconfig YAML/,
  },
  {
    name: 'a cluster without server',
    content: {
      clusters: [{ name: 'c', cluster: {} }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    },
    message: /clusters\[0\]\.cluster\.server is missing/,
    hint: /valid kubeconfig YAML/,
  },
  {
    name: 'a user without name',
    content: { users: [{ user: { token: 't' } }] },
    message: /users\[0\]\.name is missing/,
    hint: /valid kubeconfig YAML/,
  },
  {
    name: 'a context without cluster',
    content: { contexts: [{ name: 'x', context: { user: 'u' } }] },
    message: /contexts\[0\]\.context\.cluster is missing/,
    hint: /valid kubeconfig YAML/,
  },
  {
    name: 'a token-file that does not exist',
    content: { users: [{ name: 'u', user: { 'token-file': '/nonexistent/kubetrace-token' } }] },
    message: /cannot read kubeconfig .*ENOENT/,
    hint: /valid kubeconfig YAML/,
  },
  {
    name: 'a context naming a missing cluster',
    content: config({
      clusters: [['real', 'https://r.example']],
      users: [['u', { token: 't' }]],
      contexts: [['x', 'ghost', 'u']],
      current: 'x',
    }),
    message: /^context "x" names cluster "ghost", which is not in the kubeconfig$/,
    hint: /^known clusters: real;/,
  },
  {
    name: 'a context naming a missing user',
    content: config({
      clusters: [['c', 'https://c.example']],
      users: [['alice', { token: 't' }]],
      contexts: [['x', 'c', 'ghost']],
      current: 'x',
    }),
    message: /^context "x" names user "ghost", which is not in the kubeconfig$/,
    hint: /^known users: alice;/,
  },
  {
    name: 'a current-context that does not exist',
    content: config({
      clusters: [['c', 'https://c.example']],
      contexts: [['x', 'c', 'u']],
      users: [['u', {}]],
      current: 'gone',
    }),
    message: /^the kubeconfig has no current context$/,
    hint: /--context NAME/,
  },
  { name: 'an empty file', content: '', message: /^the kubeconfig has no current context$/, hint: /--context NAME/ },
  {
    name: 'a YAML scalar',
    content: 'just text',
    message: /^the kubeconfig has no current context$/,
    hint: /--context NAME/,
  },
];
for (const m of malformed) {
  test(`malformed kubeconfig: ${m.name} → one-line error with a hint`, async () => {
    await fails(loadKubeconfig({ kubeconfig: file(m.content), context: m.context }), m.message, m.hint);
  });
}

test('no kubeconfig at all names where it looked', async () => {
  await fails(
    loadKubeconfig({ kubeconfig: join(dir, 'missing-1') + delimiter + join(dir, 'missing-2') }),
    /^no kubeconfig found \(looked at .*missing-1, .*missing-2\)$/,
    /--kubeconfig FILE/,
  );
});

test('a folder given as the kubeconfig is a read error, not a crash', async () => {
  await fails(loadKubeconfig({ kubeconfig: dir }), /^cannot read kubeconfig .*EISDIR/, /valid kubeconfig YAML/);
});
