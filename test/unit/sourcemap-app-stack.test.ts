// Stack-trace parsing for Node, Python, Java and Go: real-looking traces with library frames to skip, plus fuzzing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseStack, type Frame } from '../../src/core/sourcemap/app/stack';
import { cpuMs } from '../cpu';

const appFrames = (text: string) =>
  parseStack(text)
    .filter((f) => !f.library)
    .map((f) => `${f.file}:${f.line}${f.function ? ' ' + f.function : ''}`);

const NODE_CJS = `Error: cart store unavailable
    at loadCart (/app/lib/carts.js:5:11)
    at /app/app.js:14:22
    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)
    at next (/app/node_modules/express/lib/router/route.js:149:13)
    at Route.dispatch (/app/node_modules/express/lib/router/route.js:119:3)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async Promise.all (index 0)`;

const NODE_ESM = `TypeError: Cannot read properties of undefined (reading 'pid')
    at Object.handler (file:///srv/api/index.mjs:10:52)
    at preHandlerCallback (file:///srv/api/node_modules/fastify/lib/handleRequest.js:137:37)
    at async Object.routeHandler (file:///srv/api/node_modules/fastify/lib/route.js:420:22)
    at new Promise (<anonymous>)
    at eval (eval at compile (/srv/api/lib/tpl.js:3:9), <anonymous>:1:1)`;

const PYTHON = `Traceback (most recent call last):
  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request
    rv = self.dispatch_request()
         ^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.11/site-packages/flask/app.py", line 1469, in dispatch_request
    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)
  File "/srv/books.py", line 15, in get_book
    return jsonify(load_book(book_id))
  File "/srv/books.py", line 9, in load_book
    raise KeyError("no book 0")
  File "/usr/lib/python3.11/json/__init__.py", line 231, in dumps
    return _default_encoder.encode(obj)
KeyError: 'no book 0'`;

const JAVA = `java.lang.IllegalArgumentException: empty id
\tat com.acme.payments.PaymentService.find(PaymentService.java:6)
\tat com.acme.payments.PaymentController.getPayment(PaymentController.java:13)
\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
\tat java.base/java.lang.reflect.Method.invoke(Method.java:580)
\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)
\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)
\tat com.acme.payments.Audit$Hook.lambda$run$0(Unknown Source)
\tat app//com.acme.payments.Boot.main(Boot.java:21)
\tat java.base/java.lang.Thread.run(Thread.java:1583)
Caused by: java.lang.NullPointerException
\tat com.acme.payments.Repo.load(Repo.kt:40)
\t... 12 more`;

const GO = `panic: shipment 0 does not exist

goroutine 7 [running]:
main.getShipment({0x7f1c80, 0xc0001a0000}, 0xc000196000)
\t/src/go-svc/main.go:10 +0x85
net/http.HandlerFunc.ServeHTTP(0xc000012345?, {0x7f1c80?, 0xc0001a0000?}, 0x0?)
\t/usr/local/go/src/net/http/server.go:2166 +0x29
github.com/go-chi/chi/v5.(*Mux).routeHTTP(0xc00009e000, {0x7f1c80, 0xc0001a0000}, 0xc000196000)
\t/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go:444 +0x216
main.(*api).serve(0xc00001c030)
\t/src/go-svc/api.go:31 +0x1d
created by net/http.(*Server).Serve in goroutine 1
\t/usr/local/go/src/net/http/server.go:3285 +0x4b4`;

test('Node: app frames only, innermost first, library and runtime frames skipped', () => {
  assert.deepEqual(appFrames(NODE_CJS), ['/app/lib/carts.js:5 loadCart', '/app/app.js:14']);
  const f = parseStack(NODE_CJS)[0];
  assert.equal(f.lang, 'node');
  assert.equal(f.column, 11);
  assert.ok(parseStack(NODE_CJS).some((x) => x.library && x.file === 'node:internal/process/task_queues'));
});

test('Node ESM: file:// URLs become paths, async frames and eval origins are read', () => {
  assert.deepEqual(appFrames(NODE_ESM), ['/srv/api/index.mjs:10 Object.handler', '/srv/api/lib/tpl.js:3 compile']);
});

test('Python: the innermost app frame comes first; site-packages and the stdlib are library', () => {
  assert.deepEqual(appFrames(PYTHON), ['/srv/books.py:9 load_book', '/srv/books.py:15 get_book']);
  const all = parseStack(PYTHON);
  assert.equal(all[0].file, '/usr/lib/python3.11/json/__init__.py');
  assert.equal(all[0].library, true);
  assert.equal(all.filter((x) => x.library).length, 3);
});

test('Java: package path from the class, JDK/Spring/Tomcat skipped, Unknown Source has no line', () => {
  assert.deepEqual(appFrames(JAVA), [
    'com/acme/payments/PaymentService.java:6 com.acme.payments.PaymentService.find',
    'com/acme/payments/PaymentController.java:13 com.acme.payments.PaymentController.getPayment',
    'com/acme/payments/Boot.java:21 com.acme.payments.Boot.main',
    'com/acme/payments/Repo.kt:40 com.acme.payments.Repo.load',
  ]);
  const unknown = parseStack(JAVA).find((f) => f.function?.includes('lambda$run$0'));
  assert.ok(unknown && unknown.line === undefined && unknown.library);
});

test('Go: function line + file line pairs; GOROOT and module cache skipped', () => {
  assert.deepEqual(appFrames(GO), [
    '/src/go-svc/main.go:10 main.getShipment',
    '/src/go-svc/api.go:31 main.(*api).serve',
  ]);
  const lib = parseStack(GO)
    .filter((f) => f.library)
    .map((f) => f.file);
  assert.deepEqual(lib, [
    '/usr/local/go/src/net/http/server.go',
    '/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go',
    '/usr/local/go/src/net/http/server.go',
  ]);
});

test('non-stack input gives no frames and does not throw', () => {
  for (const x of [
    undefined,
    null,
    42,
    '',
    'just a message',
    'at',
    'at (',
    'File "x", line',
    '\t/app/x.go',
    { a: 1 },
  ]) {
    assert.deepEqual(parseStack(x as unknown as string), []);
  }
});

// ---- fuzz ----
const ident = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,11}$/);
const seg = fc.stringMatching(/^[a-z0-9_][a-z0-9_.-]{0,9}$/).filter((s) => s !== '.' && s !== '..' && !s.endsWith('.'));
const dir = fc.array(seg, { minLength: 1, maxLength: 5 }).map((a) => '/' + a.join('/'));
const lineNo = fc.integer({ min: 1, max: 99999 });
type Want = { file: string; line: number; fn?: string };

const nodeFrame = fc
  .record({
    d: dir,
    base: ident,
    ext: fc.constantFrom('.js', '.mjs', '.cjs', '.ts'),
    line: lineNo,
    col: fc.integer({ min: 1, max: 400 }),
    fn: fc.option(ident, { nil: undefined }),
    url: fc.boolean(),
    asyncKw: fc.boolean(),
  })
  .map((r): [string, Want] => {
    const file = `${r.d}/${r.base}${r.ext}`;
    const loc = `${r.url ? 'file://' + file : file}:${r.line}:${r.col}`;
    const text = r.fn ? `    at ${r.asyncKw ? 'async ' : ''}${r.fn} (${loc})` : `    at ${loc}`;
    return [text, { file, line: r.line, ...(r.fn ? { fn: r.fn } : {}) }];
  });
const pyFrame = fc
  .record({
    d: dir,
    base: ident,
    line: lineNo,
    fn: ident,
    code: fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  })
  .map((r): [string, Want] => [
    `  File "${r.d}/${r.base}.py", line ${r.line}, in ${r.fn}\n    ${r.code.replace(/^\s*File /, 'X ')}`,
    { file: `${r.d}/${r.base}.py`, line: r.line, fn: r.fn },
  ]);
const javaFrame = fc
  .record({
    pkg: fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 4 }),
    cls: fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,10}$/),
    m: ident,
    line: lineNo,
  })
  .filter(
    (r) =>
      !/^(java|javax|jakarta|jdk|sun|kotlin|kotlinx|scala|groovy|reactor)$/.test(r.pkg[0]) &&
      !['org', 'io', 'com', 'net', 'ch'].includes(r.pkg[0]),
  )
  .map((r): [string, Want] => [
    `\tat ${r.pkg.join('.')}.${r.cls}.${r.m}(${r.cls}.java:${r.line})`,
    { file: `${r.pkg.join('/')}/${r.cls}.java`, line: r.line, fn: `${r.pkg.join('.')}.${r.cls}.${r.m}` },
  ]);
const goFrame = fc
  .record({ d: dir, base: ident, line: lineNo, fn: ident, off: fc.integer({ min: 0, max: 0xffff }) })
  .filter((r) => !r.d.startsWith('/usr/') && !r.d.includes('/pkg/mod/'))
  .map((r): [string, Want] => [
    `main.${r.fn}(0xc000010000, {0x1, 0x2})\n\t${r.d}/${r.base}.go:${r.line} +0x${r.off.toString(16)}`,
    { file: `${r.d}/${r.base}.go`, line: r.line, fn: `main.${r.fn}` },
  ]);

const check = (frames: Frame[], want: Want[]) => {
  assert.deepEqual(
    frames.map((f) => ({ file: f.file, line: f.line, ...(f.function ? { fn: f.function } : {}) })),
    want,
  );
};

test('fuzz: generated Node/Java/Go stacks parse back to the same frames, in order', () => {
  for (const [arb, head] of [
    [nodeFrame, 'Error: boom'],
    [javaFrame, 'java.lang.RuntimeException: boom'],
    [goFrame, 'goroutine 1 [running]:'],
  ] as const) {
    fc.assert(
      fc.property(fc.array(arb as fc.Arbitrary<[string, Want]>, { minLength: 1, maxLength: 20 }), (frames) => {
        const text = [head, ...frames.map((f) => f[0])].join('\n');
        check(
          parseStack(text),
          frames.map((f) => f[1]),
        );
      }),
      { numRuns: 700 },
    );
  }
});

test('fuzz: Python tracebacks (outermost first) come back innermost first', () => {
  fc.assert(
    fc.property(fc.array(pyFrame, { minLength: 1, maxLength: 20 }), (frames) => {
      const text = ['Traceback (most recent call last):', ...frames.map((f) => f[0]), 'ValueError: x'].join('\n');
      check(parseStack(text), frames.map((f) => f[1]).reverse());
    }),
    { numRuns: 700 },
  );
});

test('fuzz: arbitrary text never throws, stays bounded and fast', () => {
  const noisy = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc
      .array(
        fc.oneof(
          fc.constantFrom(
            '    at ',
            '(',
            ')',
            ':',
            '\t',
            'File "',
            '", line ',
            ', in ',
            ' +0x',
            '.go',
            '.java',
            'file://',
            '\n',
            'eval at ',
          ),
          fc.string({ maxLength: 8 }),
          lineNo.map(String),
        ),
        { maxLength: 200 },
      )
      .map((a) => a.join('')),
  );
  const started = cpuMs();
  fc.assert(
    fc.property(noisy, (s) => {
      const frames = parseStack(s);
      assert.ok(frames.length <= 500);
      for (const f of frames) {
        assert.equal(typeof f.file, 'string');
        assert.ok(f.line === undefined || (Number.isSafeInteger(f.line) && f.line > 0));
      }
    }),
    { numRuns: 3000 },
  );
  // A huge adversarial line must not hang the parser (regex backtracking).
  const big = '    at ' + 'a.'.repeat(20000) + '(' + 'x:'.repeat(5000);
  const t0 = cpuMs();
  parseStack(big + '\n' + big);
  assert.ok(cpuMs() - t0 < 1000, 'pathological input parsed in under a second of CPU');
  assert.ok(cpuMs() - started < 20000, '3,000 runs within 20 s of CPU');
});
