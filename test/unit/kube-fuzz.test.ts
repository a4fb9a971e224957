// Property tests: kubeconfig loading and route-tree building over thousands of random and mutated inputs.
// Every input gives a result or a KubetraceError — never a crash, never a hang (each case is time-bounded) —
// and what comes out keeps the documented shapes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { loadClientNode, loadKubeconfig } from '../../src/core/kube/load';
import { KubeRequester } from '../../src/core/kube/request';
import { buildEntries, type ClusterSnapshot } from '../../src/core/kube/route-tree';
import { findController } from '../../src/core/kube/controller';
import type { Backend, RouteEntry } from '../../src/core/kube/routes';
import { candidates, choose } from '../../src/core/probe/choose';
import { KubetraceError } from '../../src/core/errors';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig';
import { edits, junk, mutate } from '../fixtures/kube/mutate';
import { cpuMs } from '../cpu';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-kube-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// client-node loads on first use (seconds under tsx); that is not what the per-case time bound measures.
before(async () => {
  await loadClientNode();
});
const RUNS = Number(process.env.KUBETRACE_FUZZ_RUNS ?? 1000);

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        t = setTimeout(() => rej(new Error(`hang: ${what} took over ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

// Real kubeconfigs to start from: the sandbox's own, and one with every auth kind and cluster option.
const sandboxYaml = kubeconfigYaml({
  server: 'https://127.0.0.1:6443',
  caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  adminToken: 'adm',
  restrictedToken: 'res',
  restrictedNamespace: 'shop',
});
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'file-token');
const richYaml = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'eks',
  preferences: {},
  clusters: [
    {
      name: 'eks',
      cluster: {
        server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
        'certificate-authority-data': 'LS0tLS1CRUdJTg==',
        'tls-server-name': 'api',
        'proxy-url': 'http://proxy.corp:3128',
      },
    },
    { name: 'kind', cluster: { server: 'https://127.0.0.1:40123/', 'insecure-skip-tls-verify': true } },
  ],
  users: [
    {
      name: 'aws',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', 'x'],
          env: [{ name: 'AWS_PROFILE', value: 'dev' }],
          interactiveMode: 'IfAvailable',
        },
      },
    },
    { name: 'cert', user: { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' } },
    { name: 'file', user: { 'token-file': tokenFile } },
    { name: 'basic', user: { username: 'u', password: 'p' } },
  ],
  contexts: [
    { name: 'eks', context: { cluster: 'eks', user: 'aws', namespace: 'payments' } },
    { name: 'kind', context: { cluster: 'kind', user: 'cert' } },
    { name: 'file', context: { cluster: 'kind', user: 'file', namespace: 'x' } },
  ],
});
const seeds = [sandboxYaml, richYaml].map((y) => parse(y) as unknown);

let fileNo = 0;
async function checkLoad(texts: string[], context: string | undefined): Promise<void> {
  const files = texts.map((t) => {
    const f = join(dir, `kc-${fileNo++ % 64}.yaml`);
    writeFileSync(f, t);
    return f;
  });
  try {
    const c = await bounded(loadKubeconfig({ kubeconfig: files.join(delimiter), context }), 2000, 'loadKubeconfig');
    assert.equal(typeof c.contextName, 'string');
    assert.ok(typeof c.namespace === 'string' && c.namespace.length > 0, `namespace ${JSON.stringify(c.namespace)}`);
    assert.ok(typeof c.server === 'string' && /^https?:\/\//.test(c.server), `server ${JSON.stringify(c.server)}`);
    if (context) assert.equal(c.contextName, context);
    // The result is usable: request URLs can be built from it.
    const url = new KubeRequester(c).url('/api/v1/namespaces', { limit: 1 });
    assert.ok(url.pathname.endsWith('/api/v1/namespaces'));
  } catch (e) {
    if (!(e instanceof KubetraceError)) throw e;
    assert.ok(e.message.length > 0 && !e.message.includes('\n'), `error is not one line: ${JSON.stringify(e.message)}`);
  }
}

test('loadKubeconfig on structurally mutated real kubeconfigs: a result or a KubetraceError', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: seeds.length - 1 }),
      edits(5),
      fc.option(
        fc.constantFrom('kubetrace-sandbox', 'kubetrace-sandbox-restricted', 'eks', 'kind', 'file', 'nope', ''),
        { nil: undefined },
      ),
      async (i, es, context) => checkLoad([stringify(mutate(seeds[i], es))], context),
    ),
    { numRuns: RUNS },
  );
});

test('a current-context that YAML reads as a number (found by the fuzzer in a CI run) is refused in plain words', async () => {
  // The shrunk counterexample of seed -121947047: a context renamed 7 and made current, unquoted.
  const edits = [
    { at: 349702842, op: 'stringify', value: {} },
    { at: 2125961707, op: 'duplicate', value: [] },
    {
      at: 0,
      op: 'replace',
      value: { ' ': 0, '!': 0, '"': '', '#': 0, $: undefined, '%': false, '': 0, '&': 0, "'": false },
    },
    { at: 1803120762, op: 'stringify', value: '' },
  ];
  const text = stringify(mutate(seeds[0], edits as never));
  assert.match(text, /^current-context: 7$/m);
  await checkLoad([text], undefined);
  const f = join(dir, 'number-context.yaml');
  writeFileSync(f, text);
  await assert.rejects(loadKubeconfig({ kubeconfig: f }), (e: Error) => {
    assert.ok(e instanceof KubetraceError);
    assert.equal(e.message, "the kubeconfig's current-context is a number, not a name");
    return true;
  });
});

test('loadKubeconfig on text-level mutations (bytes changed, cut, inserted) and merged pairs', async () => {
  const texts = [sandboxYaml, richYaml];
  const textEdit = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 40 }),
    insert: fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(':', '- ', '\n', '  ', '{', '[', '"', '&a', '*a', '!!binary ', '<<: *a', '\t', '---\n', 'null'),
    ),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat({ max: 1 }), fc.array(textEdit, { maxLength: 4 })), { minLength: 1, maxLength: 2 }),
      fc.option(fc.constantFrom('eks', 'kubetrace-sandbox', 'x'), { nil: undefined }),
      async (parts, context) => {
        const out = parts.map(([i, es]) =>
          es.reduce((t, e) => {
            const at = e.at % (t.length + 1);
            return t.slice(0, at) + e.insert + t.slice(at + e.cut);
          }, texts[i]),
        );
        await checkLoad(out, context);
      },
    ),
    { numRuns: RUNS },
  );
});

test('loadKubeconfig on arbitrary YAML documents', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.record({ clusters: junk(), users: junk(), contexts: junk(), 'current-context': junk() }),
      ),
      async (doc) => checkLoad([stringify(doc) ?? ''], undefined),
    ),
    { numRuns: Math.round(RUNS / 2) },
  );
});

// ---- the route tree ----

const snapshot = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'kube', 'sandbox-snapshot.json'), 'utf8'),
) as ClusterSnapshot;
const KINDS = ['ingresses', 'httpRoutes', 'classes', 'services', 'slices', 'pods'] as const;

function checkBackend(b: Backend, where: string): void {
  assert.ok(b && typeof b === 'object', `${where}: backend`);
  if (b.service) {
    assert.equal(typeof b.service.name, 'string', `${where}: service.name`);
    assert.ok(
      typeof b.service.port === 'number' || typeof b.service.port === 'string',
      `${where}: service.port ${JSON.stringify(b.service.port)}`,
    );
  }
  if (b.resource)
    assert.ok(typeof b.resource.kind === 'string' && typeof b.resource.name === 'string', `${where}: resource`);
  if (b.weight !== undefined) assert.equal(typeof b.weight, 'number', `${where}: weight`);
  if (b.missing !== undefined) assert.equal(b.missing, true);
  assert.ok(Array.isArray(b.endpoints), `${where}: endpoints`);
  for (const e of b.endpoints) {
    assert.equal(typeof e.ip, 'string', `${where}: endpoint ip`);
    assert.ok(Number.isInteger(e.port), `${where}: endpoint port ${JSON.stringify(e.port)}`);
    assert.equal(typeof e.ready, 'boolean');
    if (e.pod !== undefined) assert.equal(typeof e.pod, 'string', `${where}: endpoint pod`);
    if (e.node !== undefined) assert.equal(typeof e.node, 'string', `${where}: endpoint node`);
  }
}

function checkEntry(e: RouteEntry): void {
  const where = `${e.kind} ${e.namespace}/${e.name}`;
  assert.ok(e.kind === 'Ingress' || e.kind === 'HTTPRoute');
  assert.equal(typeof e.namespace, 'string', `${where}: namespace`);
  assert.equal(typeof e.name, 'string', `${where}: name`);
  if (e.className !== undefined) assert.equal(typeof e.className, 'string', `${where}: className`);
  if (e.controller !== undefined) assert.equal(typeof e.controller, 'string', `${where}: controller`);
  assert.ok(
    Array.isArray(e.addresses) && e.addresses.every((a) => typeof a === 'string' && a.length > 0),
    `${where}: addresses ${JSON.stringify(e.addresses)}`,
  );
  assert.ok(Array.isArray(e.tls), `${where}: tls`);
  for (const t of e.tls) {
    assert.ok(
      Array.isArray(t.hosts) && t.hosts.every((h) => typeof h === 'string'),
      `${where}: tls hosts ${JSON.stringify(t.hosts)}`,
    );
    if (t.secretName !== undefined) assert.equal(typeof t.secretName, 'string', `${where}: secretName`);
  }
  if (e.defaultBackend) checkBackend(e.defaultBackend, `${where} default`);
  assert.ok(Array.isArray(e.rules), `${where}: rules`);
  for (const r of e.rules) {
    assert.ok(r.host === null || typeof r.host === 'string', `${where}: host ${JSON.stringify(r.host)}`);
    assert.ok(Array.isArray(r.paths), `${where}: paths`);
    for (const p of r.paths) {
      assert.equal(typeof p.path, 'string', `${where}: path ${JSON.stringify(p.path)}`);
      assert.equal(typeof p.pathType, 'string', `${where}: pathType ${JSON.stringify(p.pathType)}`);
      assert.ok(Array.isArray(p.backends), `${where}: backends`);
      p.backends.forEach((b, i) => checkBackend(b, `${where} ${p.path}[${i}]`));
    }
  }
}

function checkTree(s: ClusterSnapshot): void {
  const entries = buildEntries(s);
  assert.ok(Array.isArray(entries));
  for (const e of entries) checkEntry(e);
  JSON.stringify(entries); // the --json output can always be written
  for (const e of entries) {
    for (const c of candidates(e)) assert.equal(typeof c.probeable, 'boolean');
    try {
      choose(e, {});
    } catch (err) {
      if (!(err instanceof KubetraceError)) throw err;
    }
  }
  for (const ing of s.ingresses) {
    if (!ing || typeof ing !== 'object') continue;
    const c = findController(s, ing);
    assert.equal(typeof c.isIngressNginx, 'boolean');
    assert.ok(Array.isArray(c.pods));
  }
}

test('buildEntries on mutated real snapshots: no throw, valid shapes, usable by choose and findController', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...KINDS), edits(4)), { minLength: 1, maxLength: 4 }), (changes) => {
      const s = structuredClone(snapshot);
      for (const [kind, es] of changes) (s as unknown as Record<string, unknown>)[kind] = mutate(s[kind], es);
      for (const k of KINDS) if (!Array.isArray(s[k])) (s as unknown as Record<string, unknown>)[k] = []; // lists are always arrays
      const t0 = cpuMs();
      checkTree(s);
      assert.ok(cpuMs() - t0 < 1000, 'one case took over a second of CPU');
    }),
    { numRuns: RUNS * 2 },
  );
});

test('buildEntries on random objects in every list', () => {
  const obj = fc.oneof(
    junk(),
    fc.record({
      metadata: fc.oneof(junk(), fc.record({ name: junk(), namespace: junk(), labels: junk(), annotations: junk() })),
      spec: junk(),
      status: junk(),
    }),
  );
  fc.assert(
    fc.property(
      fc.record({
        ingresses: fc.array(obj, { maxLength: 4 }),
        httpRoutes: fc.array(obj, { maxLength: 4 }),
        classes: fc.array(obj, { maxLength: 3 }),
        services: fc.array(obj, { maxLength: 4 }),
        slices: fc.array(obj, { maxLength: 4 }),
        pods: fc.array(obj, { maxLength: 4 }),
      }),
      (lists) => {
        const s = { ...structuredClone(snapshot) } as unknown as Record<string, unknown[]>;
        for (const k of KINDS) s[k] = [...(s[k] as unknown[]), ...lists[k]];
        checkTree(s as unknown as ClusterSnapshot);
      },
    ),
    { numRuns: RUNS },
  );
});

test("the fixture itself gives the topology's entries (the fuzz starts from a real shape)", () => {
  const entries = buildEntries(snapshot);
  assert.deepEqual(
    entries.map((e) => `${e.kind} ${e.namespace}/${e.name}`),
    [
      'Ingress catalog/catalog',
      'Ingress shop/fallback',
      'Ingress shop/orders',
      'HTTPRoute shop/orders-route',
      'Ingress shop/shop-api',
    ],
  );
  for (const e of entries) checkEntry(e);
});

test('a namespace that is not a string (found by the fuzzer in a CI run) drops that object, not the listing', () => {
  const bad = {
    metadata: { name: '', namespace: { toString: 0 }, labels: '', annotations: '' },
    spec: null,
    status: 0,
  };
  const entries = buildEntries({
    ingresses: [],
    httpRoutes: [],
    classes: [],
    services: [],
    slices: [],
    pods: [bad],
    httpRoutesMissing: false,
  } as never);
  assert.deepEqual(entries, []);
});
