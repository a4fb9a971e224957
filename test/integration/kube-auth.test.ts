// Kubeconfig auth end to end with real client-node: bearer tokens and token files against the sandbox API
// stand-in, exec credential plugins (real scripts), client certificates (openssl PKI, a local HTTPS server that
// requires them) and the cluster's proxy-url (a real CONNECT proxy in front of the API stand-in).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTestCluster, type TestCluster } from './api-harness';
import { loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester } from '../../src/core/kube/request';
import { KubeApiError } from '../../src/core/kube/errors';
import { readRouteTree } from '../../src/core/kube/route-tree';
import { execInPod } from '../../src/core/kube/exec';
import { KubetraceError } from '../../src/core/errors';
import { makePki, type Pki } from '../fixtures/kube/pki';
import { startConnectProxy, type ConnectProxy } from '../fixtures/kube/connect-proxy';

let cluster: TestCluster;
let dir: string;
let pki: Pki;
let certServer: https.Server;
let certServerUrl: string;
let proxy: ConnectProxy;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubetrace-auth-'));
  cluster = await startTestCluster({ podSubnet: '127.10.76' });
  pki = makePki(dir);
  // An API server that admits only clients with a certificate from the CA, and says whose it was.
  certServer = https.createServer(
    { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ gitVersion: 'v1.30.0', path: req.url, user: peer.subject?.CN, groups: peer.subject?.O }),
      );
    },
  );
  await new Promise<void>((r) => certServer.listen(0, '127.0.0.1', r));
  certServerUrl = `https://127.0.0.1:${(certServer.address() as AddressInfo).port}`;
  proxy = await startConnectProxy();
});
after(async () => {
  certServer?.closeAllConnections();
  await new Promise((r) => certServer?.close(r));
  await proxy?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function kubeconfig(user: object, cluster_: Record<string, unknown> = {}, namespace?: string): string {
  const f = join(dir, `kc-${++n}.yaml`);
  const name = `user-${n}`; // client-node caches exec credentials by user name
  writeFileSync(
    f,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [
        {
          name: 'c',
          cluster: {
            server: cluster.api.url,
            'certificate-authority-data': Buffer.from(cluster.api.caPem).toString('base64'),
            ...cluster_,
          },
        },
      ],
      users: [{ name, user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: name, ...(namespace ? { namespace } : {}) } }],
    }),
  );
  return f;
}
const requester = async (f: string) => new KubeRequester(await loadKubeconfig({ kubeconfig: f }));
const namespaces = async (api: KubeRequester) =>
  (await api.json<{ items: { metadata: { name: string } }[] }>({ path: '/api/v1/namespaces' })).items.map(
    (i) => i.metadata.name,
  );
const script = (name: string, body: string) => {
  const f = join(dir, name);
  writeFileSync(f, `#!/bin/sh\n${body}\n`);
  chmodSync(f, 0o755);
  return f;
};
const oneLineError = (re: RegExp, hint?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof KubetraceError, `not a KubetraceError: ${(e as Error)?.stack ?? e}`);
  assert.match(e.message, re);
  assert.ok(!e.message.includes('\n'), `not one line: ${JSON.stringify(e.message)}`);
  if (hint) assert.match(e.hint ?? '', hint);
  return true;
};

test('token auth: the admin token lists, a wrong token is a 401 naming the user', async () => {
  assert.ok((await namespaces(await requester(kubeconfig({ token: cluster.api.adminToken })))).includes('shop'));
  await assert.rejects(namespaces(await requester(kubeconfig({ token: 'wrong' }))), (e: unknown) => {
    oneLineError(/401 Unauthorized/, /refresh your credentials/)(e);
    assert.equal((e as KubeApiError).status, 401);
    assert.match((e as Error).message, /user "user-\d+"/);
    return true;
  });
});

test('token-file auth, and a namespace-restricted token that falls back to its namespace', async () => {
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, cluster.api.restrictedToken);
  const cfg = await loadKubeconfig({ kubeconfig: kubeconfig({ 'token-file': tokenFile }, {}, 'shop') });
  assert.equal(cfg.namespace, 'shop');
  const tree = await readRouteTree(new KubeRequester(cfg), { fallbackNamespace: cfg.namespace });
  assert.deepEqual(tree.scope, { kind: 'namespace', namespace: 'shop' });
  assert.match(tree.notices[0], /forbidden.*showing namespace "shop" only/);
  assert.ok(tree.entries.length > 0 && tree.entries.every((e) => e.namespace === 'shop'));
});

test('exec plugin auth: a real script prints an ExecCredential; its env is passed and its token cached until expiry', async () => {
  const count = join(dir, 'exec-count');
  writeFileSync(count, '');
  const cmd = script(
    'cred.sh',
    `echo run >> "$KT_COUNT"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}' "$KT_TOKEN"`,
  );
  const f = kubeconfig({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: cmd,
      args: ['--flag'],
      interactiveMode: 'Never',
      env: [
        { name: 'KT_TOKEN', value: cluster.api.adminToken },
        { name: 'KT_COUNT', value: count },
      ],
    },
  });
  const api = await requester(f);
  assert.ok((await namespaces(api)).includes('catalog'));
  assert.ok((await namespaces(api)).includes('shop'));
  assert.equal(
    readFileSync(count, 'utf8'),
    'run\n',
    'the plugin ran once; the second request used the cached credential',
  );
  // The plugin's token also opens WebSockets (exec), not only plain requests.
  const pod = cluster.store.list('Pod').find((p) => p.metadata.namespace === 'shop')!;
  const r = await execInPod(
    api.config,
    'shop',
    pod.metadata.name,
    (pod.spec as { containers: { name: string }[] }).containers[0].name,
    ['echo', 'via-exec-plugin'],
  );
  assert.deepEqual([r.exitCode, r.stdout], [0, 'via-exec-plugin\n']);
});

test('a failing exec plugin is one plain line with its message, and a hint', async () => {
  const failing = script(
    'fail.sh',
    `echo "error: refresh token expired; run 'cloud login'" >&2\necho "second line" >&2\nexit 1`,
  );
  await assert.rejects(
    namespaces(
      await requester(kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: failing } })),
    ),
    oneLineError(/^cannot authenticate to the cluster: .*refresh token expired; run 'cloud login'$/, /exec plugin/),
  );
  const silent = script('silent.sh', 'exit 3');
  await assert.rejects(
    namespaces(
      await requester(kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: silent } })),
    ),
    oneLineError(/^cannot authenticate to the cluster: .*silent\.sh.*\S$/, /exec plugin/),
  );
  await assert.rejects(
    namespaces(
      await requester(
        kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: join(dir, 'no-such-plugin') } }),
      ),
    ),
    oneLineError(/^cannot authenticate to the cluster: .*no-such-plugin.*ENOENT/, /exec plugin/),
  );
  const garbage = script('garbage.sh', 'echo "not json"');
  await assert.rejects(
    namespaces(
      await requester(kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: garbage } })),
    ),
    oneLineError(/^cannot authenticate to the cluster: /, /exec plugin/),
  );
});

function certKubeconfig(user: object, extra: Record<string, unknown> = {}): string {
  return kubeconfig(user, {
    server: certServerUrl,
    'certificate-authority-data': undefined,
    'certificate-authority': pki.ca.certFile,
    ...extra,
  });
}

test('client-certificate auth: inline data and files, the server sees who we are', async () => {
  const alice = pki.client('alice', 'system:masters');
  const inline = await requester(
    certKubeconfig({
      'client-certificate-data': Buffer.from(alice.cert).toString('base64'),
      'client-key-data': Buffer.from(alice.key).toString('base64'),
    }),
  );
  assert.deepEqual(await inline.json({ path: '/version' }), {
    gitVersion: 'v1.30.0',
    path: '/version',
    user: 'alice',
    groups: 'system:masters',
  });
  const bob = pki.client('bob');
  const files = await requester(certKubeconfig({ 'client-certificate': bob.certFile, 'client-key': bob.keyFile }));
  assert.equal((await files.json<{ user: string }>({ path: '/version' })).user, 'bob');
});

test('client-certificate auth: no certificate, or one from another CA, is refused with a plain error', async () => {
  await assert.rejects(
    (await requester(certKubeconfig({ token: 'x' }))).json({ path: '/version', timeoutMs: 5000 }),
    oneLineError(
      /^the API server https:\/\/127\.0\.0\.1:\d+ refused the TLS connection: it wants a client certificate it trusts \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\)$/,
      /client-certificate/,
    ),
  );
  const other = join(dir, 'other-client');
  const { execFileSync } = await import('node:child_process');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=mallory',
      '-keyout',
      `${other}.key`,
      '-out',
      `${other}.crt`,
    ],
    { stdio: 'ignore' },
  );
  // The server resets the connection (TLS 1.3 rejects the certificate after the handshake): the hint says it may be that.
  await assert.rejects(
    (await requester(certKubeconfig({ 'client-certificate': `${other}.crt`, 'client-key': `${other}.key` }))).json({
      path: '/version',
      timeoutMs: 5000,
    }),
    oneLineError(/client certificate it trusts|ECONNRESET/, /client certificate.*client-certificate/),
  );
});

test('a cluster CA that did not sign the server certificate is a TLS verification error', async () => {
  const alice = pki.client('alice2');
  await assert.rejects(
    (
      await requester(
        certKubeconfig(
          { 'client-certificate': alice.certFile, 'client-key': alice.keyFile },
          { 'certificate-authority': pki.otherCa.certFile },
        ),
      )
    ).json({ path: '/version' }),
    oneLineError(/^TLS verification of the API server https:\/\/127\.0\.0\.1:\d+ failed/, /certificate-authority/),
  );
});

test('proxy-url: requests and WebSockets go through the CONNECT proxy', async () => {
  const before = proxy.connects.length;
  const api = await requester(kubeconfig({ token: cluster.api.adminToken }, { 'proxy-url': proxy.url }));
  assert.ok((await namespaces(api)).includes('observability'));
  const tree = await readRouteTree(api, { fallbackNamespace: 'default' });
  assert.ok(tree.entries.some((e) => e.name === 'orders'));
  const host = new URL(cluster.api.url).host;
  const made = proxy.connects.slice(before);
  assert.ok(made.length >= 2, `only ${made.length} CONNECTs`);
  assert.ok(
    made.every((c) => c === host),
    `tunnels went elsewhere: ${made}`,
  );
  const pod = cluster.store.list('Pod').find((p) => p.metadata.namespace === 'catalog')!;
  const mid = proxy.connects.length;
  const r = await execInPod(
    api.config,
    'catalog',
    pod.metadata.name,
    (pod.spec as { containers: { name: string }[] }).containers[0].name,
    ['echo', 'through-proxy'],
  );
  assert.equal(r.stdout, 'through-proxy\n');
  assert.ok(proxy.connects.length > mid, 'the exec WebSocket did not use the proxy');
});

test('proxy-url pointing at nothing is "cannot reach", naming the proxy', async () => {
  const api = await requester(kubeconfig({ token: cluster.api.adminToken }, { 'proxy-url': 'http://127.0.0.1:1' }));
  await assert.rejects(
    namespaces(api),
    oneLineError(/cannot reach the API server .* through the proxy http:\/\/127\.0\.0\.1:1/, /proxy/),
  );
});
