// pods/portforward (client-node PortForward and the raw channel frames) to a real TCP server on a pod IP,
// and services/proxy + pods/proxy to real HTTP servers on pod IPs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request } from 'node:https';
import { connect, createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import WebSocket from 'ws';
import { setPodState } from '../../src/sandbox/controllers';
import { startTestCluster, type TestCluster } from './api-harness';

let c: TestCluster;
const closers: (() => Promise<void>)[] = [];
before(async () => {
  c = await startTestCluster({ podSubnet: '127.10.51' });
});
after(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await c?.stop();
});

const podIP = (ns: string, prefix: string, i = 0) => {
  const p = c.store.list('Pod', ns).filter((x) => x.metadata.name.startsWith(prefix))[i];
  return { name: p.metadata.name, ip: (p.status as { podIP: string }).podIP };
};

function listen<T extends NetServer | Server>(server: T, host: string, port = 0): Promise<T> {
  closers.push(
    () =>
      new Promise((r) => {
        (server as NetServer).close(() => r());
        (server as Server).closeAllConnections?.();
      }),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

describe('pods/portforward', () => {
  it('client-node PortForward reaches a real TCP server on the pod IP', async () => {
    const inv = podIP('shop', 'inventory');
    const echo = await listen(
      createServer((s) => s.on('data', (d) => s.write(`echo:${d}`))),
      inv.ip,
      8080,
    );
    assert.equal((echo.address() as AddressInfo).address, inv.ip);
    const pf = new k8s.PortForward(c.kc);
    const local = await listen(
      createServer((sock) => {
        void pf.portForward('shop', inv.name, [8080], sock, null, sock);
      }),
      '127.0.0.1',
    );
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect((local.address() as AddressInfo).port, '127.0.0.1', () => s.write('ping'));
      s.on('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.on('error', reject);
    });
    assert.equal(reply, 'echo:ping');
  });

  it('speaks the channel protocol: port frames first, data on even channels, errors on odd', async () => {
    const cat = podIP('catalog', 'catalog');
    await listen(
      createServer((s) => s.on('data', (d) => s.end(String(d).toUpperCase()))),
      cat.ip,
      5000,
    );
    const frames = await wsFrames(`/api/v1/namespaces/catalog/pods/${cat.name}/portforward?ports=5000`, (ws) =>
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')])),
    );
    assert.equal(frames.protocol, 'v4.channel.k8s.io');
    const port = Buffer.alloc(2);
    port.writeUInt16LE(5000);
    assert.deepEqual(frames.list.slice(0, 2), [
      Buffer.concat([Buffer.from([0]), port]),
      Buffer.concat([Buffer.from([1]), port]),
    ]);
    assert.equal(
      Buffer.concat(
        frames.list
          .slice(2)
          .filter((f) => f[0] === 0)
          .map((f) => f.subarray(1)),
      ).toString(),
      'HELLO',
    );

    // Nothing listens on 5001: the error channel says so and the socket closes.
    const refused = await wsFrames(`/api/v1/namespaces/catalog/pods/${cat.name}/portforward?ports=5001`);
    const err = refused.list
      .filter((f) => f[0] === 1)
      .map((f) => f.subarray(1).toString())
      .slice(1)
      .join('');
    assert.match(
      err,
      new RegExp(
        `error forwarding port 5001 to pod ${cat.name}: failed to connect to ${cat.ip.replace(/\./g, '\\.')}:5001`,
      ),
    );
  });

  it('refuses the restricted token outside its namespace before upgrading', async () => {
    const cat = podIP('catalog', 'catalog');
    const ws = new WebSocket(
      `${c.api.url.replace('https', 'wss')}/api/v1/namespaces/catalog/pods/${cat.name}/portforward?ports=5000`,
      ['v4.channel.k8s.io'],
      { ca: c.api.caPem, headers: { Authorization: `Bearer ${c.api.restrictedToken}` } },
    );
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)),
    );
    assert.equal(status, 403);
  });
});

describe('services/proxy', () => {
  const seen: { ip: string; method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  before(async () => {
    for (const i of [0, 1]) {
      const p = podIP('shop', 'orders', i);
      await listen(
        createHttpServer((req, res) => {
          let body = '';
          req.on('data', (d) => {
            body += d;
          });
          req.on('end', () => {
            seen.push({ ip: p.ip, method: req.method!, url: req.url!, headers: req.headers, body });
            res.writeHead(201, { 'content-type': 'application/json', 'x-pod': p.name });
            res.end(JSON.stringify({ pod: p.name, url: req.url }));
          });
        }),
        p.ip,
        8080,
      );
      setPodState(c.store, 'shop', p.name, { ready: true });
    }
    await new Promise((r) => setImmediate(r));
  });

  it('reaches a ready endpoint by port name, number and scheme, without the Authorization header', async () => {
    const orders = [podIP('shop', 'orders', 0).name, podIP('shop', 'orders', 1).name];
    for (const id of ['orders:http', 'orders:80', 'http:orders:80', 'orders']) {
      const r = await https('GET', `/api/v1/namespaces/shop/services/${id}/proxy/orders/7?x=1&y=%20`, {
        'x-request-id': 'abc',
      });
      assert.equal(r.status, 201, id);
      assert.ok(orders.includes(String(r.headers['x-pod'])), id);
      assert.deepEqual(JSON.parse(r.body).url, '/orders/7?x=1&y=%20');
      const last = seen[seen.length - 1];
      assert.equal(last.headers['x-request-id'], 'abc');
      assert.equal(last.headers.authorization, undefined);
    }
    // Round-robin over both ready endpoints.
    assert.deepEqual(new Set(seen.slice(-4).map((s) => s.ip)).size, 2);
  });

  it('streams a request body through', async () => {
    const r = await https(
      'POST',
      '/api/v1/namespaces/shop/services/orders:http/proxy/orders',
      { 'content-type': 'text/plain' },
      'x'.repeat(100_000),
    );
    assert.equal(r.status, 201);
    assert.equal(seen[seen.length - 1].body.length, 100_000);
    assert.equal(seen[seen.length - 1].method, 'POST');
  });

  it('answers 503 ServiceUnavailable when no endpoint is ready, 404 for a missing service', async () => {
    const r = await https('GET', '/api/v1/namespaces/shop/services/inventory:http/proxy/healthz');
    assert.equal(r.status, 503);
    const s = JSON.parse(r.body);
    assert.equal(s.kind, 'Status');
    assert.equal(s.reason, 'ServiceUnavailable');
    assert.equal(s.message, 'no endpoints available for service "inventory"');
    const missing = await https('GET', '/api/v1/namespaces/shop/services/nope/proxy/');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, 'services "nope" not found');
  });

  it('pods/proxy reaches the pod port', async () => {
    const p = podIP('shop', 'orders', 1);
    const r = await https('GET', `/api/v1/namespaces/shop/pods/${p.name}:8080/proxy/x`);
    assert.equal(r.status, 201);
    assert.equal(JSON.parse(r.body).pod, p.name);
  });
});

function https(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.api.url}${path}`,
      { method, ca: c.api.caPem, headers: { Authorization: `Bearer ${c.api.adminToken}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a port-forward WebSocket, optionally sends, and collects binary frames until the server closes it. */
function wsFrames(path: string, onOpen?: (ws: WebSocket) => void): Promise<{ protocol: string; list: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${c.api.url.replace('https', 'wss')}${path}`, ['v4.channel.k8s.io'], {
      ca: c.api.caPem,
      headers: { Authorization: `Bearer ${c.api.adminToken}` },
    });
    const list: Buffer[] = [];
    ws.on('open', () => onOpen?.(ws));
    ws.on('message', (d: Buffer) => list.push(Buffer.from(d)));
    ws.on('close', () => resolve({ protocol: ws.protocol, list }));
    ws.on('error', reject);
  });
}
