// The sandbox's own apps, with the repository as the workspace: spans shaped as a sandbox probe produces them
// (code.file.path=/app/server.js from the orders/inventory span processor, a catalog span from its log line, the
// nginx span from the access log) map to the real files in the repo, the right lines, the Ingress rule in
// src/sandbox/manifests and the location block of the generated nginx.conf.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { allowedRootsFor, clearSourcemapCaches, resolveSources } from '../../src/core/sourcemap';
import type { Span, Trace } from '../../src/core/trace/model';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { buildModel } from '../../src/sandbox/nginx/model';
import { renderConfig } from '../../src/sandbox/nginx/render';
import { ObjectStore } from '../../src/sandbox/store';

const REPO = resolve(__dirname, '..', '..');
const APPS = join(REPO, 'src', 'sandbox', 'apps');
const lines = (file: string) => readFileSync(file, 'utf8').split('\n');
function lineOf(file: string, re: RegExp): number {
  const hits = lines(file).flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  assert.equal(hits.length, 1, `${re} must match one line of ${file}`);
  return hits[0];
}

let confDir = '';
before(async () => {
  confDir = mkdtempSync(join(tmpdir(), 'kt-sbx-conf-'));
  const { objects } = await loadManifests([demoManifestsDir()]);
  const store = new ObjectStore();
  applyObjects(store, objects);
  const { text } = renderConfig(buildModel(store), {
    dir: confDir,
    listen: { ip: '127.10.0.2', httpPort: 18080, httpsPort: 18443 },
    defaultBackendPort: 18181,
    certs: new Map(),
  });
  writeFileSync(join(confDir, 'nginx.conf'), text);
  clearSourcemapCaches();
});
after(() => {
  if (confDir) rmSync(confDir, { recursive: true, force: true });
});

const T = '5b8efff798038103d269b633813fc60c';
const base = { startTimeUnixNano: '1000', endTimeUnixNano: '2000', status: 'unset' as const, events: [], links: [] };
function appSpan(
  id: string,
  service: string,
  file: string,
  fnRe: RegExp,
  fn: string,
  parent?: string,
): { span: Span; line: number } {
  const line = lineOf(join(APPS, service, file), fnRe);
  return {
    line,
    span: {
      ...base,
      spanId: id,
      ...(parent ? { parentSpanId: parent } : {}),
      name: `${service}.op`,
      service,
      layer: service === 'orders' ? 'app' : 'downstream',
      kind: 'internal',
      origin: 'otlp',
      attributes: {
        'code.file.path': `/app/${file}`,
        'code.line.number': line,
        'code.column.number': 3,
        'code.function.name': fn,
        'service.name': service,
        'kubetrace.pod': `${service}-6c9f8d7b5d-q2w4e`,
      },
    },
  };
}

test('a sandbox-shaped probe trace: every span has a source or a reason, pointing at the real files', async () => {
  const orders = appSpan(
    '00000000000000b1',
    'orders',
    'server.js',
    /^async function getOrder\(/,
    'getOrder',
    '00000000000000a2',
  );
  const inventory = appSpan(
    '00000000000000c1',
    'inventory',
    'server.js',
    /^async function lookupStock\(/,
    'lookupStock',
    '00000000000000b1',
  );
  const chargeLine = lineOf(join(APPS, 'orders', 'server.js'), /throw new Error\(`payment declined/);
  const failLine = lineOf(join(APPS, 'orders', 'server.js'), /^\s+chargeCard\(ORDERS\[0\]\);/);
  // As the SDK records it: a real stack, with the paths the process really ran (the sandbox runs apps from the repo).
  const failing: Span = {
    ...base,
    spanId: '00000000000000b2',
    parentSpanId: '00000000000000a2',
    name: 'GET /orders/fail',
    service: 'orders',
    layer: 'app',
    kind: 'server',
    origin: 'otlp',
    status: 'error',
    attributes: {
      'http.route': '/orders/fail',
      'http.request.method': 'GET',
      'code.file.path': '/app/server.js',
      'code.line.number': failLine,
      'code.function.name': 'failOrder',
    },
    events: [
      {
        timeUnixNano: '1500',
        name: 'exception',
        attributes: {
          'exception.type': 'Error',
          'exception.message': 'payment declined for order 1001',
          'exception.stacktrace': `Error: payment declined for order 1001\n    at chargeCard (${join(APPS, 'orders', 'server.js')}:${chargeLine}:9)\n    at ${join(APPS, 'orders', 'server.js')}:${failLine}:5\n    at inSpan (${join(APPS, 'node-common', 'serve.js')}:40:28)\n    at AsyncLocalStorage.run (node:async_hooks:346:14)\n    at ${join(REPO, 'node_modules', '@opentelemetry', 'context-async-hooks', 'build', 'src', 'AsyncLocalStorageContextManager.js')}:33:40`,
        },
      },
    ],
  };
  const catalogRouteLine = lineOf(join(APPS, 'catalog', 'app.py'), /^@app\.get\("\/catalog\/<item>"\)/);
  const catalog: Span = {
    ...base,
    spanId: '00000000000000d1',
    parentSpanId: '00000000000000a2',
    name: 'GET /catalog/<item>',
    service: 'catalog',
    layer: 'app',
    kind: 'server',
    origin: 'app-log',
    attributes: {
      'http.route': '/catalog/<item>',
      'url.path': '/catalog/kt-mug',
      'http.request.method': 'GET',
      'kubetrace.pod': 'catalog-7f6d5c4b3a-zx9cv',
    },
  };
  const probe: Span = {
    ...base,
    spanId: '00000000000000f1',
    name: 'probe',
    service: 'client',
    layer: 'client',
    kind: 'client',
    origin: 'probe',
    attributes: {
      'url.full': 'https://shop.kubetrace.test/orders/1001',
      'server.address': 'shop.kubetrace.test',
      'http.request.method': 'GET',
    },
  };
  const nginx: Span = {
    ...base,
    spanId: '00000000000000a1',
    parentSpanId: '00000000000000f1',
    name: 'nginx',
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: 'server',
    origin: 'nginx-log',
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/orders/1001',
      'nginx.proxy_upstream_name': 'shop-orders-80',
      'nginx.upstream_addr': '127.10.0.3:8080',
      'kubetrace.pod': 'ingress-nginx-controller-5c8d66c76d-8rdvw',
    },
  };
  const attempt: Span = {
    ...base,
    spanId: '00000000000000a2',
    parentSpanId: '00000000000000a1',
    name: 'upstream.attempt',
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: 'client',
    origin: 'nginx-log',
    attributes: {
      'kubetrace.upstream.attempt': 1,
      'server.address': '127.10.0.3',
      'nginx.upstream_addr': '127.10.0.3:8080',
    },
  };
  const trace: Trace = {
    traceId: T,
    criticalPath: [],
    diagnostics: [],
    spans: [probe, nginx, attempt, orders.span, inventory.span, failing, catalog],
  };
  const out = await resolveSources(trace, {
    workspaceFolders: [REPO],
    nginxConfDir: confDir,
    allowedRoots: allowedRootsFor({ workspaceFolders: [REPO], sandboxConfDir: confDir }),
    nginx: { reason: 'no nginx source tree in this test' },
  });
  const by = new Map(out.spans.map((s) => [s.spanId, s]));
  for (const s of out.spans) assert.ok(s.source || s.sourceReason, `${s.name} has neither source nor reason`);

  for (const [s, file] of [
    [orders, 'orders'],
    [inventory, 'inventory'],
  ] as const) {
    const got = by.get(s.span.spanId)!;
    assert.ok(got.source, `${file}: ${got.sourceReason}`);
    assert.equal(got.source.path, join(APPS, file, 'server.js'));
    assert.equal(got.source.line, s.line);
    assert.equal(lines(got.source.path)[got.source.line! - 1], lines(join(APPS, file, 'server.js'))[s.line - 1]);
    assert.match(
      lines(got.source.path)[got.source.line! - 1],
      new RegExp(`function ${String(s.span.attributes['code.function.name'])}\\(`),
    );
    // orders and inventory both have /app/server.js: the Deployment name settles it, and says so.
    assert.match(got.sourceReason!, new RegExp(`chose the one under a "${file}" folder`));
  }

  const fail = by.get('00000000000000b2')!;
  assert.deepEqual(fail.source, {
    kind: 'app',
    path: join(APPS, 'orders', 'server.js'),
    line: chargeLine,
    function: 'chargeCard',
  });
  assert.equal(fail.attributes['kubetrace.source.via'], 'stacktrace');
  assert.ok(
    fail.moreSources?.some((r) => r.path === join(APPS, 'orders', 'server.js') && r.line === failLine),
    "the span's own code location is kept",
  );
  assert.ok(!fail.moreSources?.some((r) => r.path.includes('node_modules')));

  const cat = by.get('00000000000000d1')!;
  assert.deepEqual(cat.source, {
    kind: 'app',
    path: join(APPS, 'catalog', 'app.py'),
    line: catalogRouteLine,
    function: 'get_item',
  });
  assert.equal(cat.attributes['kubetrace.source.confidence'], 'high');

  const ng = by.get('00000000000000a1')!;
  assert.equal(ng.source?.kind, 'nginx', 'the nginx span opens nginx C code first');
  const yaml = ng.moreSources?.find((r) => r.kind === 'ingress-yaml');
  assert.ok(yaml, `no ingress rule: ${ng.sourceReason}`);
  assert.equal(yaml.path, join(REPO, 'src', 'sandbox', 'manifests', '20-shop.yaml'));
  const yl = lines(yaml.path);
  assert.equal(yl[yaml.line! - 1].trim(), '- path: /orders');
  // ... inside the `orders` Ingress (not shop-api's /orders rule).
  const docStart = yl.slice(0, yaml.line).lastIndexOf('---');
  assert.ok(
    yl.slice(docStart, yaml.line).some((l) => l === '  name: orders') &&
      yl.slice(docStart, yaml.line).includes('kind: Ingress'),
  );
  const loc = ng.moreSources?.find((r) => r.kind === 'nginx-conf');
  assert.ok(loc, 'the nginx location block is linked');
  assert.equal(loc.path, join(confDir, 'nginx.conf'));
  const cl = lines(loc.path);
  assert.equal(cl[loc.line! - 1].trim(), 'location /orders/ {');
  assert.ok(cl.slice(loc.line!, loc.endLine).some((l) => l.includes('set $proxy_upstream_name "shop-orders-80";')));
  assert.match(ng.sourceReason!, /no nginx source tree in this test/);

  const at = by.get('00000000000000a2')!;
  assert.equal(at.source?.kind, 'nginx');
  assert.ok(!at.moreSources?.some((r) => r.kind === 'ingress-yaml'), 'only the request span links routing');
  assert.equal(by.get('00000000000000f1')!.source, undefined);
  assert.match(by.get('00000000000000f1')!.sourceReason!, /probe/);
});

test('live Ingress objects: the workspace manifest is preferred, else a read-only live rendering', async () => {
  const nginx: Span = {
    ...base,
    spanId: '00000000000000a1',
    name: 'nginx',
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: 'server',
    origin: 'nginx-log',
    attributes: {
      'url.path': '/inventory/stock',
      'nginx.proxy_upstream_name': 'shop-inventory-80',
      'server.address': 'api.kubetrace.test',
    },
  };
  const live = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'shop-api', namespace: 'shop', uid: 'x', managedFields: [{ manager: 'm' }] },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'api.kubetrace.test',
          http: {
            paths: [
              {
                path: '/inventory/stock',
                pathType: 'Exact',
                backend: { service: { name: 'inventory', port: { number: 80 } } },
              },
              { path: '/orders', pathType: 'Prefix', backend: { service: { name: 'orders', port: { name: 'http' } } } },
            ],
          },
        },
      ],
    },
  };
  const run = (ws: string[]) =>
    resolveSources(
      { traceId: T, spans: [nginx], criticalPath: [], diagnostics: [] },
      { workspaceFolders: ws, ingressObjects: [live], allowedRoots: ws, nginx: {} },
    );
  const inRepo = (await run([REPO])).spans[0];
  const ref = inRepo.moreSources?.find((r) => r.kind === 'ingress-yaml');
  assert.equal(ref?.path, join(REPO, 'src', 'sandbox', 'manifests', '20-shop.yaml'));
  assert.equal(lines(ref!.path)[ref!.line! - 1].trim(), '- path: /inventory/stock');

  const empty = mkdtempSync(join(tmpdir(), 'kt-empty-ws-'));
  after(() => rmSync(empty, { recursive: true, force: true }));
  const noWs = (await run([empty])).spans[0];
  const liveRef =
    noWs.source?.kind === 'ingress-yaml' ? noWs.source : noWs.moreSources?.find((r) => r.kind === 'ingress-yaml');
  assert.equal(liveRef?.path, 'kubetrace-live:/shop/shop-api.yaml');
  const { renderLiveIngressYaml } = await import('../../src/core/sourcemap');
  assert.equal(renderLiveIngressYaml(live).split('\n')[liveRef!.line! - 1].trim(), '- path: /inventory/stock');
});
