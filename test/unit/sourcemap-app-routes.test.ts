// Route finding: spans without code.* attributes find their handler from http.route or method + path, over a fixture
// workspace with express, fastify, koa, plain node:http, Flask, FastAPI, Spring and Go handlers.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { clearSourcemapCaches, extractRoutes, findRoutes, resolveSources } from '../../src/core/sourcemap';
import type { Span } from '../../src/core/trace/model';

const WS = join(__dirname, '..', 'fixtures', 'sourcemap', 'ws');
const f = (rel: string) => join(WS, rel);
/** The 1-based line of the only line holding `snippet`: expectations come from the files, not from numbers. */
function lineOf(rel: string, snippet: string): number {
  const lines = readFileSync(f(rel), 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(snippet) ? [i + 1] : []));
  assert.equal(hits.length, 1, `${snippet} must be on exactly one line of ${rel}`);
  return hits[0];
}

const cases: {
  q: { route?: string; path?: string; method?: string };
  file: string;
  at: string;
  fn?: string;
  best?: number;
}[] = [
  { q: { route: '/carts/:cartId', method: 'GET' }, file: 'shop-express/app.js', at: "app.get('/carts/:cartId'" },
  { q: { path: '/carts/77', method: 'GET' }, file: 'shop-express/app.js', at: "app.get('/carts/:cartId'" },
  { q: { path: '/carts/remote', method: 'GET' }, file: 'shop-express/app.js', at: "app.get('/carts/:cartId'" },
  {
    q: { route: '/carts/:cartId', method: 'DELETE' },
    file: 'shop-express/app.js',
    at: "app.delete('/carts/:cartId'",
    fn: 'removeCart',
  },
  {
    q: { path: '/carts/9/items', method: 'POST' },
    file: 'shop-express/app.js',
    at: "router.post('/carts/:cartId/items'",
  },
  {
    q: { path: '/api/carts/9/items', method: 'POST' },
    file: 'shop-express/app.js',
    at: "router.post('/carts/:cartId/items'",
  },
  { q: { path: '/wishlist', method: 'POST' }, file: 'shop-express/app.js', at: "app.route('/wishlist')" },
  { q: { path: '/health/live', method: 'GET' }, file: 'fastify-api/index.mjs', at: "fastify.get('/health/live'" },
  { q: { path: '/profiles/9', method: 'PUT' }, file: 'fastify-api/index.mjs', at: "url: '/profiles/:pid'" },
  { q: { route: '/reviews/:rid', method: 'GET' }, file: 'koa-svc/src/routes.js', at: "router.get('/reviews/:rid'" },
  { q: { path: '/ping', method: 'GET' }, file: 'plain-http/main.mjs', at: "pathname === '/ping'" },
  {
    q: { path: '/invoices/42', method: 'GET' },
    file: 'plain-http/main.mjs',
    at: '/^\\/invoices\\/(\\d+)$/.test(pathname)',
  },
  { q: { path: '/static/css/site.css', method: 'GET' }, file: 'plain-http/main.mjs', at: "startsWith('/static/')" },
  {
    q: { route: '/books/<int:book_id>', method: 'GET' },
    file: 'flask-books/books.py',
    at: '@app.route("/books/<int:book_id>"',
    fn: 'get_book',
  },
  {
    q: { path: '/books/7', method: 'DELETE' },
    file: 'flask-books/books.py',
    at: '@app.route("/books/<int:book_id>"',
    fn: 'get_book',
  },
  {
    q: { path: '/authors/tolkien', method: 'GET' },
    file: 'flask-books/books.py',
    at: '@authors.get("/<name>")',
    fn: 'get_author',
  },
  {
    q: { route: '/users/{user_id}', method: 'GET' },
    file: 'fastapi-users/main.py',
    at: '@app.get("/users/{user_id}")',
    fn: 'read_user',
  },
  {
    q: { path: '/teams/3/members', method: 'POST' },
    file: 'fastapi-users/main.py',
    at: '@teams.post("/{team_id}/members")',
    fn: 'add_member',
  },
  {
    q: { path: '/payments/42', method: 'GET' },
    file: 'spring-payments/src/main/java/com/acme/payments/PaymentController.java',
    at: '@GetMapping("/{id}")',
    fn: 'getPayment',
  },
  {
    q: { path: '/payments', method: 'POST' },
    file: 'spring-payments/src/main/java/com/acme/payments/PaymentController.java',
    at: '@PostMapping',
    fn: 'create',
  },
  {
    q: { path: '/payments/refunds', method: 'POST' },
    file: 'spring-payments/src/main/java/com/acme/payments/PaymentController.java',
    at: '@RequestMapping(value = "/refunds"',
    fn: 'refund',
  },
  {
    q: { route: '/shipments/{id}', method: 'GET' },
    file: 'go-svc/main.go',
    at: 'http.HandleFunc("GET /shipments/{id}"',
    fn: 'getShipment',
  },
];

for (const c of cases) {
  test(`route ${c.q.method} ${c.q.route ?? c.q.path} -> ${c.file}`, async () => {
    const hits = await findRoutes(c.q, [WS]);
    assert.ok(hits.length, 'no candidate');
    assert.equal(hits[0].file, f(c.file));
    assert.equal(hits[0].def.line, lineOf(c.file, c.at));
    if (c.fn) assert.equal(hits[0].def.function, c.fn);
  });
}

test('no handler for a method the route does not take, nor for an unknown path', async () => {
  assert.deepEqual(
    (await findRoutes({ path: '/books/7', method: 'POST' }, [WS])).filter((h) => h.file.endsWith('books.py')),
    [],
  );
  assert.deepEqual(await findRoutes({ path: '/nothing/here/at/all', method: 'GET' }, [WS]), []);
  assert.ok(
    !(await findRoutes({ path: '/carts/remote', method: 'GET' }, [WS])).some(
      (h) => h.def.line === lineOf('shop-express/app.js', "axios.get('/carts/remote')"),
    ),
    'a client call is not a route',
  );
});

function serverSpan(attrs: Span['attributes'], service = 'shop'): Span {
  return {
    spanId: '00000000000000a1',
    name: 'GET',
    service,
    layer: 'app',
    kind: 'server',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    status: 'unset',
    attributes: attrs,
    events: [],
    links: [],
    origin: 'app-log',
  };
}

test('through the resolver: confidence and the other candidates are stated', async () => {
  const t = (s: Span) =>
    resolveSources(
      { traceId: 'f'.repeat(32), spans: [s], criticalPath: [], diagnostics: [] },
      { workspaceFolders: [WS], allowedRoots: [WS] },
    );
  const exact = (await t(serverSpan({ 'http.route': '/carts/:cartId', 'http.request.method': 'GET' }))).spans[0];
  assert.equal(exact.attributes['kubetrace.source.confidence'], 'high');
  assert.equal(exact.attributes['kubetrace.source.via'], 'route');
  assert.match(
    exact.sourceReason!,
    /found from the route: route \/carts\/:cartId equals http\.route in express code \(high confidence\)/,
  );

  const mounted = (await t(serverSpan({ 'url.path': '/api/carts/9/items', 'http.request.method': 'POST' }))).spans[0];
  assert.equal(mounted.attributes['kubetrace.source.confidence'], 'low');
  assert.match(mounted.sourceReason!, /mounted router/);

  // No method: only the node:http startsWith handler matches, and a prefix match is never "high".
  const loose = (await t(serverSpan({ 'url.path': '/static/x' }))).spans[0];
  assert.equal(loose.source?.path, f('plain-http/main.mjs'));
  assert.ok(['low', 'medium'].includes(String(loose.attributes['kubetrace.source.confidence'])));

  const none = (await t(serverSpan({ 'url.path': '/no/such/route', 'http.request.method': 'GET' }))).spans[0];
  assert.equal(none.source, undefined);
  assert.match(none.sourceReason!, /no route handler for GET \/no\/such\/route in the workspace/);
});

test('the scan skips node_modules, dot folders and big files, and sees edits once caches are cleared', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'kt-routes-'));
  after(() => rmSync(ws, { recursive: true, force: true }));
  mkdirSync(join(ws, 'node_modules', 'lib'), { recursive: true });
  mkdirSync(join(ws, '.git'), { recursive: true });
  mkdirSync(join(ws, 'src'));
  writeFileSync(join(ws, 'node_modules', 'lib', 'index.js'), "app.get('/zzz', h);\n");
  writeFileSync(join(ws, '.git', 'hook.js'), "app.get('/zzz', h);\n");
  writeFileSync(join(ws, 'src', 'big.js'), "app.get('/zzz', h);\n" + '//'.padEnd(600 * 1024, 'x') + '\n');
  writeFileSync(join(ws, 'src', 'small.js'), "app.get('/yyy', h);\n");
  clearSourcemapCaches();
  assert.deepEqual(await findRoutes({ path: '/zzz', method: 'GET' }, [ws]), []);
  assert.equal((await findRoutes({ path: '/yyy', method: 'GET' }, [ws]))[0]?.def.line, 1);
  writeFileSync(join(ws, 'src', 'small.js'), "\n\napp.get('/zzz', h);\n");
  clearSourcemapCaches();
  const hits = await findRoutes({ path: '/zzz', method: 'GET' }, [ws]);
  assert.deepEqual(
    hits.map((h) => [h.file, h.def.line]),
    [[join(ws, 'src', 'small.js'), 3]],
  );
});

test('extractRoutes: Spring class prefix, Flask methods, Go patterns, route tables, bad input', () => {
  const java = extractRoutes(
    'X.java',
    '@RestController\n@RequestMapping("/api")\nclass X {\n  @GetMapping(path = "items/{id}")\n  Item get() {}\n  @DeleteMapping\n  void drop() {}\n}\n',
  );
  assert.deepEqual(
    java.map((r) => [r.method, r.pattern, r.line, r.function]),
    [
      ['GET', '/api/items/{id}', 4, 'get'],
      ['DELETE', '/api', 6, 'drop'],
    ],
  );
  const py = extractRoutes('a.py', '@app.route("/x", methods=["POST", "put"])\ndef x():\n  pass\n');
  assert.deepEqual(
    py.map((r) => [r.method, r.pattern, r.function]),
    [
      ['POST', '/x', 'x'],
      ['PUT', '/x', 'x'],
    ],
  );
  const go = extractRoutes('m.go', 'mux.HandleFunc("/files/", serveFiles)\nr.GET("/users/:id", getUser)\n');
  assert.deepEqual(
    go.map((r) => [r.method, r.pattern, r.match]),
    [
      ['*', '/files/', 'prefix'],
      ['GET', '/users/:id', 'template'],
    ],
  );
  const table = extractRoutes(
    's.js',
    "serve([\n  { method: 'GET', pattern: /^\\/a$/, route: '/a/:id', handler: getA },\n]);\n",
  );
  assert.deepEqual(
    table.map((r) => [r.method, r.pattern, r.line, r.function, r.framework]),
    [['GET', '/a/:id', 2, 'getA', 'route-table']],
  );
  for (const junk of ['', '\0\0\0', '@app.route(', 'app.get(`/x', '/^\\/(/.test(p)'])
    assert.ok(Array.isArray(extractRoutes('j.js', junk)));
});
