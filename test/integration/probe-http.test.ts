// The probe's own HTTP/1.1 client (src/core/probe/http.ts on probe/wire.ts and probe/connections.ts) against real
// Node HTTP and HTTPS servers: kept-alive connections reused and given up as HTTP says, a read sent again when the
// server closed its idle connection under it (a write never), bodies kept up to their limit, timeouts,
// cancellation, certificate checks and DNS names.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connections } from '../../src/core/probe/connections';
import { exchange, MAX_BODY_BYTES, type ExchangeRequest } from '../../src/core/probe/http';
import { makePki, type Pki } from '../fixtures/kube/pki';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-probe-http-'));
let pki: Pki;
let plain: http.Server;
let secure: https.Server;
const sockets = new Set<Socket>();
/** Requests seen per server connection, and every request line seen. */
const served = new WeakMap<Socket, number>();
const seen: string[] = [];

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const n = (served.get(req.socket) ?? 0) + 1;
  served.set(req.socket, n);
  seen.push(`${req.method} ${req.url}`);
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/close':
      res.writeHead(200, { connection: 'close', 'content-length': 2 });
      return void res.end('ok');
    case '/big': {
      res.writeHead(200, { 'content-type': 'text/plain' }); // no length: chunked
      const piece = Buffer.alloc(16 * 1024, 'x');
      for (let i = 0; i < 6; i++) res.write(piece);
      return void res.end();
    }
    case '/silent':
      return; // never answers
    case '/second-drops':
      // Closed under the second request on a connection, as a server's idle timeout can.
      if (n > 1) return void req.socket.destroy();
      break;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen-connection': req.headers.connection ?? '' });
    res.end(JSON.stringify({ method: req.method, path: req.url, n }));
  });
}

before(async () => {
  pki = makePki(dir);
  plain = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  secure = https.createServer({ key: pki.server.key, cert: pki.server.cert, keepAliveTimeout: 60_000 }, handler);
  for (const s of [plain, secure]) {
    s.on('connection', (c: Socket) => sockets.add(c));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  }
});

after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([plain, secure].map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

function req(path: string, more: Partial<ExchangeRequest> = {}): ExchangeRequest {
  const server = more.scheme === 'https' ? secure : plain;
  return {
    scheme: 'http',
    address: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    host: 'shop.kubetrace.test',
    method: 'GET',
    path,
    headers: { accept: '*/*' },
    timeoutMs: 5000,
    ...more,
  };
}

test('a pool reuses its kept-alive connection; without one each request has its own and asks to close it', async () => {
  const pool = new Connections();
  try {
    const a = await exchange(req('/a', { pool }));
    const b = await exchange(req('/b', { pool }));
    const c = await exchange(req('/c', { pool }));
    assert.deepEqual([a.status, b.status, c.status], [200, 200, 200]);
    assert.deepEqual([a.newConnection, b.newConnection, c.newConnection], [true, false, false]);
    assert.equal(b.localPort, a.localPort);
    assert.deepEqual(
      [a, b, c].map((r) => JSON.parse(r.body.toString()).n),
      [1, 2, 3],
    );
    assert.equal(a.headers['x-seen-connection'], 'keep-alive');
    assert.ok(a.times.connectEnd && a.times.firstByte && a.times.end && !a.times.requestStart);
    assert.ok(b.times.requestStart && !b.times.connectStart && b.times.firstByte! <= b.times.end!);
    const one = await exchange(req('/one'));
    const two = await exchange(req('/two'));
    assert.equal(one.headers['x-seen-connection'], 'close');
    assert.ok(one.newConnection && two.newConnection && one.localPort !== two.localPort);
  } finally {
    pool.destroy();
  }
});

test('a response that says Connection: close is the last on its connection', async () => {
  const pool = new Connections();
  try {
    const a = await exchange(req('/close', { pool }));
    const b = await exchange(req('/after-close', { pool }));
    assert.equal(a.body.toString(), 'ok');
    assert.equal(b.newConnection, true);
    assert.notEqual(b.localPort, a.localPort);
  } finally {
    pool.destroy();
  }
});

test('a read goes again on a new connection when the server closes the kept-alive one under it; a write does not', async () => {
  const pool = new Connections();
  try {
    await exchange(req('/second-drops', { pool }));
    const get = await exchange(req('/second-drops', { pool }));
    assert.equal(get.status, 200);
    assert.equal(get.newConnection, true, 'answered on the new connection');
    assert.equal(JSON.parse(get.body.toString()).n, 1);
    const before = seen.filter((l) => l === 'POST /second-drops').length;
    const post = await exchange(req('/second-drops', { pool, method: 'POST', body: Buffer.from('{}') }));
    assert.equal(post.error?.code, 'ECONNRESET');
    assert.equal(post.status, undefined);
    assert.equal(seen.filter((l) => l === 'POST /second-drops').length, before + 1, 'the POST went out once');
  } finally {
    pool.destroy();
  }
});

test('a body is kept up to its limit and counted whole; HEAD has none and keeps the connection', async () => {
  const pool = new Connections();
  try {
    const big = await exchange(req('/big', { pool }));
    assert.equal(big.headers['transfer-encoding'], 'chunked');
    assert.equal(big.bodyBytes, 6 * 16 * 1024);
    assert.equal(big.body.length, MAX_BODY_BYTES);
    assert.equal(big.bodyTruncated, true);
    const head = await exchange(req('/h', { pool, method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(head.bodyBytes, 0);
    const next = await exchange(req('/n', { pool }));
    assert.equal(next.newConnection, false);
  } finally {
    pool.destroy();
  }
});

test('no answer in time, and cancellation, end the exchange with their own errors', async () => {
  const slow = await exchange(req('/silent', { timeoutMs: 300 }));
  assert.equal(slow.error?.code, 'ETIMEDOUT');
  assert.match(slow.error!.message, /within 300 ms/);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 100);
  const cut = await exchange(req('/silent', { signal: stop.signal }));
  assert.equal(cut.error?.code, 'ABORT_ERR');
  const early = await exchange(req('/x', { signal: AbortSignal.abort() }));
  assert.equal(early.error?.code, 'ABORT_ERR');
  const refused = await exchange(req('/x', { port: 1 }));
  assert.equal(refused.error?.code, 'ECONNREFUSED');
});

test('HTTPS checks the certificate against the CA given, and says so when it cannot', async () => {
  const ok = await exchange(req('/tls', { scheme: 'https', host: '127.0.0.1', ca: [Buffer.from(pki.ca.cert)] }));
  assert.equal(ok.status, 200);
  assert.equal(ok.tls?.authorized, true);
  assert.equal(ok.tls?.peerSubject, 'kube-apiserver');
  assert.ok(ok.times.tlsEnd! >= ok.times.connectEnd!);
  const unknown = await exchange(
    req('/tls', { scheme: 'https', host: '127.0.0.1', ca: [Buffer.from(pki.otherCa.cert)] }),
  );
  assert.equal(unknown.status, undefined);
  assert.match(unknown.error?.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  // The name sent is the Host's; a certificate for 127.0.0.1 and localhost does not cover it.
  const name = await exchange(req('/tls', { scheme: 'https', ca: [Buffer.from(pki.ca.cert)] }));
  assert.equal(name.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  const insecure = await exchange(req('/tls', { scheme: 'https', insecure: true }));
  assert.equal(insecure.status, 200);
  assert.equal(insecure.tls?.authorized, false);
});

test('a pool hands a kept-alive connection only to a request with the same trust', async () => {
  // Requests to one address alternate between trusting any certificate, the right CA and a wrong one: the wrong one
  // is refused even though verified and unverified connections to the same place wait in the pool.
  const pool = new Connections();
  const to = (more: Partial<ExchangeRequest>) => req('/trust', { scheme: 'https', host: '127.0.0.1', pool, ...more });
  const right = [Buffer.from(pki.ca.cert)];
  const wrong = [Buffer.from(pki.otherCa.cert)];
  try {
    const any = await exchange(to({ insecure: true }));
    const checked = await exchange(to({ ca: right }));
    const refused = await exchange(to({ ca: wrong }));
    const again = await exchange(to({ ca: right }));
    const anyAgain = await exchange(to({ insecure: true }));
    const refusedAgain = await exchange(to({ ca: wrong }));
    assert.deepEqual(
      [any, checked, again, anyAgain].map((r) => [r.status, r.newConnection]),
      [
        [200, true],
        [200, true],
        [200, false],
        [200, false],
      ],
    );
    assert.equal(again.localPort, checked.localPort);
    assert.equal(anyAgain.localPort, any.localPort);
    for (const r of [refused, refusedAgain]) {
      assert.equal(r.status, undefined);
      assert.match(r.error?.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    }
  } finally {
    pool.destroy();
  }
});

test('a DNS name is looked up, and its time measured; a bad header is refused before anything is sent', async () => {
  const r = await exchange(req('/dns', { address: 'localhost' }));
  assert.equal(r.status, 200);
  assert.ok(r.times.dnsStart && r.times.dnsEnd && r.times.dnsEnd <= r.times.connectStart!);
  const count = seen.length;
  await assert.rejects(exchange(req('/x', { headers: { 'x-a': 'b\r\nx-injected: 1' } })), /invalid character/);
  assert.equal(seen.length, count);
});
