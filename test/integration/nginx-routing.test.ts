// Real nginx, configured by the NginxController from a store shaped like the sandbox's manifests, in front of
// real HTTP servers on pod IPs (127.10.60.x). Routing, TLS, headers, logs and reloads, end to end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { createCa, issueCert, type Ca } from '../../src/sandbox/certs';
import { LogStore } from '../../src/sandbox/logs';
import { NginxController } from '../../src/sandbox/nginx/controller';
import { freePorts, freePort } from '../../src/sandbox/runtime/ports';
import { fixtureStore, ingress, slice } from './nginx-fixture';

const NET = '127.10.60';
const IP = {
  nginx: `${NET}.2`,
  orders: [`${NET}.4`, `${NET}.5`],
  inventory: `${NET}.6`,
  catalog: `${NET}.7`,
  extra: `${NET}.8`,
};
const pod = {
  namespace: 'ingress-nginx',
  pod: 'ingress-nginx-controller-test',
  name: 'ingress-nginx-controller-test',
  container: 'controller',
};

let dir: string, ca: Ca, nginx: NginxController, ports: number[], appPort: number;
const logs = new LogStore();
const servers: Server[] = [];
const store = () => nginx['o'].store;

/** An echo backend: answers with who it is and what it received. */
function backend(name: string, ip: string, port: number): Promise<Server> {
  const s = createServer((req, res) => {
    const body = JSON.stringify({ server: name, ip, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  servers.push(s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, ip, () => resolve(s));
  });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json?: { server: string; ip: string; url: string; headers: Record<string, string> };
}
function get(host: string, path: string, headers: Record<string, string> = {}, tls = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const opts = {
      host: IP.nginx,
      port: tls ? ports[1] : ports[0],
      path,
      headers: { host, ...headers },
      agent: false as const,
      ...(tls ? { servername: host, ca: ca.certPem } : {}),
    };
    const req = (tls ? httpsRequest : httpRequest)(opts, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (d) => (body += d))
        .on('end', () => {
          let json;
          try {
            json = JSON.parse(body);
          } catch {
            /* not from a backend */
          }
          resolve({ status: res.statusCode!, headers: res.headers, body, json });
        });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const lines = (stream: 'stdout' | 'stderr') =>
  logs
    .read(pod)
    .filter((e) => e.stream === stream)
    .map((e) => e.line);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kt-nginx-routing-'));
  ca = await createCa();
  const first = await backend('orders-0', IP.orders[0], 0);
  appPort = (first.address() as AddressInfo).port;
  await backend('orders-1', IP.orders[1], appPort);
  await backend('inventory', IP.inventory, appPort);
  await backend('catalog', IP.catalog, appPort);
  await backend('extra', IP.extra, appPort);
  ports = await freePorts(IP.nginx, 2);
  nginx = new NginxController({
    store: fixtureStore({ orders: IP.orders, inventory: [IP.inventory], catalog: [IP.catalog] }, appPort),
    logs,
    pod,
    dir,
    listen: { ip: IP.nginx, httpPort: ports[0], httpsPort: ports[1] },
    defaultBackendPort: await freePort('127.0.0.1'),
    issueCert: (hosts) => issueCert(ca, hosts),
    debounceMs: 20,
  });
  await nginx.start();
});

after(async () => {
  await nginx?.stop();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('routing as ingress-nginx does it', () => {
  it('routes by host and path to the right service', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await get('api.kubetrace.test', '/orders')).json!.server);
    assert.deepEqual([...seen].sort(), ['orders-0', 'orders-1'], 'both orders endpoints take requests');
    assert.equal((await get('api.kubetrace.test', '/inventory/stock?sku=a')).json!.server, 'inventory');
    assert.equal((await get('catalog.kubetrace.test', '/catalog/kt-mug')).json!.server, 'catalog');
  });

  it('keeps Prefix and Exact semantics', async () => {
    assert.match((await get('api.kubetrace.test', '/orders')).json!.server, /^orders/);
    assert.match((await get('api.kubetrace.test', '/orders/')).json!.server, /^orders/);
    assert.match((await get('api.kubetrace.test', '/orders/42')).json!.server, /^orders/);
    // Prefix matches whole path elements: /ordersx is not under /orders; the controller's default backend says 404.
    const x = await get('api.kubetrace.test', '/ordersx');
    assert.equal(x.status, 404);
    assert.equal(x.json, undefined);
    // Exact: only the path itself.
    assert.equal((await get('api.kubetrace.test', '/inventory/stock')).json!.server, 'inventory');
    assert.equal((await get('api.kubetrace.test', '/inventory/stock/more')).status, 404);
    assert.equal((await get('api.kubetrace.test', '/inventory')).status, 404);
  });

  it("sends unknown hosts to the fallback Ingress's defaultBackend", async () => {
    const r = await get('nobody.kubetrace.test', '/anything');
    assert.equal(r.json!.server, 'inventory');
    assert.equal(r.json!.url, '/anything');
  });

  it('serves TLS with a certificate from the sandbox CA, and redirects plain HTTP for TLS hosts', async () => {
    const r = await get('shop.kubetrace.test', '/orders/7', {}, true);
    assert.equal(r.status, 200);
    assert.match(r.json!.server, /^orders/);
    assert.equal(r.json!.headers['x-forwarded-proto'], 'https');
    const cert = new X509Certificate(readFileSync(join(dir, 'certs', 'shop.kubetrace.test.crt')));
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
    assert.match(cert.subjectAltName ?? '', /DNS:shop\.kubetrace\.test/);
    const plain = await get('shop.kubetrace.test', '/orders?x=1');
    assert.equal(plain.status, 308);
    assert.equal(plain.headers.location, 'https://shop.kubetrace.test/orders?x=1');
    // Hosts without spec.tls still answer on the HTTPS port (default certificate), as in ingress-nginx.
    const other = await new Promise<number>((resolve, reject) => {
      httpsRequest(
        {
          host: IP.nginx,
          port: ports[1],
          path: '/catalog',
          headers: { host: 'catalog.kubetrace.test' },
          servername: 'catalog.kubetrace.test',
          rejectUnauthorized: false,
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      )
        .on('error', reject)
        .end();
    });
    assert.equal(other, 200);
  });
});

describe('headers, access log and debug log', () => {
  it('forwards X-Request-ID, traceparent, tracestate and Host unchanged; hides the version', async () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const r = await get('api.kubetrace.test', '/orders/1', {
      'x-request-id': 'kt-req-0001',
      traceparent: tp,
      tracestate: 'kt=1,other=2',
    });
    assert.equal(r.json!.headers['x-request-id'], 'kt-req-0001');
    assert.equal(r.json!.headers.traceparent, tp);
    assert.equal(r.json!.headers.tracestate, 'kt=1,other=2');
    assert.equal(r.json!.headers.host, 'api.kubetrace.test');
    assert.equal(r.json!.headers['x-forwarded-host'], 'api.kubetrace.test');
    assert.equal(r.headers.server, 'nginx', 'server_tokens off: no version');
  });

  it('writes the upstreaminfo line, with a generated $req_id when none was sent', async () => {
    const r = await get('api.kubetrace.test', '/inventory/stock');
    const id = r.json!.headers['x-request-id'];
    assert.match(id, /^[0-9a-f]{32}$/);
    const line = await until(() => lines('stdout').find((l) => l.includes(` ${id} `)), 'the access log line');
    const m =
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/inventory\/stock HTTP\/1\.1" 200 \d+ "-" "-" \d+ ([\d.]+) \[shop-inventory-80\] \[\] ([\d.:]+) \d+ ([\d.]+) 200 ([0-9a-f]{32}) ([\d.]+) ([\d.]+) (\d+\.\d{3})$/.exec(
        line,
      );
    assert.ok(m, `unexpected access log line: ${line}`);
    assert.equal(m[2], `${IP.inventory}:${appPort}`);
    assert.equal(m[4], id);
    assert.ok(Math.abs(Number(m[7]) * 1000 - Date.now()) < 10_000, '$msec is the wall clock');
  });

  it('keeps debug lines for connections from 127.0.0.1, with the request headers', async () => {
    await get('catalog.kubetrace.test', '/catalog', { 'X-Request-ID': 'kt-debug-42' });
    const dbg = await until(
      () => lines('stderr').find((l) => l.includes('http header: "X-Request-ID: kt-debug-42"')),
      'the debug header line',
    );
    assert.match(dbg, /\[debug\] \d+#\d+: \*\d+ http header: "X-Request-ID: kt-debug-42"/);
    assert.ok(
      lines('stderr').some((l) => /\[debug\].*http upstream request: "\/catalog\?"/.test(l)) ||
        lines('stderr').some((l) => /\[debug\].*http proxy header:/.test(l)),
    );
  });
});

describe('reloads', () => {
  it('follows an Ingress change: regenerates, tests and reloads nginx', async () => {
    const before = nginx.reloads;
    assert.equal((await get('new.kubetrace.test', '/new')).json!.server, 'inventory', 'unknown host: fallback first');
    store().put(
      ingress('shop', 'added', {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'new.kubetrace.test',
            http: {
              paths: [
                { path: '/new', pathType: 'Exact', backend: { service: { name: 'orders', port: { number: 80 } } } },
              ],
            },
          },
        ],
      }),
    );
    await until(
      async () => /^orders/.test((await get('new.kubetrace.test', '/new')).json?.server ?? ''),
      'the new route',
    );
    // The new worker takes requests before the old one has finished shutting down (when reload() returns).
    await until(() => nginx.reloads > before, 'the reload to complete');
    assert.match(readFileSync(nginx.confFile, 'utf8'), /server_name new\.kubetrace\.test;/);
    const loc = nginx.index.locations.find((l) => l.host === 'new.kubetrace.test' && l.path === '/new');
    assert.equal(loc?.ingress, 'added');
  });

  it('follows EndpointSlice changes, and answers 503 when no endpoint is ready', async () => {
    store().put(slice('catalog', 'catalog', 'http', appPort, [{ ip: IP.extra }]));
    await until(
      async () => (await get('catalog.kubetrace.test', '/catalog')).json?.server === 'extra',
      'the new endpoint',
    );
    store().put(slice('catalog', 'catalog', 'http', appPort, [{ ip: IP.extra, ready: false }]));
    await until(async () => (await get('catalog.kubetrace.test', '/catalog')).status === 503, 'a 503');
    store().put(slice('catalog', 'catalog', 'http', appPort, [{ ip: IP.catalog }]));
    await until(
      async () => (await get('catalog.kubetrace.test', '/catalog')).json?.server === 'catalog',
      'the endpoint back',
    );
  });

  it('leaves out what would break the config, and keeps serving', async () => {
    const reloads = nginx.reloads;
    store().put(
      ingress('shop', 'broken', {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'broken.kubetrace.test',
            http: {
              paths: [
                { path: '/a{', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } },
                { path: '/b', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } },
              ],
            },
          },
        ],
      }),
    );
    await until(
      async () => /^orders/.test((await get('broken.kubetrace.test', '/b/1')).json?.server ?? ''),
      'the valid path',
    );
    await until(() => nginx.reloads > reloads, 'the reload to complete');
    assert.ok(nginx.model!.skipped.some((s) => s.ingress === 'broken' && /path "\/a\{"/.test(s.reason)));
    assert.equal((await get('api.kubetrace.test', '/inventory/stock')).json!.server, 'inventory');
  });
});
