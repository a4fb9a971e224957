// App spans -> app source: a table of real-world-shaped spans (Node and Python auto-instrumentation with the stable
// and deprecated code.* names, Java controller spans, stack traces on exception events), path mapping with
// ambiguity, and spans imported from Jaeger, Tempo and Zipkin files through the real importers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openImport } from '../../src/core/io/import';
import { codeAttributes, resolveSources, type SourcemapContext } from '../../src/core/sourcemap';
import type { Span, SourceRef, Trace } from '../../src/core/trace/model';

const WS = join(__dirname, '..', 'fixtures', 'sourcemap', 'ws');
const ctx = (extra: Partial<SourcemapContext> = {}): SourcemapContext => ({
  workspaceFolders: [WS],
  allowedRoots: [WS],
  ...extra,
});
const tmp = mkdtempSync(join(tmpdir(), 'kt-attrs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function span(p: Partial<Span> & { attributes?: Span['attributes'] }): Span {
  n++;
  return {
    spanId: n.toString(16).padStart(16, '0'),
    name: 'GET',
    service: 'shop',
    layer: 'app',
    kind: 'server',
    startTimeUnixNano: '1000',
    endTimeUnixNano: '2000',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'otlp',
    ...p,
  };
}
const exception = (stack: string) => [
  {
    timeUnixNano: '1500',
    name: 'exception',
    attributes: { 'exception.type': 'Error', 'exception.message': 'x', 'exception.stacktrace': stack },
  },
];
async function resolveOne(s: Span, c = ctx()): Promise<Span> {
  const t: Trace = { traceId: '0'.repeat(31) + '1', spans: [s], criticalPath: [], diagnostics: [] };
  return (await resolveSources(t, c)).spans[0];
}
const lineText = (ref: SourceRef) => readFileSync(ref.path, 'utf8').split('\n')[ref.line! - 1];
const f = (rel: string) => join(WS, rel);

test('codeAttributes reads the stable names first, then the deprecated ones, numbers as strings too', () => {
  assert.deepEqual(
    codeAttributes({
      'code.file.path': '/a.js',
      'code.line.number': 3,
      'code.column.number': 7,
      'code.function.name': 'h',
      'code.filepath': '/old.js',
      'code.lineno': 9,
    }),
    { file: '/a.js', line: 3, column: 7, function: 'h' },
  );
  assert.deepEqual(
    codeAttributes({
      'code.filepath': '/b.py',
      'code.lineno': '12',
      'code.column': '4',
      'code.function': 'get',
      'code.namespace': 'views',
    }),
    { file: '/b.py', line: 12, column: 4, function: 'views.get', namespace: 'views' },
  );
  assert.deepEqual(codeAttributes({ 'code.lineno': -3, 'code.filepath': '/c.go' }), { file: '/c.go' });
  assert.equal(codeAttributes({ 'http.route': '/x' }), null);
});

const table: {
  name: string;
  span: Partial<Span>;
  file: string;
  line: number;
  fn?: string;
  text: RegExp;
  confidence: string;
  via: string;
}[] = [
  {
    name: 'Node, stable code.* names (SpanProcessor from opentelemetry-js #3047)',
    span: {
      attributes: {
        'code.file.path': '/usr/src/app/lib/carts.js',
        'code.line.number': 5,
        'code.column.number': 11,
        'code.function.name': 'loadCart',
      },
    },
    file: 'shop-express/lib/carts.js',
    line: 5,
    fn: 'loadCart',
    text: /throw new Error/,
    confidence: 'high',
    via: 'code-attributes',
  },
  {
    name: 'Node, deprecated names, container path /app/app.js',
    span: { attributes: { 'code.filepath': '/app/app.js', 'code.lineno': 13, 'code.function': 'handler' } },
    file: 'shop-express/app.js',
    line: 13,
    fn: 'handler',
    text: /app\.get\('\/carts\/:cartId'/,
    confidence: 'medium',
    via: 'code-attributes',
  },
  {
    name: 'Python, deprecated names with code.namespace',
    span: {
      attributes: {
        'code.filepath': '/srv/flask-books/books.py',
        'code.lineno': 9,
        'code.function': 'load_book',
        'code.namespace': 'books',
      },
    },
    file: 'flask-books/books.py',
    line: 9,
    fn: 'books.load_book',
    text: /raise KeyError/,
    confidence: 'high',
    via: 'code-attributes',
  },
  {
    name: 'Python, stable names',
    span: {
      attributes: {
        'code.file.path': '/opt/app/fastapi-users/main.py',
        'code.line.number': 8,
        'code.function.name': 'main.read_user',
      },
    },
    file: 'fastapi-users/main.py',
    line: 8,
    fn: 'main.read_user',
    text: /async def read_user/,
    confidence: 'high',
    via: 'code-attributes',
  },
  {
    name: 'Java controller span: only code.namespace + code.function (the Java agent default)',
    span: { attributes: { 'code.namespace': 'com.acme.payments.PaymentController', 'code.function': 'getPayment' } },
    file: 'spring-payments/src/main/java/com/acme/payments/PaymentController.java',
    line: 12,
    fn: 'com.acme.payments.PaymentController.getPayment',
    text: /public Payment getPayment\(/,
    confidence: 'high',
    via: 'code-attributes',
  },
  {
    name: 'Node error span: the exception stack wins over the span start site',
    span: {
      status: 'error',
      attributes: { 'code.file.path': '/app/app.js', 'code.line.number': 13 },
      events: exception(
        `Error: cart store unavailable\n    at loadCart (/app/lib/carts.js:5:11)\n    at /app/app.js:14:22\n    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
      ),
    },
    file: 'shop-express/lib/carts.js',
    line: 5,
    fn: 'loadCart',
    text: /throw new Error/,
    confidence: 'high',
    via: 'stacktrace',
  },
  {
    name: 'Python traceback on an exception event',
    span: {
      status: 'error',
      events: exception(
        `Traceback (most recent call last):\n  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1469, in dispatch_request\n    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)\n  File "/srv/flask-books/books.py", line 15, in get_book\n    return jsonify(load_book(book_id))\n  File "/srv/flask-books/books.py", line 9, in load_book\n    raise KeyError("no book 0")\nKeyError: 'no book 0'`,
      ),
    },
    file: 'flask-books/books.py',
    line: 9,
    fn: 'load_book',
    text: /raise KeyError/,
    confidence: 'high',
    via: 'stacktrace',
  },
  {
    name: 'Java stack in code.stacktrace',
    span: {
      attributes: {
        'code.stacktrace': `java.lang.IllegalArgumentException: empty id\n\tat com.acme.payments.PaymentService.find(PaymentService.java:6)\n\tat com.acme.payments.PaymentController.getPayment(PaymentController.java:13)\n\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)\n\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)`,
      },
    },
    file: 'spring-payments/src/main/java/com/acme/payments/PaymentService.java',
    line: 6,
    fn: 'com.acme.payments.PaymentService.find',
    text: /throw new IllegalArgumentException/,
    confidence: 'high',
    via: 'stacktrace',
  },
  {
    name: 'Go panic stack',
    span: {
      status: 'error',
      events: exception(
        `panic: shipment 0 does not exist\n\ngoroutine 7 [running]:\nmain.getShipment({0x7f1c80, 0xc0001a0000}, 0xc000196000)\n\t/src/go-svc/main.go:10 +0x85\nnet/http.HandlerFunc.ServeHTTP(0xc000012345?, {0x7f1c80?, 0xc0001a0000?}, 0x0?)\n\t/usr/local/go/src/net/http/server.go:2166 +0x29`,
      ),
    },
    file: 'go-svc/main.go',
    line: 10,
    fn: 'main.getShipment',
    text: /panic\("shipment 0/,
    confidence: 'high',
    via: 'stacktrace',
  },
  {
    name: 'Zipkin-style string tags',
    span: { origin: 'zipkin', attributes: { 'code.filepath': '/app/lib/carts.js', 'code.lineno': '10' } },
    file: 'shop-express/lib/carts.js',
    line: 10,
    text: /function priceCart/,
    confidence: 'high',
    via: 'code-attributes',
  },
];

for (const row of table) {
  test(`table: ${row.name}`, async () => {
    const out = await resolveOne(span(row.span));
    assert.ok(out.source, `no source: ${out.sourceReason}`);
    assert.equal(out.source.kind, 'app');
    assert.equal(out.source.path, f(row.file));
    assert.equal(out.source.line, row.line);
    if (row.fn) assert.equal(out.source.function, row.fn);
    assert.match(lineText(out.source), row.text);
    assert.equal(out.attributes['kubetrace.source.confidence'], row.confidence);
    assert.equal(out.attributes['kubetrace.source.via'], row.via);
  });
}

test('an error span keeps its own code location in moreSources', async () => {
  const out = await resolveOne(span(table[5].span));
  assert.deepEqual(
    out.moreSources?.map((r) => `${r.path}:${r.line}`),
    [`${f('shop-express/app.js')}:13`, `${f('shop-express/app.js')}:14`],
  );
});

test('stack traces with library frames only, or unknown files, give a reason', async () => {
  const lib = await resolveOne(
    span({
      events: exception(
        'Error: x\n    at next (/app/node_modules/express/lib/router/route.js:149:13)\n    at node:internal/process/task_queues:95:5',
      ),
    }),
  );
  assert.equal(lib.source, undefined);
  assert.match(lib.sourceReason!, /all in libraries or the runtime/);
  const unknown = await resolveOne(
    span({ attributes: { 'code.file.path': '/app/src/nowhere.js', 'code.line.number': 3 } }),
  );
  assert.equal(unknown.source, undefined);
  assert.match(unknown.sourceReason!, /no workspace file matches \/app\/src\/nowhere\.js/);
  const bare = await resolveOne(span({ kind: 'internal' }));
  assert.match(bare.sourceReason!, /no code\.\* attributes, stack trace or http\.route/);
  const none = await resolveOne(span({ attributes: { 'code.file.path': '/app/app.js', 'code.line.number': 1 } }), {
    workspaceFolders: [],
    allowedRoots: [],
  });
  assert.match(none.sourceReason!, /no workspace folder/);
});

test('path mapping: ambiguity is reported with candidates, then settled by name, line, workloadFolders, pathMappings', async () => {
  const pay = (p: Partial<Span>, line = 3) =>
    span({
      ...p,
      attributes: { 'code.file.path': '/app/handlers/pay.js', 'code.line.number': line, ...(p.attributes ?? {}) },
    });
  const amb = await resolveOne(pay({ service: 'payments' }));
  assert.equal(amb.source, undefined);
  assert.match(
    amb.sourceReason!,
    /ambiguous: 2 workspace files end in handlers\/pay\.js \(svc-a\/handlers\/pay\.js, svc-b\/handlers\/pay\.js\)/,
  );
  assert.deepEqual(
    amb.moreSources?.map((r) => r.path),
    [f('svc-a/handlers/pay.js'), f('svc-b/handlers/pay.js')],
  );

  const byService = await resolveOne(pay({ service: 'svc-b' }));
  assert.equal(byService.source?.path, f('svc-b/handlers/pay.js'));
  assert.match(byService.sourceReason!, /chose the one under a "svc-b" folder/);
  assert.equal(byService.attributes['kubetrace.source.confidence'], 'medium');

  const byLine = await resolveOne(pay({ service: 'payments' }, 6));
  assert.equal(byLine.source?.path, f('svc-b/handlers/pay.js'), 'only svc-b has a line 6');

  const byWorkload = await resolveOne(
    pay({ service: 'payments', attributes: { 'kubetrace.pod': 'payments-7d9c6b5f4-x2x9z' } }),
    ctx({ workloadFolders: { payments: f('svc-a') } }),
  );
  assert.equal(byWorkload.source?.path, f('svc-a/handlers/pay.js'));
  assert.equal(byWorkload.attributes['kubetrace.source.confidence'], 'high');

  const byMapping = await resolveOne(
    pay({ service: 'payments' }),
    ctx({ pathMappings: { '/app': f('svc-a'), '/app/handlers': f('svc-b/handlers') } }),
  );
  assert.equal(byMapping.source?.path, f('svc-b/handlers/pay.js'), 'the longest prefix wins');
  const missing = await resolveOne(pay({ service: 'payments' }), ctx({ pathMappings: { '/app': f('go-svc') } }));
  assert.equal(missing.source, undefined);
  assert.match(
    missing.sourceReason!,
    /kubetrace\.pathMappings maps it to .*go-svc\/handlers\/pay\.js, which does not exist/,
  );
});

// ---- imports: the same logic on spans read from Jaeger, Tempo and Zipkin files ----
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
async function importFile(name: string, body: unknown): Promise<Trace> {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(body));
  const opened = await openImport(p);
  for await (const item of opened.items) if ('trace' in item) return item.trace;
  throw new Error(`no trace in ${name}`);
}

test('Jaeger import: code.* tags and an exception log map to the workspace', async () => {
  const trace = await importFile('jaeger.json', {
    data: [
      {
        traceID: TRACE,
        spans: [
          {
            traceID: TRACE,
            spanID: '00f067aa0ba902b7',
            operationName: 'GET /books/:id',
            references: [],
            startTime: 1700000000000000,
            duration: 1200,
            processID: 'p1',
            tags: [
              { key: 'span.kind', type: 'string', value: 'server' },
              { key: 'code.filepath', type: 'string', value: '/srv/flask-books/books.py' },
              { key: 'code.lineno', type: 'int64', value: 14 },
              { key: 'code.function', type: 'string', value: 'get_book' },
            ],
            logs: [],
          },
          {
            traceID: TRACE,
            spanID: '00f067aa0ba902b8',
            operationName: 'load',
            references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: '00f067aa0ba902b7' }],
            startTime: 1700000000000100,
            duration: 300,
            processID: 'p1',
            tags: [{ key: 'error', type: 'bool', value: true }],
            logs: [
              {
                timestamp: 1700000000000200,
                fields: [
                  { key: 'event', type: 'string', value: 'exception' },
                  {
                    key: 'exception.stacktrace',
                    type: 'string',
                    value:
                      'Traceback (most recent call last):\n  File "/srv/flask-books/books.py", line 9, in load_book\n    raise KeyError("no book 0")\nKeyError: 0',
                  },
                ],
              },
            ],
          },
        ],
        processes: { p1: { serviceName: 'books', tags: [] } },
      },
    ],
  });
  const out = await resolveSources(trace, ctx());
  const byName = new Map(out.spans.map((s) => [s.name, s]));
  assert.deepEqual(byName.get('GET /books/:id')!.source, {
    kind: 'app',
    path: f('flask-books/books.py'),
    line: 14,
    function: 'get_book',
  });
  assert.deepEqual(byName.get('load')!.source, {
    kind: 'app',
    path: f('flask-books/books.py'),
    line: 9,
    function: 'load_book',
  });
});

test('Tempo import (batches, base64 ids): stable code.* attributes and an exception event', async () => {
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
  const trace = await importFile('tempo.json', {
    batches: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'carts' } }] },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-http' },
            spans: [
              {
                traceId: b64(TRACE),
                spanId: b64('1111111111111111'),
                name: 'GET /carts/:cartId',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000002000000',
                attributes: [
                  { key: 'code.file.path', value: { stringValue: '/app/app.js' } },
                  { key: 'code.line.number', value: { intValue: '13' } },
                ],
                status: {},
              },
              {
                traceId: b64(TRACE),
                spanId: b64('2222222222222222'),
                parentSpanId: b64('1111111111111111'),
                name: 'loadCart',
                kind: 1,
                startTimeUnixNano: '1700000000000100000',
                endTimeUnixNano: '1700000000000900000',
                status: { code: 2 },
                events: [
                  {
                    timeUnixNano: '1700000000000800000',
                    name: 'exception',
                    attributes: [
                      {
                        key: 'exception.stacktrace',
                        value: {
                          stringValue:
                            'Error: cart store unavailable\n    at loadCart (/app/lib/carts.js:5:11)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
                        },
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
  const out = await resolveSources(trace, ctx());
  const byName = new Map(out.spans.map((s) => [s.name, s]));
  assert.deepEqual(byName.get('GET /carts/:cartId')!.source, { kind: 'app', path: f('shop-express/app.js'), line: 13 });
  assert.deepEqual(byName.get('loadCart')!.source, {
    kind: 'app',
    path: f('shop-express/lib/carts.js'),
    line: 5,
    function: 'loadCart',
  });
});

test('Zipkin import: string tags, and http.route when there is no code location', async () => {
  const trace = await importFile('zipkin.json', [
    {
      traceId: TRACE,
      id: '3333333333333333',
      name: 'get /payments/{id}',
      kind: 'SERVER',
      timestamp: 1700000000000000,
      duration: 900,
      localEndpoint: { serviceName: 'payments' },
      tags: { 'http.method': 'GET', 'http.route': '/payments/{id}', 'http.path': '/payments/42' },
    },
    {
      traceId: TRACE,
      id: '4444444444444444',
      parentId: '3333333333333333',
      name: 'find',
      kind: 'SERVER',
      timestamp: 1700000000000100,
      duration: 100,
      localEndpoint: { serviceName: 'payments' },
      tags: { 'code.filepath': 'com/acme/payments/PaymentService.java', 'code.lineno': '4', 'code.function': 'find' },
    },
    // Zipkin has no span events: the exception's stack arrives as a tag.
    {
      traceId: TRACE,
      id: '5555555555555555',
      parentId: '3333333333333333',
      name: 'refund',
      timestamp: 1700000000000200,
      duration: 100,
      localEndpoint: { serviceName: 'payments' },
      tags: {
        error: 'empty id',
        'exception.stacktrace':
          'java.lang.IllegalArgumentException: empty id\n\tat com.acme.payments.PaymentService.find(PaymentService.java:6)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)',
      },
    },
  ]);
  const out = await resolveSources(trace, ctx());
  const byId = new Map(out.spans.map((s) => [s.spanId, s]));
  const route = byId.get('3333333333333333')!;
  assert.equal(route.source?.path, f('spring-payments/src/main/java/com/acme/payments/PaymentController.java'));
  assert.match(lineText(route.source!), /@GetMapping\("\/\{id\}"\)/);
  assert.equal(route.attributes['kubetrace.source.via'], 'route');
  const find = byId.get('4444444444444444')!;
  assert.deepEqual(find.source, {
    kind: 'app',
    path: f('spring-payments/src/main/java/com/acme/payments/PaymentService.java'),
    line: 4,
    function: 'find',
  });
  assert.deepEqual(byId.get('5555555555555555')!.source, {
    kind: 'app',
    path: f('spring-payments/src/main/java/com/acme/payments/PaymentService.java'),
    line: 6,
    function: 'com.acme.payments.PaymentService.find',
  });
});
