// The sandbox's NGINX Gateway Fabric stand-in without processes: which routes attach and why not, the status it
// writes, and the nginx config it generates for the demo Gateway (checked by Debian's `nginx -t`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setPodState, startControllers } from '../../src/sandbox/controllers';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { ObjectStore, type KubeObject } from '../../src/sandbox/store';
import { nginxTest } from '../../src/sandbox/nginx/controller';
import { buildGatewayModel } from '../../src/sandbox/gateway/model';
import { renderGatewayConfig } from '../../src/sandbox/gateway/render';

const tick = () => new Promise((r) => setImmediate(r));
type Cond = { type: string; status: string; reason: string; message: string };
type Parents = { parents: { parentRef: { sectionName?: string }; controllerName: string; conditions: Cond[] }[] };

async function demo() {
  const store = new ObjectStore();
  const c = startControllers(store, { podSubnet: '127.10.94' });
  applyObjects(store, (await loadManifests([demoManifestsDir()])).objects);
  await tick();
  // Every app pod Ready, as the runtime would leave them, so upstreams have servers.
  for (const p of store.list('Pod')) setPodState(store, p.metadata.namespace!, p.metadata.name, { ready: true });
  await tick();
  return { store, c };
}
const gateway = (store: ObjectStore) => store.get('Gateway', 'nginx-gateway', 'shop-gateway')!;
const parentsOf = (store: ObjectStore, ns: string, name: string) =>
  (store.get('HTTPRoute', ns, name)!.status as Parents).parents;

describe('sandbox Gateway (NGINX Gateway Fabric)', () => {
  it("writes NGF's status: routes accepted or not with a reason, listeners' attached routes, the address once set", async () => {
    const { store, c } = await demo();
    const ok = parentsOf(store, 'shop', 'orders-gold');
    assert.equal(ok[0].controllerName, 'gateway.nginx.org/nginx-gateway-controller');
    assert.deepEqual(
      ok[0].conditions.map((x) => [x.type, x.status]),
      [
        ['Accepted', 'True'],
        ['ResolvedRefs', 'True'],
      ],
    );
    const bad = parentsOf(store, 'shop', 'orders-grpc')[0];
    assert.deepEqual([bad.conditions[0].status, bad.conditions[0].reason], ['False', 'NoMatchingParent']);
    // orders-route's parentRef (no namespace) names shop/shop-gateway, which does not exist: NGF writes nothing.
    assert.equal(store.get('HTTPRoute', 'shop', 'orders-route')!.status, undefined);
    const st = gateway(store).status as {
      addresses: { value: string }[];
      conditions: Cond[];
      listeners: { name: string; attachedRoutes: number }[];
    };
    assert.deepEqual(st.addresses, []);
    assert.equal(st.conditions.find((x) => x.type === 'Programmed')!.status, 'False');
    assert.deepEqual(
      st.listeners.map((l) => [l.name, l.attachedRoutes]),
      [
        ['http', 3],
        ['https', 2],
      ],
    );
    c.setGatewayAddress('nginx-gateway/shop-gateway', {
      ip: '127.10.94.9',
      ports: [80, 443],
      service: { namespace: 'nginx-gateway', name: 'shop-gateway-nginx' },
    });
    const after = gateway(store).status as typeof st;
    assert.deepEqual(after.addresses, [{ type: 'IPAddress', value: '127.10.94.9' }]);
    assert.equal(after.conditions.find((x) => x.type === 'Programmed')!.status, 'True');
    const svc = store.get('Service', 'nginx-gateway', 'shop-gateway-nginx')!;
    assert.equal(
      (svc.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0].ip,
      '127.10.94.9',
    );
    // The ingress controller's Service is not taken for the Gateway's.
    const ing = store.get('Service', 'ingress-nginx', 'ingress-nginx-controller')!;
    assert.deepEqual((ing.status as { loadBalancer: object }).loadBalancer, {});
    c.stop();
  });

  it("generates NGF's config: servers per listener hostname, upstream names, split_clients, header match; nginx -t passes", async () => {
    const { store, c } = await demo();
    const model = buildGatewayModel(store, gateway(store));
    assert.deepEqual(
      model.servers.map((s) => `${s.port} ${s.hostname}`),
      [
        '80 catalog-gw.kubetrace.test',
        '80 gold.kubetrace.test',
        '80 split.kubetrace.test',
        '443 gold.kubetrace.test',
        '443 split.kubetrace.test',
      ],
    );
    assert.deepEqual(
      model.upstreams.map((u) => [u.name, u.servers.length]),
      [
        ['catalog_catalog_80', 1],
        ['shop_inventory_80', 1],
        ['shop_orders_80', 2],
      ],
    );
    assert.deepEqual(model.splits, [
      {
        variable: 'group_shop__health_split_rule0',
        parts: [
          { percent: '50.00', target: 'shop_orders_80' },
          { percent: '50.00', target: 'shop_inventory_80' },
        ],
      },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'kt-gateway-unit-'));
    try {
      const text = renderGatewayConfig(model, { dir, ip: '127.10.94.9', certs: new Map() });
      assert.match(text, /access_log \/dev\/stdout combined;/);
      assert.match(text, /map \$http_x_customer_tier \$ngf_match_80_gold_kubetrace_test_0_0_0 \{\n\s+"gold" 1;/);
      // Without the header nothing matches: NGF answers 404 rather than fall through to another route.
      const orders = text.slice(text.indexOf('location /orders/ {'));
      assert.match(orders, /^location \/orders\/ \{\n\s+if \(\$ngf_match_80_gold_kubetrace_test_0_0\) \{\n/);
      assert.match(orders, /^\s+rewrite \^ \/_ngf-internal-rule0-route\d+ last;\n\s+\}\n\s+return 404;/m);
      assert.match(text, /proxy_pass http:\/\/\$group_shop__health_split_rule0;/);
      // HTTPS servers need a certificate for nginx -t; any of the sandbox's kind will do.
      const http = renderGatewayConfig(
        { ...model, ports: model.ports.filter((p) => !p.ssl), servers: model.servers.filter((s) => !s.ssl) },
        { dir, ip: '127.0.0.1', certs: new Map() },
      );
      writeFileSync(join(dir, 'nginx.conf'), http);
      assert.equal(await nginxTest(dir, join(dir, 'nginx.conf')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    c.stop();
  });

  it('a backend that does not resolve: ResolvedRefs False with the reason, and NGF answers 500 for it', async () => {
    const { store, c } = await demo();
    const route = structuredClone(store.get('HTTPRoute', 'shop', 'orders-gold')!) as KubeObject & {
      spec: { rules: { backendRefs: { name: string; port: number }[] }[] };
    };
    route.spec.rules[0].backendRefs = [{ name: 'nowhere', port: 80 }];
    store.put(route);
    await tick();
    const refs = parentsOf(store, 'shop', 'orders-gold')[0].conditions[1];
    assert.deepEqual([refs.status, refs.reason], ['False', 'BackendNotFound']);
    const model = buildGatewayModel(store, gateway(store));
    assert.equal(
      model.upstreams.find((u) => u.name === 'shop_nowhere_80'),
      undefined,
    );
    const gold = model.servers.find((s) => s.hostname === 'gold.kubetrace.test')!;
    assert.equal(gold.locations[0].matches[0].target, 'invalid-backend-ref');
    const text = renderGatewayConfig(model, { dir: '/x', ip: '127.0.0.1', certs: new Map() });
    assert.match(text, /upstream invalid-backend-ref \{\n\s+server unix:\/x\/nginx-500-server\.sock;/);
    c.stop();
  });
});
