// The sandbox's HAProxy Kubernetes Ingress Controller without processes: what haproxy.cfg it writes from the demo
// manifests (checked by Debian's `haproxy -c`), and the load-balancer address its Ingresses get.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setPodState, startControllers } from '../../src/sandbox/controllers';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { ObjectStore } from '../../src/sandbox/store';
import { createCa, issueCert } from '../../src/sandbox/certs';
import { haproxyCheck } from '../../src/sandbox/haproxy/controller';
import { buildHaproxyModel, DEFAULT_BACKEND, HAPROXY_CONTROLLER } from '../../src/sandbox/haproxy/model';
import { renderHaproxyConfig } from '../../src/sandbox/haproxy/render';

const tick = () => new Promise((r) => setImmediate(r));
const CM = { namespace: 'haproxy-controller', name: 'haproxy-kubernetes-ingress' };

async function demo(ready = true) {
  const store = new ObjectStore();
  const c = startControllers(store, { podSubnet: '127.10.95' });
  applyObjects(store, (await loadManifests([demoManifestsDir()])).objects);
  await tick();
  if (ready)
    for (const p of store.list('Pod')) setPodState(store, p.metadata.namespace!, p.metadata.name, { ready: true });
  await tick();
  return { store, c };
}
const podIp = (store: ObjectStore, ns: string) => (store.list('Pod', ns)[0].status as { podIP: string }).podIP;
type Lb = { loadBalancer: { ingress?: { ip: string; ports: { port: number }[] }[] } };

describe('sandbox HAProxy Kubernetes Ingress Controller', () => {
  it('builds a backend per Service port, a server per ready endpoint and routes only for class haproxy', async () => {
    const { store, c } = await demo();
    const m = buildHaproxyModel(store, CM);
    assert.deepEqual(
      m.backends.map((b) => [b.name, b.servers.map((s) => `${s.name} ${s.address}:${s.port}`)]),
      [['catalog_catalog_http', [`SRV_1 ${podIp(store, 'catalog')}:5000`]]],
    );
    // catalog-haproxy only: the nginx-class `catalog` Ingress is not this controller's.
    assert.deepEqual(
      m.routes.map((r) => [r.ingress, r.host, r.match, r.path]),
      [
        ['catalog-haproxy', 'catalog-haproxy.kubetrace.test', 'exact', '/catalog'],
        ['catalog-haproxy', 'catalog-haproxy.kubetrace.test', 'prefix', '/catalog/'],
      ],
    );
    assert.equal(m.logToStdout, true);
    assert.deepEqual(m.captures, [{ expr: 'hdr(X-Request-ID)', len: 128 }]);
    assert.deepEqual(m.skipped, []);
    c.stop();
  });

  it('renders one frontend for HTTP and HTTPS with httplog to stdout and the request id, and haproxy -c accepts it', async () => {
    const { store, c } = await demo();
    const dir = mkdtempSync(join(tmpdir(), 'kubetrace-haproxy-'));
    try {
      const ca = await createCa();
      const pem = await issueCert(ca, ['catalog-haproxy.kubetrace.test']);
      const certFile = join(dir, 'default.pem');
      writeFileSync(certFile, `${pem.certPem}\n${pem.keyPem}\n`);
      const text = renderHaproxyConfig(buildHaproxyModel(store, CM), {
        ip: '127.0.0.1',
        httpPort: 8080,
        httpsPort: 8443,
        certFile,
      });
      assert.equal((text.match(/^frontend /gm) ?? []).length, 1);
      assert.match(text, /^ {2}bind 127\.0\.0\.1:8080 name v4$/m);
      assert.match(text, new RegExp(`^ {2}bind 127\\.0\\.0\\.1:8443 name v4ssl ssl crt ${certFile} `, 'm'));
      assert.match(text, /^ {2}log stdout format raw local0$/m);
      assert.match(text, /^ {2}option httplog$/m);
      assert.match(text, /^ {2}http-request capture hdr\(X-Request-ID\) len 128$/m);
      assert.match(text, /^ {2}unique-id-header X-Request-ID$/m);
      const host = '{ var(txn.host) -m str catalog-haproxy.kubetrace.test }';
      assert.ok(text.includes(`use_backend catalog_catalog_http if ${host} { path /catalog }\n`));
      assert.ok(text.includes(`use_backend catalog_catalog_http if ${host} { path_beg /catalog/ }\n`));
      assert.match(
        text,
        new RegExp(`^backend catalog_catalog_http\\n(?: .*\\n)* {2}server SRV_1 ${podIp(store, 'catalog')}:5000`, 'm'),
      );
      assert.match(text, new RegExp(`default_backend ${DEFAULT_BACKEND}`));
      assert.equal(await haproxyCheck(join(dir, 'haproxy.cfg'), text, dir), undefined);
      // And haproxy -c does refuse a broken file, so the check above means something.
      assert.match((await haproxyCheck(join(dir, 'bad.cfg'), `${text}\n  use_backend\n`, dir)) ?? '', /ALERT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    c.stop();
  });

  it('no ready endpoint: the backend has no server (haproxy answers 503) and the file still passes haproxy -c', async () => {
    const { store, c } = await demo(false);
    const m = buildHaproxyModel(store, CM);
    assert.deepEqual(m.backends[0].servers, []);
    assert.match(m.backends[0].missing ?? '', /no ready endpoints for catalog\/catalog:80/);
    const dir = mkdtempSync(join(tmpdir(), 'kubetrace-haproxy-'));
    try {
      const text = renderHaproxyConfig(m, { ip: '127.0.0.1', httpPort: 8080 });
      assert.doesNotMatch(text, /ssl crt/);
      assert.equal(await haproxyCheck(join(dir, 'haproxy.cfg'), text, dir), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    c.stop();
  });

  it("without the ConfigMap's stdout syslog-server the traffic log goes to syslog, as the chart's default", async () => {
    const { store, c } = await demo();
    store.delete('ConfigMap', CM.namespace, CM.name);
    const m = buildHaproxyModel(store, CM);
    assert.equal(m.logToStdout, false);
    assert.deepEqual(m.captures, []);
    assert.match(renderHaproxyConfig(m, { ip: '127.0.0.1', httpPort: 8080 }), /^ {2}log 127\.0\.0\.1:514 local0/m);
    c.stop();
  });

  it('a path or host haproxy.cfg would read as syntax is skipped with a reason', async () => {
    const { store, c } = await demo();
    store.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'evil', namespace: 'catalog' },
      spec: {
        ingressClassName: 'haproxy',
        rules: [
          {
            host: 'x.kubetrace.test',
            http: {
              paths: [
                {
                  path: '/a }  || TRUE',
                  pathType: 'Prefix',
                  backend: { service: { name: 'catalog', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    const m = buildHaproxyModel(store, CM);
    assert.equal(m.skipped.length, 1);
    assert.match(m.skipped[0].reason, /would read as syntax/);
    assert.ok(m.routes.every((r) => r.ingress !== 'evil'));
    c.stop();
  });

  it('a rule without a host and the path / catch everything else, after the longer paths; haproxy -c accepts it', async () => {
    const { store, c } = await demo();
    store.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'everything', namespace: 'catalog', annotations: { 'kubernetes.io/ingress.class': 'haproxy' } },
      spec: {
        rules: [
          {
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'catalog', port: { name: 'http' } } } },
              ],
            },
          },
        ],
      },
    });
    const m = buildHaproxyModel(store, CM);
    assert.deepEqual(
      m.routes.map((r) => [r.ingress, r.match, r.path]),
      [
        ['catalog-haproxy', 'exact', '/catalog'],
        ['catalog-haproxy', 'prefix', '/catalog/'],
        ['everything', 'prefix', '/'],
      ],
    );
    // The port named `http` and the port 80 are one Service port: one backend.
    assert.deepEqual(
      m.backends.map((b) => b.name),
      ['catalog_catalog_http'],
    );
    const text = renderHaproxyConfig(m, { ip: '127.0.0.1', httpPort: 8080 });
    assert.match(text, /^ {2}use_backend catalog_catalog_http if TRUE\n {2}default_backend/m);
    const dir = mkdtempSync(join(tmpdir(), 'kubetrace-haproxy-'));
    try {
      assert.equal(await haproxyCheck(join(dir, 'haproxy.cfg'), text, dir), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    c.stop();
  });

  it("gives the haproxy class's Ingresses the controller's address, and leaves the nginx class's alone", async () => {
    const { store, c } = await demo();
    const status = (name: string) => store.get('Ingress', 'catalog', name)!.status as Lb;
    assert.deepEqual(status('catalog-haproxy').loadBalancer, {});
    const ip = podIp(store, 'haproxy-controller');
    c.setIngressAddress(HAPROXY_CONTROLLER, {
      ip,
      ports: [8080, 8443],
      service: { namespace: 'haproxy-controller', name: 'haproxy-kubernetes-ingress' },
    });
    const lb = status('catalog-haproxy').loadBalancer.ingress!;
    assert.deepEqual(
      lb.map((x) => [x.ip, x.ports.map((p) => p.port)]),
      [[ip, [8080, 8443]]],
    );
    assert.deepEqual(status('catalog').loadBalancer, {});
    const svc = store.get('Service', 'haproxy-controller', 'haproxy-kubernetes-ingress')!.status as Lb;
    assert.equal(svc.loadBalancer.ingress![0].ip, ip);
    c.stop();
  });
});
