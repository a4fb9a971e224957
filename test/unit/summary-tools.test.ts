// The agent tools' shared parts: route references, the probe safety rule, the confirmation text, the route
// listing, and the package.json contribution that VS Code reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors';
import { TOOL_NAMES, parseRouteRef, probeConfirmation, probeRefusal, routesText } from '../../src/core/summary/tools';
import type { RouteEntry } from '../../src/core/kube/routes';

test('route references: NS/NAME, ingress/NS/NAME, httproute/NS/NAME; anything else is a usage error with a hint', () => {
  assert.deepEqual(parseRouteRef('shop/orders'), { namespace: 'shop', name: 'orders' });
  assert.deepEqual(parseRouteRef(' ingress/shop/orders '), { kind: 'Ingress', namespace: 'shop', name: 'orders' });
  assert.deepEqual(parseRouteRef('HTTPRoute/shop/orders-route'), {
    kind: 'HTTPRoute',
    namespace: 'shop',
    name: 'orders-route',
  });
  for (const bad of ['', 'orders', 'shop/', '/orders', 'a/b/c', 'svc/shop/orders', 'Shop/Orders', 'shop/or ders']) {
    assert.throws(
      () => parseRouteRef(bad),
      (e: unknown) => e instanceof UsageError && /not a route reference/.test(e.message) && !!e.hint,
      bad,
    );
  }
});

test('property: parseRouteRef returns a valid reference or a UsageError, never anything else', () => {
  const part = fc.stringMatching(/^[a-z0-9][-a-z0-9.]{0,20}$/);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.tuple(part, part).map(([a, b]) => `${a}/${b}`),
      ),
      (s) => {
        try {
          const r = parseRouteRef(s);
          assert.equal(`${r.namespace}/${r.name}`, s.trim().split('/').slice(-2).join('/'));
          assert.match(r.namespace, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        } catch (e) {
          assert.ok(e instanceof UsageError, String(e));
          assert.ok(e.message.length <= 120);
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('probe safety: GET only unless writes are allowed; outside the sandbox only with consent', () => {
  const sandbox = { sandbox: true, allowWrites: false, outsideSandbox: false };
  assert.equal(probeRefusal('GET', false, sandbox), undefined);
  assert.match(probeRefusal('post', false, sandbox)!.message, /^a POST probe can change data/);
  assert.match(probeRefusal('GET', true, sandbox)!.message, /^a GET probe with a body can change data/);
  assert.match(probeRefusal('DELETE', false, sandbox)!.hint!, /--allow-writes/);
  assert.equal(probeRefusal('DELETE', true, { ...sandbox, allowWrites: true }), undefined);
  const real = { sandbox: false, allowWrites: true, outsideSandbox: false };
  assert.match(probeRefusal('GET', false, real)!.hint!, /--yes/);
  assert.equal(probeRefusal('GET', false, { ...real, outsideSandbox: true }), undefined);
  assert.match(probeRefusal('PUT', false, { ...real, allowWrites: false, outsideSandbox: true })!.message, /PUT/);
});

test('the confirmation says where the probe goes, that it is not the sandbox, and that a write may change data', () => {
  const real = probeConfirmation({
    route: 'shop/orders',
    method: 'get',
    path: '/orders',
    hasBody: false,
    context: 'prod-eu',
    sandbox: false,
  });
  assert.equal(real.title, 'Send a GET probe to prod-eu?');
  assert.equal(
    real.message,
    'Kubetrace will send GET /orders through shop/orders on context prod-eu, which is not the Kubetrace sandbox: ' +
      'a real request to a real cluster.',
  );
  const write = probeConfirmation({ route: 'shop/orders', method: 'POST', hasBody: true, sandbox: true });
  assert.equal(write.title, 'Send a POST probe to the sandbox?');
  assert.match(write.message, /\. A POST with a body may change data\.$/);
  const secret = probeConfirmation({
    route: 'shop/orders',
    method: 'GET',
    path: '/x?token=abc123',
    hasBody: false,
    sandbox: false,
  });
  assert.ok(!secret.message.includes('abc123'));
});

test('the route listing: one line per route, one per host and path with backends and ready endpoints', () => {
  const entries: RouteEntry[] = [
    {
      kind: 'Ingress',
      namespace: 'shop',
      name: 'orders',
      className: 'nginx',
      addresses: ['127.0.0.5'],
      tls: [{ hosts: ['shop.test'] }],
      rules: [
        {
          host: 'shop.test',
          paths: [
            {
              path: '/orders',
              pathType: 'Prefix',
              backends: [
                {
                  service: { name: 'orders', port: 8080 },
                  endpoints: [
                    { ip: '10.0.0.1', port: 8080, ready: true },
                    { ip: '10.0.0.2', port: 8080, ready: false },
                  ],
                },
              ],
            },
          ],
        },
        {
          host: null,
          paths: [
            {
              path: '/',
              pathType: 'Exact',
              backends: [{ service: { name: 'gone', port: 80 }, missing: true, endpoints: [] }],
            },
          ],
        },
      ],
    },
  ];
  assert.equal(
    routesText(entries),
    [
      'Ingress shop/orders class=nginx address=127.0.0.5 tls=shop.test',
      '  shop.test/orders (Prefix) → service orders:8080 1/2 ready',
      '  */ (Exact) → service gone:80 (missing)',
    ].join('\n'),
  );
  assert.equal(routesText([]), 'no Ingresses or HTTPRoutes found');
  const many = Array.from({ length: 300 }, (_, i) => ({ ...entries[0], name: `r${i}` }));
  const text = routesText(many).split('\n');
  assert.equal(text.length, 201);
  assert.match(text[200], /^… 700 more lines; pass a namespace/);
});

test('package.json contributes the tools with schemas, and activates on them', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const tools = pkg.contributes.languageModelTools as {
    name: string;
    modelDescription: string;
    inputSchema: { type: string; required?: string[] };
  }[];
  assert.deepEqual(
    tools.map((t) => t.name),
    // kubetrace_burst is registered by src/vscode/lm-burst.ts, beside the shared three.
    [...Object.values(TOOL_NAMES), 'kubetrace_burst'],
  );
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object');
    assert.ok(t.modelDescription.length > 80, t.name);
    assert.ok(pkg.activationEvents.includes(`onLanguageModelTool:${t.name}`), t.name);
  }
  assert.deepEqual(tools.find((t) => t.name === TOOL_NAMES.probe)!.inputSchema.required, ['route']);
  assert.match(pkg.engines.vscode, /^\^1\.(9[5-9]|1\d\d)\./);
});
