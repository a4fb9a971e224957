// Routing: which Ingress rule served a request (host + path with pathType semantics, settled by $proxy_upstream_name),
// and which nginx `location` block it went through, checked against the sandbox's real config generator.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYamlValue, parseAllDocuments } from 'yaml';
import { findNginxLocation, matchIngressRule, parseNginxConf, type Ingress } from '../../src/core/sourcemap';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { buildModel } from '../../src/sandbox/nginx/model';
import { renderConfig, type ConfIndex } from '../../src/sandbox/nginx/render';
import { ObjectStore } from '../../src/sandbox/store';

const WS = join(__dirname, '..', 'fixtures', 'sourcemap', 'ws');
const docsOf = (file: string) =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Ingress)
    .filter((o) => o?.kind === 'Ingress');
const shop = docsOf(join(demoManifestsDir(), '20-shop.yaml'));
const catalog = docsOf(join(demoManifestsDir(), '30-catalog.yaml'));
const books = [...docsOf(join(WS, 'deploy', 'bookstore.yaml')), ...docsOf(join(WS, 'helm-out', 'rendered.yaml'))];
const all = [...shop, ...catalog, ...books];
const desc = (m: ReturnType<typeof matchIngressRule>) =>
  m
    ? [m.ingress.metadata?.name, m.kind, m.host ?? '*', m.pathValue, m.pathType, m.confidence]
        .filter((x) => x !== undefined)
        .join(' ')
    : null;

test('Ingress rule matching: hosts, Prefix by path elements, Exact, ImplementationSpecific, wildcards', () => {
  const cases: [Parameters<typeof matchIngressRule>[1], string | null][] = [
    [{ host: 'shop.kubetrace.test', path: '/orders' }, 'orders path shop.kubetrace.test /orders Prefix high'],
    [{ host: 'shop.kubetrace.test', path: '/orders/1001' }, 'orders path shop.kubetrace.test /orders Prefix high'],
    [{ host: 'SHOP.kubetrace.test:443', path: '/orders/' }, 'orders path shop.kubetrace.test /orders Prefix high'],
    [{ host: 'shop.kubetrace.test', path: '/ordersx' }, null],
    [
      { host: 'api.kubetrace.test', path: '/inventory/stock' },
      'shop-api path api.kubetrace.test /inventory/stock Exact high',
    ],
    [{ host: 'api.kubetrace.test', path: '/inventory/stock/1' }, null],
    [
      { host: 'api.kubetrace.test', path: '/orders/7', upstream: 'shop-orders-http' },
      'shop-api path api.kubetrace.test /orders Prefix high',
    ],
    [
      { host: 'catalog.kubetrace.test', path: '/catalog/kt-mug', upstream: 'catalog-catalog-80' },
      'catalog path catalog.kubetrace.test /catalog Prefix high',
    ],
    [{ host: 'x.bookstore.test', path: '/anything' }, 'storefront path *.bookstore.test / Prefix high'],
    [{ host: 'a.b.bookstore.test', path: '/anything' }, null],
    [
      { host: 'books.bookstore.test', path: '/books/search' },
      'storefront path books.bookstore.test /books/search Exact high',
    ],
    [
      { host: 'books.bookstore.test', path: '/books/search/more' },
      'storefront path books.bookstore.test /books Prefix high',
    ],
    [
      { host: 'reviews.bookstore.test', path: '/reviewsx' },
      'reviews path reviews.bookstore.test /reviews ImplementationSpecific high',
    ],
    // No host (an access log has none): the upstream tells the two /orders rules apart.
    [{ path: '/orders', upstream: 'shop-orders-80' }, 'orders path shop.kubetrace.test /orders Prefix high'],
    [{ path: '/orders', upstream: 'shop-orders-http' }, 'shop-api path api.kubetrace.test /orders Prefix high'],
    [
      { path: '/orders', upstream: 'upstream-shop-orders-http' },
      'shop-api path api.kubetrace.test /orders Prefix high',
    ],
    // Host says one rule, upstream another: the upstream is what nginx logged, so it wins.
    [
      { host: 'shop.kubetrace.test', path: '/orders', upstream: 'shop-orders-http' },
      'shop-api path api.kubetrace.test /orders Prefix medium',
    ],
    // A host no rule names reaches the catch-all server: the Ingress defaultBackend.
    [{ host: 'unknown.test', path: '/x', upstream: 'shop-inventory-80' }, 'fallback defaultBackend * medium'],
    [{ host: 'shop.kubetrace.test', path: '/nope', upstream: 'upstream-default-backend' }, null],
  ];
  for (const [req, want] of cases) assert.equal(desc(matchIngressRule(all, req)), want, JSON.stringify(req));
  assert.equal(desc(matchIngressRule(shop, { host: 'unknown.test', path: '/x' })), 'fallback defaultBackend * low');
  assert.equal(matchIngressRule([null as unknown as Ingress, {} as Ingress], { path: '/' }), null);
});

let dir = '';
let index: ConfIndex;
let conf = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kt-conf-'));
  const { objects } = await loadManifests([demoManifestsDir()]);
  const store = new ObjectStore();
  applyObjects(store, objects);
  const r = renderConfig(buildModel(store), {
    dir,
    listen: { ip: '127.10.0.2', httpPort: 18080, httpsPort: 18443 },
    defaultBackendPort: 18181,
    certs: new Map(),
  });
  conf = r.text;
  index = r.index;
  writeFileSync(join(dir, 'nginx.conf'), conf);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('nginx location: the block the sandbox generator wrote for that host, path and upstream', async () => {
  const lines = conf.split('\n');
  const want = (host: string, path: string) => {
    const e = index.locations.find((l) => l.host === host && l.path === path);
    assert.ok(e, `the generator has no location ${host} ${path}`);
    return e;
  };
  const cases: [string | undefined, string, string | undefined, string, string][] = [
    ['shop.kubetrace.test', '/orders', 'shop-orders-80', 'shop.kubetrace.test', '/orders'],
    ['shop.kubetrace.test', '/orders/1001', 'shop-orders-80', 'shop.kubetrace.test', '/orders/'],
    ['api.kubetrace.test', '/inventory/stock', 'shop-inventory-80', 'api.kubetrace.test', '/inventory/stock'],
    ['api.kubetrace.test', '/orders/5', 'shop-orders-http', 'api.kubetrace.test', '/orders/'],
    ['catalog.kubetrace.test', '/catalog', undefined, 'catalog.kubetrace.test', '/catalog'],
    [undefined, '/orders/9', 'shop-orders-http', 'api.kubetrace.test', '/orders/'],
    ['nobody.test', '/x', 'shop-inventory-80', '_', '/'],
  ];
  for (const [host, path, upstream, wantHost, wantPath] of cases) {
    const got = await findNginxLocation(dir, host, path, upstream);
    const e = want(wantHost, wantPath);
    assert.ok(got, `${host} ${path}`);
    assert.equal(got.file, join(dir, 'nginx.conf'));
    // The generator's index starts at the comment above the block; the block itself is the first `location` line.
    const blockLine = lines.findIndex((l, i) => i + 1 >= e.line && /^\s*location /.test(l)) + 1;
    assert.equal(got.line, blockLine, `${host} ${path}: ${lines[got.line - 1]}`);
    assert.equal(got.endLine, e.endLine);
    assert.match(lines[got.line - 1], new RegExp(`^\\s*location (= )?${wantPath.replace(/[/]/g, '\\/')} \\{$`));
    if (upstream) assert.equal(got.upstream, upstream);
  }
});

test('nginx location choice: exact, ^~, regex order, longest prefix, nested, includes inside the folder only', async () => {
  const d = mkdtempSync(join(tmpdir(), 'kt-conf2-'));
  after(() => rmSync(d, { recursive: true, force: true }));
  mkdirSync(join(d, 'conf.d'));
  writeFileSync(
    join(d, 'nginx.conf'),
    [
      'events {}',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  include conf.d/*.conf;',
      '  server {',
      '    listen 80 default_server;',
      '    server_name _;',
      '    location / { return 404; }',
      '  }',
      '}',
    ].join('\n'),
  );
  writeFileSync(
    join(d, 'conf.d', 'a.conf'),
    [
      'server {',
      '  server_name www.example.test "~^api\\d+\\.example\\.test$";',
      '  location = /exact { return 200; }',
      '  location ^~ /static/ { return 200; }',
      '  location ~* \\.(png|jpg)$ { return 200; }',
      '  location ~ ^/static/img { return 200; }',
      '  location /app/ {',
      '    location /app/admin/ { return 403; }',
      '    location ~ \\.php$ { return 200; }',
      '  }',
      '  location / { return 200; } # the root',
      '}',
    ].join('\n'),
  );
  const at = async (host: string, path: string) => {
    const r = await findNginxLocation(d, host, path);
    return r ? `${r.file.slice(d.length + 1)}:${r.line} ${r.match}` : null;
  };
  assert.equal(await at('www.example.test', '/exact'), 'conf.d/a.conf:3 location = /exact');
  assert.equal(await at('www.example.test', '/exact/no'), 'conf.d/a.conf:11 location /');
  assert.equal(await at('www.example.test', '/static/img/a.png'), 'conf.d/a.conf:4 location ^~ /static/');
  assert.equal(await at('www.example.test', '/x/a.PNG'), 'conf.d/a.conf:5 location ~* \\.(png|jpg)$');
  assert.equal(await at('www.example.test', '/app/admin/users'), 'conf.d/a.conf:8 location /app/admin/');
  assert.equal(await at('www.example.test', '/app/x.php'), 'conf.d/a.conf:9 location ~ \\.php$');
  assert.equal(await at('www.example.test', '/app/y'), 'conf.d/a.conf:7 location /app/');
  assert.equal(await at('api7.example.test', '/exact'), 'conf.d/a.conf:3 location = /exact');
  assert.equal(await at('other.test', '/any'), 'nginx.conf:8 location /');
  assert.equal(await findNginxLocation(join(d, 'missing'), 'x', '/'), null);
});

test('the nginx.conf tokenizer keeps lines, quotes, comments and ${vars}, and survives broken input', () => {
  const t = parseNginxConf(
    '# c\nhttp {\n  log_format x \'$a "b" ${c}\';\n  server { # s\n    location "/a b" {\n    }\n  }\n}\n',
    '/x.conf',
  );
  const server = t[0].block![1];
  assert.deepEqual([t[0].name, t[0].line, t[0].endLine], ['http', 2, 8]);
  assert.deepEqual(t[0].block![0].args, ['x', '$a "b" ${c}']);
  assert.deepEqual([server.name, server.line, server.endLine], ['server', 4, 7]);
  assert.deepEqual([server.block![0].args, server.block![0].line, server.block![0].endLine], [['/a b'], 5, 6]);
  for (const junk of ['}}}{', '{', 'server { location', '"unterminated', 'a ${b', '\0'])
    assert.ok(Array.isArray(parseNginxConf(junk, '/j')));
  assert.equal(parseYamlValue('a: 1').a, 1);
});

test('fuzz: arbitrary objects as Ingresses (YAML files and the API can hold anything) never make matching throw', async () => {
  const fc = (await import('fast-check')).default;
  const ingressish = fc.record(
    {
      metadata: fc.oneof(
        fc.anything(),
        fc.record({ name: fc.oneof(fc.string(), fc.anything()), namespace: fc.anything(), annotations: fc.anything() }),
      ),
      spec: fc.oneof(
        fc.anything(),
        fc.record({
          rules: fc.oneof(
            fc.anything(),
            fc.array(
              fc.record({
                host: fc.anything(),
                http: fc.oneof(
                  fc.anything(),
                  fc.record({
                    paths: fc.oneof(
                      fc.anything(),
                      fc.array(fc.record({ path: fc.anything(), pathType: fc.anything(), backend: fc.anything() })),
                    ),
                  }),
                ),
              }),
            ),
          ),
          defaultBackend: fc.anything(),
        }),
      ),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.array(ingressish, { maxLength: 5 }),
      fc.record({ host: fc.option(fc.string()), path: fc.option(fc.string()), upstream: fc.option(fc.string()) }),
      (ings, req) => {
        const clean = Object.fromEntries(Object.entries(req).filter(([, v]) => v !== null)) as {
          host?: string;
          path?: string;
          upstream?: string;
        };
        const m = matchIngressRule([...(ings as Ingress[]), ...shop], clean);
        assert.ok(m === null || typeof m.ingress.metadata?.name === 'string');
      },
    ),
    { numRuns: 2000 },
  );
});
