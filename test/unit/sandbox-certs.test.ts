// The sandbox CA and leaf certificates (openssl CLI) in real Node TLS, and the kubeconfig that carries them.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createCa, issueCert } from '../../src/sandbox/certs';
import { RESTRICTED_CONTEXT, SANDBOX_CONTEXT, writeKubeconfig } from '../../src/sandbox/kubeconfig';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

function fetchWith(url: string, o: { ca: string; servername?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca: o.ca, servername: o.servername, headers: o.servername ? { host: o.servername } : {} }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('certs', () => {
  it('issues a leaf for host names and IPs that Node TLS verifies against the CA, and only for those', async () => {
    const ca = await createCa();
    const leaf = await issueCert(ca, ['shop.kubetrace.test', '127.10.70.2']);
    const x = new X509Certificate(leaf.certPem);
    assert.ok(x.checkIssued(new X509Certificate(ca.certPem)));
    assert.match(x.subjectAltName!, /DNS:shop\.kubetrace\.test/);
    assert.match(x.subjectAltName!, /IP Address:127\.10\.70\.2/);
    assert.equal(new X509Certificate(ca.certPem).ca, true);
    assert.equal(x.ca, false);

    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.10.70.2', () => r()));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    assert.equal(await fetchWith(`https://127.10.70.2:${port}/`, { ca: ca.certPem }), 'hello');
    assert.equal(
      await fetchWith(`https://127.10.70.2:${port}/`, { ca: ca.certPem, servername: 'shop.kubetrace.test' }),
      'hello',
    );
    await assert.rejects(
      fetchWith(`https://127.10.70.2:${port}/`, { ca: ca.certPem, servername: 'other.kubetrace.test' }),
      /altnames|Hostname/,
    );
    const otherCa = await createCa('someone-else');
    await assert.rejects(
      fetchWith(`https://127.10.70.2:${port}/`, { ca: otherCa.certPem }),
      /self[- ]signed|unable to verify|certificate/i,
    );
  });
});

describe('kubeconfig', () => {
  it('writes a 0600 kubeconfig with CA data, both users and contexts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubetrace-kc-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'nested', 'sandbox.kubeconfig');
    await writeKubeconfig(file, {
      server: 'https://127.0.0.1:6443',
      caPem: 'PEM',
      adminToken: 'a',
      restrictedToken: 'r',
      restrictedNamespace: 'shop',
    });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const kc = parse(await readFile(file, 'utf8'));
    assert.equal(kc['current-context'], SANDBOX_CONTEXT);
    assert.equal(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), 'PEM');
    assert.equal(kc.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    const ctx = Object.fromEntries(kc.contexts.map((c: { name: string; context: unknown }) => [c.name, c.context]));
    assert.deepEqual(ctx[SANDBOX_CONTEXT], { cluster: SANDBOX_CONTEXT, user: 'kubetrace-admin', namespace: 'default' });
    assert.deepEqual(ctx[RESTRICTED_CONTEXT], {
      cluster: SANDBOX_CONTEXT,
      user: 'kubetrace-restricted',
      namespace: 'shop',
    });
    assert.deepEqual(
      kc.users.map((u: { user: { token: string } }) => u.user.token),
      ['a', 'r'],
    );
  });
});
