// The whole sandbox with its real processes: nginx, the instrumented Node apps, the Flask app and the trace
// store, read back through the API stand-in with client-node and kubectl, as Kubetrace would read a cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';

const run = promisify(execFile);
let sb: Sandbox, kc: k8s.KubeConfig, core: k8s.CoreV1Api, tmp: string, userDir: string, ca: string;
const sandboxLog: string[] = [];
const closers: (() => void)[] = [];

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kt-sandbox-e2e-'));
  userDir = join(tmp, 'manifests');
  mkdirSync(userDir);
  sb = await startSandbox({
    kubeconfigPath: join(tmp, 'kubeconfig'),
    manifestDirs: [userDir],
    podSubnet: '127.10.61',
    log: (l) => sandboxLog.push(l),
  });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(sb.kubeconfigPath);
  core = kc.makeApiClient(k8s.CoreV1Api);
  ca = readFileSync(sb.caFile, 'utf8');
});
after(async () => {
  for (const c of closers) c();
  await sb?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}
function send(host: string, path: string, headers: Record<string, string> = {}, tls = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const { ip, httpPort, httpsPort } = sb.ingress;
    const req = (tls ? httpsRequest : httpRequest)(
      {
        host: ip,
        port: tls ? httpsPort : httpPort,
        path,
        headers: { host, ...headers },
        agent: false,
        ...(tls ? { servername: host, ca } : {}),
      },
      (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => (body += d))
          .on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject).end();
  });
}

async function until<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 8000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16))
    .join('')
    .replace(/^0/, 'a');
const podOf = (ns: string, prefix: string) =>
  sb.store
    .list('Pod', ns)
    .filter((p) => p.metadata.name.startsWith(prefix))
    .map((p) => p.metadata.name);
const controllerPod = () => podOf('ingress-nginx', 'ingress-nginx-controller')[0];
const podLog = async (ns: string, name: string) => String(await core.readNamespacedPodLog({ namespace: ns, name }));

/** GET through the API server's service proxy, with the admin token and the sandbox CA. */
function viaApi(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, sb.apiUrl);
    httpsRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        ca,
        headers: { authorization: `Bearer ${sb.adminToken}` },
        agent: false,
      },
      (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => (body += d))
          .on('end', () => resolve({ status: res.statusCode!, body }));
      },
    )
      .on('error', reject)
      .end();
  });
}

type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes?: { key: string; value: Record<string, unknown> }[];
  events?: { name: string; attributes?: { key: string; value: Record<string, unknown> }[] }[];
};
function spansOf(body: string): (OtlpSpan & { service: string; attrs: Record<string, unknown> })[] {
  const doc = JSON.parse(body) as {
    result: {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: OtlpSpan[] }[];
      }[];
    };
  };
  return doc.result.resourceSpans.flatMap((rs) => {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
    return rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        ...s,
        service,
        attrs: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])),
      })),
    );
  });
}

describe('the sandbox cluster', () => {
  it("has every pod Running and Ready, and tells the truth about nginx's address", async () => {
    const pods = (await core.listPodForAllNamespaces()).items;
    assert.equal(pods.length, 8);
    for (const p of pods) {
      assert.equal(p.status?.phase, 'Running', p.metadata?.name);
      assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', p.metadata?.name);
      assert.match(p.status?.podIP ?? '', /^127\.10\.61\.\d+$/);
    }
    const ctl = pods.find((p) => p.metadata?.name === controllerPod())!;
    const ports = Object.fromEntries(ctl.spec!.containers[0].ports!.map((p) => [p.name, p.containerPort]));
    assert.deepEqual(ports, { http: sb.ingress.httpPort, https: sb.ingress.httpsPort });
    assert.equal(ctl.status?.podIP, sb.ingress.ip);
    const net = kc.makeApiClient(k8s.NetworkingV1Api);
    const ing = await net.readNamespacedIngress({ namespace: 'shop', name: 'orders' });
    assert.deepEqual(JSON.parse(JSON.stringify(ing.status?.loadBalancer?.ingress?.[0])), {
      ip: sb.ingress.ip,
      ports: [
        { port: sb.ingress.httpPort, protocol: 'TCP' },
        { port: sb.ingress.httpsPort, protocol: 'TCP' },
      ],
    });
    const svc = await core.readNamespacedService({ namespace: 'ingress-nginx', name: 'ingress-nginx-controller' });
    assert.equal(svc.status?.loadBalancer?.ingress?.[0]?.ip, sb.ingress.ip);
    assert.match(readFileSync(join(sb.nginxConfDir, 'nginx.conf'), 'utf8'), /upstream shop-orders-80 \{/);
  });

  it('routes through real nginx to the real apps, TLS included', async () => {
    const orders = await send('api.kubetrace.test', '/orders');
    assert.equal(orders.status, 200);
    assert.equal(JSON.parse(orders.body).orders.length, 3);
    assert.ok(
      JSON.parse(orders.body).orders.every((o: { inStock: unknown }) => typeof o.inStock === 'boolean'),
      'orders asked inventory',
    );
    assert.deepEqual(JSON.parse((await send('api.kubetrace.test', '/inventory/stock?sku=kt-mug')).body), {
      stock: { 'kt-mug': 42 },
    });
    assert.equal(JSON.parse((await send('catalog.kubetrace.test', '/catalog/kt-mug')).body).sku, 'kt-mug');
    const tls = await send('shop.kubetrace.test', '/orders/1002', {}, true);
    assert.equal(tls.status, 200);
    assert.equal(JSON.parse(tls.body).id, '1002');
    assert.equal((await send('api.kubetrace.test', '/orders/fail')).status, 500);
  });

  it('passes traceparent to every app and X-Request-ID on, as the app logs show', async () => {
    const traceId = hex(32),
      rid = `kt-e2e-${hex(8)}`;
    const tp = `00-${traceId}-${hex(16)}-01`;
    assert.equal((await send('api.kubetrace.test', '/orders', { 'X-Request-ID': rid, traceparent: tp })).status, 200);
    const ordersLine = await until(async () => {
      for (const name of podOf('shop', 'orders')) {
        const l = (await podLog('shop', name)).split('\n').find((x) => x.includes(`request_id=${rid}`));
        if (l) return l;
      }
    }, 'the orders log line');
    assert.match(
      ordersLine,
      new RegExp(
        `traceparent=${tp} method=GET route=/orders path=/orders status=200 duration_ms=[\\d.]+ trace_id=${traceId} span_id=[0-9a-f]{16}$`,
      ),
    );
    assert.match(ordersLine, /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z level=info msg="request done" /);
    const invLine = await until(
      async () =>
        (await podLog('shop', podOf('shop', 'inventory')[0])).split('\n').find((x) => x.includes(`request_id=${rid}`)),
      'the inventory log line',
    );
    assert.match(
      invLine,
      new RegExp(`traceparent=00-${traceId}-[0-9a-f]{16}-01 method=GET route=/inventory/stock .* trace_id=${traceId} `),
    );

    const tp2 = `00-${hex(32)}-${hex(16)}-01`,
      rid2 = `kt-e2e-${hex(8)}`;
    assert.equal(
      (await send('catalog.kubetrace.test', '/catalog', { 'X-Request-ID': rid2, traceparent: tp2 })).status,
      200,
    );
    const catLine = await until(
      async () =>
        (await podLog('catalog', podOf('catalog', 'catalog')[0]))
          .split('\n')
          .find((x) => x.includes(`request_id=${rid2}`)),
      'the catalog log line',
    );
    assert.match(
      catLine,
      new RegExp(`traceparent=${tp2} method=GET route=/catalog path=/catalog status=200 duration_ms=[\\d.]+$`),
    );
  });

  it("shows a request in the controller's pods/log, access line and debug lines, via client-node and kubectl", async () => {
    const rid = `kt-log-${hex(12)}`;
    await send('api.kubetrace.test', '/inventory/stock', { 'X-Request-ID': rid });
    const read = async () => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      await new k8s.Log(kc).log('ingress-nginx', controllerPod(), 'controller', out, { follow: false });
      await new Promise((r) => out.once('end', r).once('close', r));
      return text;
    };
    const text = await until(async () => {
      const t = await read();
      return t.includes(`http header: "X-Request-ID: ${rid}"`) && t.includes(` ${rid} `) ? t : undefined;
    }, 'the request in pods/log');
    const access = text.split('\n').find((l) => l.includes(` ${rid} `) && l.includes('[shop-inventory-80]'));
    assert.ok(access, 'the access log line');
    assert.match(
      access,
      /"GET \/inventory\/stock HTTP\/1\.1" 200 .* \[shop-inventory-80\] \[\] 127\.10\.61\.\d+:8080 /,
    );
    const { stdout } = await run(
      'kubectl',
      ['--kubeconfig', sb.kubeconfigPath, 'logs', '-n', 'ingress-nginx', controllerPod()],
      { maxBuffer: 256 << 20 },
    );
    assert.ok(stdout.includes(access), 'kubectl logs shows the same access line');
    assert.ok(stdout.split('\n').some((l) => /\[debug\].*http header: "X-Request-ID: /.test(l) && l.includes(rid)));
    // The merged log keeps time order: the debug header line comes before the access line of the same request.
    const lines = stdout.split('\n');
    assert.ok(lines.findIndex((l) => l.includes(`X-Request-ID: ${rid}`)) < lines.indexOf(access));
  });

  it("gets the Node apps' spans, with code.* attributes, back through the API service proxy", async () => {
    const traceId = hex(32),
      parent = hex(16);
    await send('api.kubetrace.test', '/orders', { traceparent: `00-${traceId}-${parent}-01` });
    const path = `/api/v1/namespaces/observability/services/trace-store:16686/proxy/api/v3/traces/${traceId}`;
    const spans = await until(async () => {
      const r = await viaApi(path);
      if (r.status !== 200) return undefined;
      const s = spansOf(r.body);
      return s.some((x) => x.service === 'inventory' && x.name === 'inventory.lookup') &&
        s.some((x) => x.name === 'orders.list')
        ? s
        : undefined;
    }, 'the trace in the store');
    const server = spans.find((s) => s.service === 'orders' && s.kind === 2)!;
    assert.equal(server.parentSpanId, parent, 'the server span continues the incoming traceparent');
    assert.equal(server.attrs['http.route'], '/orders');
    const list = spans.find((s) => s.name === 'orders.list')!;
    assert.equal(list.attrs['code.file.path'], '/app/server.js');
    assert.equal(list.attrs['code.function.name'], 'listOrders');
    const line = Number(list.attrs['code.line.number']);
    const src = readFileSync(join(__dirname, '../../src/sandbox/apps/orders/server.js'), 'utf8').split('\n');
    assert.match(src[line - 1], /inSpan\('orders\.list'/, 'code.line.number is the line that started the span');
    const client = spans.find((s) => s.service === 'orders' && s.kind === 3)!;
    assert.equal(client.attrs['code.function.name'], 'fetchStock');
    const lookup = spans.find((s) => s.name === 'inventory.lookup')!;
    assert.equal(lookup.attrs['code.function.name'], 'lookupStock');
    assert.equal(spans.find((s) => s.service === 'inventory' && s.kind === 2)!.parentSpanId, client.spanId);
    assert.equal(
      (await viaApi(`/api/v1/namespaces/observability/services/trace-store:16686/proxy/api/v3/traces/${hex(32)}`))
        .status,
      404,
    );
  });

  it('records the exception of /orders/fail with its stack, in container paths', async () => {
    const traceId = hex(32);
    assert.equal(
      (await send('api.kubetrace.test', '/orders/fail', { traceparent: `00-${traceId}-${hex(16)}-01` })).status,
      500,
    );
    const spans = await until(async () => {
      const r = await viaApi(
        `/api/v1/namespaces/observability/services/trace-store:16686/proxy/api/v3/traces/${traceId}`,
      );
      return r.status === 200 && spansOf(r.body).some((s) => s.name === 'orders.fail') ? spansOf(r.body) : undefined;
    }, 'the failing trace');
    const fail = spans.find((s) => s.name === 'orders.fail')!;
    assert.equal(fail.status?.code, 2);
    const ev = fail.events!.find((e) => e.name === 'exception')!;
    const attrs = Object.fromEntries(ev.attributes!.map((a) => [a.key, Object.values(a.value)[0]]));
    assert.equal(attrs['exception.message'], 'payment declined for order 1001');
    assert.match(String(attrs['exception.stacktrace']), /at chargeCard \(\/app\/server\.js:\d+:\d+\)/);
    assert.equal(spans.find((s) => s.service === 'orders' && s.kind === 2)!.status?.code, 2);
  });

  it('reaches nginx through a client-node PortForward to the controller pod', async () => {
    const pf = new k8s.PortForward(kc);
    const local: Server = createServer((sock) => {
      void pf.portForward('ingress-nginx', controllerPod(), [sb.ingress.httpPort], sock, null, sock);
    });
    closers.push(() => local.close());
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', () => r()));
    // PortForward does not end the local socket when the pod side closes: read until the body is complete.
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect((local.address() as AddressInfo).port, '127.0.0.1', () =>
        s.write('GET /catalog HTTP/1.1\r\nHost: catalog.kubetrace.test\r\n\r\n'),
      );
      let data = '';
      s.on('data', (d) => {
        data += d;
        const head = data.indexOf('\r\n\r\n');
        const len = /\r\ncontent-length: (\d+)/i.exec(data.slice(0, head));
        if (head >= 0 && len && Buffer.byteLength(data.slice(head + 4)) >= Number(len[1])) {
          s.destroy();
          resolve(data);
        }
      }).on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply, /"sku":"kt-mug"/);
  });

  it('runs nginx -v in the controller pod through kubectl exec', async () => {
    const { stderr } = await run('kubectl', [
      '--kubeconfig',
      sb.kubeconfigPath,
      'exec',
      '-n',
      'ingress-nginx',
      controllerPod(),
      '--',
      'nginx',
      '-v',
    ]);
    assert.match(stderr, /nginx version: nginx\/1\.22\.1/);
  });

  it('regenerates and reloads nginx when a user manifest changes', async () => {
    const file = join(userDir, 'added.yaml');
    const reloads = sb.runtime.nginx!.reloads;
    assert.equal(
      (await send('added.kubetrace.test', '/catalog')).status,
      404,
      'unknown host: the fallback (inventory) says 404',
    );
    writeFileSync(
      file,
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: Ingress',
        'metadata: {name: added, namespace: catalog}',
        'spec:',
        '  ingressClassName: nginx',
        '  rules:',
        '  - host: added.kubetrace.test',
        '    http:',
        '      paths:',
        '      - {path: /catalog, pathType: Prefix, backend: {service: {name: catalog, port: {number: 80}}}}',
        '',
      ].join('\n'),
    );
    await until(async () => (await send('added.kubetrace.test', '/catalog')).status === 200, 'the added route', 10_000);
    await until(() => sb.runtime.nginx!.reloads > reloads, 'the reload count');
    const ing = sb.store.get('Ingress', 'catalog', 'added')!;
    assert.equal(
      (ing.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0].ip,
      sb.ingress.ip,
    );
    unlinkSync(file);
    await until(async () => (await send('added.kubetrace.test', '/catalog')).status === 404, 'the route to go', 10_000);
    assert.equal(sb.store.get('Ingress', 'catalog', 'added'), undefined);
  });

  it('gives a new replica from a user manifest a real process, and stops it when the replica goes', async () => {
    const builtin = parseAllDocuments(
      readFileSync(join(__dirname, '../../src/sandbox/manifests/20-shop.yaml'), 'utf8'),
    ).map((d) => d.toJS());
    const deploy = builtin.find((d) => d?.kind === 'Deployment' && d.metadata.name === 'orders');
    deploy.spec.replicas = 3;
    const file = join(userDir, 'orders-3.yaml');
    writeFileSync(file, stringify(deploy));
    const third = await until(() => {
      const p = podOf('shop', 'orders');
      return p.length === 3 ? p : undefined;
    }, 'a third orders pod');
    await until(
      () =>
        third.every(
          (n) =>
            (
              sb.store.get('Pod', 'shop', n)!.status as { conditions: { type: string; status: string }[] }
            ).conditions.find((c) => c.type === 'Ready')!.status === 'True',
        ),
      'all three Ready',
      20_000,
    );
    const ips = third.map((n) => (sb.store.get('Pod', 'shop', n)!.status as { podIP: string }).podIP);
    await until(
      () => ips.every((ip) => readFileSync(join(sb.nginxConfDir, 'nginx.conf'), 'utf8').includes(`server ${ip}:8080`)),
      'the new endpoint in nginx.conf',
      10_000,
    );
    const served = new Set<string>();
    await until(
      async () => {
        const r = await send('api.kubetrace.test', '/orders/1001', { 'X-Request-ID': `kt-rep-${hex(6)}` });
        assert.equal(r.status, 200);
        for (const n of third) if ((await podLog('shop', n)).includes('route=/orders/:id')) served.add(n);
        return served.size === 3;
      },
      'every replica to serve a request',
      20_000,
    );
    const procs = new Map(third.map((n) => [n, sb.runtime.pods.find((r) => r.info.name === n)!.process]));
    assert.equal(procs.size, 3);
    unlinkSync(file);
    await until(() => podOf('shop', 'orders').length === 2, 'back to two pods', 10_000);
    const gone = third.find((n) => !podOf('shop', 'orders').includes(n))!;
    await until(() => sb.runtime.pods.every((r) => r.info.name !== gone), 'the runtime to drop the pod');
    const { code, signal } = await procs.get(gone)!.exited;
    assert.ok(code === 0 || signal === 'SIGTERM', `the process stopped (${code ?? signal})`);
  });
});
