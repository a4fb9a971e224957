// A kept-alive connection to the API server that the server closes just as a request goes out on it (its idle
// timeout, a load balancer's): a read is sent again on a new connection and succeeds; a write is not sent twice.
// A real HTTPS server that answers the first request on each connection and drops the connection on the second.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester } from '../../src/core/kube/request';
import { makePki } from '../fixtures/kube/pki';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-keepalive-'));
let server: https.Server;
let url: string;
const served = new WeakMap<Socket, number>();
let connections = 0;
const seen: string[] = [];

before(async () => {
  const pki = makePki(dir);
  server = https.createServer({ key: pki.server.key, cert: pki.server.cert, keepAliveTimeout: 60_000 }, (req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    seen.push(`${req.method} ${n}`);
    if (n > 1) {
      req.socket.destroy(); // closed under the request: the client gets ECONNRESET on a reused socket
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'kubeconfig'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [
        {
          name: 'c',
          cluster: { server: url, 'certificate-authority-data': Buffer.from(pki.ca.cert).toString('base64') },
        },
      ],
      users: [{ name: 'u', user: { token: 'kt-test-token' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    }),
  );
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('a read on a connection the server just closed is sent again on a new one; a write is not', async () => {
  const api = new KubeRequester(await loadKubeconfig({ kubeconfig: join(dir, 'kubeconfig') }));
  assert.deepEqual(await api.json({ path: '/version' }), { path: '/version' });
  assert.deepEqual(await api.json({ path: '/api' }), { path: '/api' });
  assert.deepEqual(seen, ['GET 1', 'GET 2', 'GET 1']);
  assert.equal(connections, 2);
  // The second connection is kept alive now; a POST on it is dropped and reported, not sent again.
  await assert.rejects(api.json({ path: '/apis/x', method: 'POST', body: '{}' }), /ECONNRESET|cannot reach/);
  assert.deepEqual(seen.slice(3), ['POST 2']);
});
