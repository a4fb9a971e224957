// The YAML locator: Ingress manifests in multi-document files and Helm-rendered output, the exact line of a path
// entry, the read-only rendering of live objects; fuzzed over generated manifests and over garbage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  findObject,
  ingressPathLine,
  keyPathLine,
  liveIngressPath,
  parseYaml,
  renderLiveIngressYaml,
  type Ingress,
} from '../../src/core/sourcemap';

const WS = join(__dirname, '..', 'fixtures', 'sourcemap', 'ws');
const read = (rel: string) => readFileSync(join(WS, rel), 'utf8');
const lineText = (text: string, line: number | undefined) => (line ? text.split('\n')[line - 1] : undefined);

test('multi-document file: each Ingress is found by kind/name/namespace and each path entry by content', () => {
  const text = read('deploy/bookstore.yaml');
  const p = parseYaml(text);
  assert.deepEqual(
    p.objects.map((o) => `${o.kind}/${o.namespace ?? '-'}/${o.name}`),
    [
      'Namespace/-/bookstore',
      'Service/bookstore/books',
      'Ingress/bookstore/storefront',
      'Ingress/bookstore/storefront-fallback',
    ],
  );
  const ing = findObject(p, 'Ingress', 'storefront', 'bookstore')!;
  assert.equal(lineText(text, ing.line), 'apiVersion: networking.k8s.io/v1');
  assert.equal(findObject(p, 'Ingress', 'storefront', 'other'), undefined, 'a namespace in the file must agree');

  const books = ingressPathLine(p, ing, { host: 'books.bookstore.test', path: '/books', pathType: 'Prefix' });
  assert.equal(lineText(text, books), '            path: /books', 'the path key, even when pathType comes first');
  const exact = ingressPathLine(p, ing, { host: 'books.bookstore.test', path: '/books/search', pathType: 'Exact' });
  assert.equal(lineText(text, exact), '          - path: /books/search');
  const wild = ingressPathLine(p, ing, { host: '*.bookstore.test', path: '/', pathType: 'Prefix' });
  assert.equal(lineText(text, wild), '          - path: /');
  // By content first: indexes from a live object with another rule order do not mislead it.
  assert.equal(
    ingressPathLine(p, ing, { host: 'books.bookstore.test', path: '/books', pathType: 'Prefix', rule: 0, index: 0 }),
    books,
  );
  // Index fallback when the content differs (edited live object).
  assert.equal(
    ingressPathLine(p, ing, { host: 'books.bookstore.test', path: '/novels', pathType: 'Prefix', rule: 1, index: 1 }),
    exact,
  );

  const fb = findObject(p, 'Ingress', 'storefront-fallback', 'bookstore')!;
  assert.equal(lineText(text, keyPathLine(p, fb, ['spec', 'defaultBackend'])), '  defaultBackend:');
});

test('Helm-rendered output: "# Source:" is kept, objects without a namespace are found', () => {
  const text = read('helm-out/rendered.yaml');
  const p = parseYaml(text);
  const ing = findObject(p, 'Ingress', 'reviews', 'bookstore')!;
  assert.equal(ing.helmSource, 'bookstore/templates/ingress.yaml');
  assert.equal(ing.namespace, undefined);
  assert.equal(
    lineText(
      text,
      ingressPathLine(p, ing, { host: 'reviews.bookstore.test', path: '/reviews', pathType: 'ImplementationSpecific' }),
    ),
    '          - path: /reviews',
  );
  assert.equal(findObject(p, 'Service', 'reviews')?.helmSource, 'bookstore/templates/service.yaml');
  // The chart's template itself is not valid YAML for a locator: it yields nothing useful, and no error.
  const tpl = parseYaml(read('charts/bookstore/templates/ingress.yaml'));
  assert.equal(tpl.objects.filter((o) => o.name).length, 0);
});

test('live objects render without server bookkeeping, deterministically, and lines point into that text', () => {
  const live: Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'orders',
      namespace: 'shop',
      uid: 'u-1',
      resourceVersion: '42',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'shop.kubetrace.test',
          http: {
            paths: [
              { path: '/orders', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: '127.10.0.2' }] } },
  };
  const text = renderLiveIngressYaml(live);
  assert.equal(text, renderLiveIngressYaml(JSON.parse(JSON.stringify(live))));
  assert.ok(!text.includes('managedFields') && !text.includes('last-applied') && !text.includes('annotations'));
  assert.match(text, /^apiVersion: networking\.k8s\.io\/v1\nkind: Ingress\nmetadata:/);
  const p = parseYaml(text);
  const line = ingressPathLine(p, p.objects[0], { host: 'shop.kubetrace.test', path: '/orders', pathType: 'Prefix' });
  assert.match(lineText(text, line)!, /^\s*- path: \/orders$/);
  assert.equal(liveIngressPath(live), 'kubetrace-live:/shop/orders.yaml');
  assert.equal(live.metadata!.managedFields !== undefined, true, "the caller's object is not changed");
});

// ---- fuzz ----
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const hostArb = fc.oneof(
  fc.constant(null),
  fc.array(label, { minLength: 2, maxLength: 3 }).map((a) => a.join('.')),
  fc.array(label, { minLength: 2, maxLength: 2 }).map((a) => '*.' + a.join('.')),
);
const pathArb = fc.array(fc.stringMatching(/^[a-zA-Z0-9_.~-]{1,8}$/), { maxLength: 4 }).map((a) => '/' + a.join('/'));
const pathType = fc.constantFrom('Prefix', 'Exact', 'ImplementationSpecific');
const entry = fc.record({
  path: pathArb,
  pathType,
  svc: label,
  port: fc.oneof(fc.integer({ min: 1, max: 65535 }), label),
  keyOrder: fc.boolean(),
});
const rule = fc.record({
  host: hostArb,
  paths: fc.uniqueArray(entry, { minLength: 1, maxLength: 4, selector: (e) => `${e.path} ${e.pathType}` }),
});
const ingressArb = fc.record({
  name: label,
  ns: fc.option(label, { nil: undefined }),
  rules: fc.uniqueArray(rule, { minLength: 1, maxLength: 4, selector: (r) => String(r.host) }),
});

interface GenIngress {
  name: string;
  ns: string | undefined;
  rules: {
    host: string | null;
    paths: { path: string; pathType: string; svc: string; port: number | string; keyOrder: boolean }[];
  }[];
}
function manifest(i: GenIngress) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: i.name, ...(i.ns ? { namespace: i.ns } : {}) },
    spec: {
      rules: i.rules.map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: {
          paths: r.paths.map((e) => {
            const backend = {
              service: { name: e.svc, port: typeof e.port === 'number' ? { number: e.port } : { name: e.port } },
            };
            return e.keyOrder
              ? { path: e.path, pathType: e.pathType, backend }
              : { backend, pathType: e.pathType, path: e.path };
          }),
        },
      })),
    },
  };
}

test('fuzz: in generated multi-doc / Helm-style files every path entry is located on its own `path:` line', () => {
  const file = fc.record({
    target: ingressArb,
    others: fc.array(
      fc.oneof(
        ingressArb.map(manifest),
        fc.record({
          apiVersion: fc.constant('v1'),
          kind: fc.constant('ConfigMap'),
          metadata: fc.record({ name: label }),
          data: fc.dictionary(label, fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        }),
      ),
      { maxLength: 3 },
    ),
    at: fc.nat(),
    indent: fc.integer({ min: 2, max: 4 }),
    helm: fc.boolean(),
    seqIndent: fc.boolean(),
  });
  fc.assert(
    fc.property(file, ({ target, others, at, indent, helm, seqIndent }) => {
      const docs = others.map((o) => ({ o, mine: false }));
      docs.splice(at % (docs.length + 1), 0, { o: manifest(target), mine: true });
      const text = docs
        .map(
          ({ o }, k) =>
            (helm ? `---\n# Source: chart/templates/t${k}.yaml\n` : k ? '---\n' : '') +
            stringify(o, { indent, indentSeq: seqIndent }),
        )
        .join('');
      const p = parseYaml(text);
      // Other generated Ingresses may share the name: the locator must be given the right one, so pick by position.
      const mineIndex = docs.findIndex((d) => d.mine);
      const obj = p.objects[mineIndex];
      assert.equal(obj.kind, 'Ingress');
      assert.equal(obj.name, target.name);
      if (helm) assert.equal(obj.helmSource, `chart/templates/t${mineIndex}.yaml`);
      const lines = text.split('\n');
      for (const r of target.rules) {
        for (const e of r.paths) {
          const line = ingressPathLine(p, obj, { host: r.host, path: e.path, pathType: e.pathType });
          assert.ok(line, `no line for ${r.host} ${e.path}`);
          assert.match(
            lines[line - 1],
            new RegExp(`^\\s*(- )?path: ["']?${e.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?$`),
          );
        }
      }
    }),
    { numRuns: 400 },
  );
});

test('fuzz: garbage never throws and yields only well-formed results', () => {
  const junk = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc
      .array(
        fc.oneof(
          fc.constantFrom(
            '---\n',
            'kind: Ingress\n',
            'metadata:\n',
            '  name: x\n',
            'spec:\n',
            '  rules:\n',
            '  - ',
            'path: ',
            '{{ .Values }}',
            '&a ',
            '*a',
            '!!binary ',
            '"',
            "'",
            ': ',
            '\t',
            '\n',
            '# Source: x\n',
            '[',
            ']',
            '{',
            '}',
          ),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 80 },
      )
      .map((a) => a.join('')),
  );
  fc.assert(
    fc.property(junk, fc.option(pathArb, { nil: undefined }), (text, path) => {
      const p = parseYaml(text);
      assert.ok(Array.isArray(p.objects));
      for (const o of p.objects) {
        assert.ok(Number.isInteger(o.line) && o.line >= 1);
        const l = ingressPathLine(p, o, { path });
        assert.ok(l === undefined || (Number.isInteger(l) && l >= 1 && l <= text.split('\n').length));
        keyPathLine(p, o, ['spec', 'defaultBackend']);
      }
    }),
    { numRuns: 3000 },
  );
  assert.deepEqual(parseYaml(undefined as unknown as string).objects, []);
});
