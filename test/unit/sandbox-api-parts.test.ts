// Pieces of the API stand-in on their own: selectors, paging, routing, formats, validation robustness.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rfc3339Nano, timestampFormatter } from '../../src/sandbox/api/log';
import { negotiate, paginate } from '../../src/sandbox/api/resources';
import { route } from '../../src/sandbox/api/router';
import { parseFieldSelector, parseLabelSelector } from '../../src/sandbox/api/selectors';
import { ApiError } from '../../src/sandbox/api/status';
import { humanDuration } from '../../src/sandbox/api/table';
import { checkObject } from '../../src/sandbox/api/validate';
import { parseManifestText } from '../../src/sandbox/manifest-loader';
import type { KubeObject } from '../../src/sandbox/store';

const obj = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  const a = obj('a', { app: 'web', tier: 'front', n: '5' }),
    b = obj('b', { app: 'db' }),
    c = obj('c', {});
  const names = (sel: string) => [a, b, c].filter(parseLabelSelector(sel)).map((o) => o.metadata.name);
  for (const [sel, want] of [
    ['app=web', ['a']],
    ['app==web', ['a']],
    ['app!=web', ['b', 'c']],
    ['app in (web, db)', ['a', 'b']],
    ['app notin (web)', ['b', 'c']],
    ['tier', ['a']],
    ['!tier', ['b', 'c']],
    ['app,!tier', ['b']],
    ['app in (web,db),tier=front', ['a']],
    ['n>4', ['a']],
    ['n<5', []],
    ['', ['a', 'b', 'c']],
  ] as [string, string[]][]) {
    it(`"${sel}"`, () => assert.deepEqual(names(sel), want));
  }
  it('refuses malformed selectors with a BadRequest ApiError', () => {
    for (const bad of ['app=(x', 'a b', '=x', 'app in x', 'n>x', 'a=b=c']) {
      assert.throws(
        () => parseLabelSelector(bad),
        (e: unknown) => e instanceof ApiError && e.status.code === 400,
        bad,
      );
    }
  });
  it('never throws anything but ApiError (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          parseLabelSelector(s)(a);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('field selectors', () => {
  const p = obj('p1', {}, { spec: { nodeName: 'sandbox-node-1' }, status: { phase: 'Running' } });
  it('match supported fields, refuse others', () => {
    assert.equal(parseFieldSelector('metadata.name=p1,status.phase!=Pending', 'Pod')(p), true);
    assert.equal(parseFieldSelector('spec.nodeName==sandbox-node-2', 'Pod')(p), false);
    assert.equal(parseFieldSelector('metadata.namespace=ns', 'Ingress')(p), true);
    assert.throws(() => parseFieldSelector('spec.nodeName=x', 'Service'), /field label not supported: spec.nodeName/);
  });
});

describe('paging', () => {
  it('concatenated pages equal the whole list for any limit (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 40 }),
        fc.integer({ min: 0, max: 12 }),
        (names, limit) => {
          const all = names.sort().map((n) => obj(n, {}));
          const got: string[] = [];
          let cont: string | undefined;
          let guard = 0;
          do {
            const q = new URLSearchParams({ limit: String(limit), ...(cont ? { continue: cont } : {}) });
            const page = paginate(all, q, 42, false);
            assert.equal(page.meta.resourceVersion, '42');
            if (limit) assert.ok(page.items.length <= limit);
            got.push(...page.items.map((o) => o.metadata.name));
            cont = page.meta.continue as string | undefined;
            if (cont) assert.equal(page.meta.remainingItemCount, all.length - got.length);
          } while (cont && ++guard < 100);
          assert.deepEqual(
            got,
            all.map((o) => o.metadata.name),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
  it('refuses a forged continue token', () => {
    assert.throws(
      () => paginate([], new URLSearchParams({ continue: 'bm9wZQ' }), 1, false),
      (e: unknown) => e instanceof ApiError && e.status.code === 400,
    );
  });
});

describe('routing and negotiation', () => {
  it('splits API paths', () => {
    assert.deepEqual(route('/version'), { type: 'version' });
    assert.deepEqual(route('/apis'), { type: 'groups' });
    assert.deepEqual(route('/apis/networking.k8s.io/v1'), {
      type: 'resourceList',
      group: 'networking.k8s.io',
      version: 'v1',
    });
    const r = route('/api/v1/namespaces/shop/services/https:orders:443/proxy/a/b%20c/');
    assert.equal(r.type, 'resource');
    if (r.type === 'resource')
      assert.deepEqual(
        [r.res.plural, r.namespace, r.name, r.subresource, r.subpath],
        ['services', 'shop', 'https:orders:443', 'proxy', 'a/b%20c/'],
      );
    const n = route('/api/v1/namespaces/shop');
    if (n.type === 'resource') assert.deepEqual([n.res.plural, n.namespace, n.name], ['namespaces', undefined, 'shop']);
    const w = route('/apis/discovery.k8s.io/v1/watch/namespaces/shop/endpointslices');
    assert.ok(w.type === 'resource' && w.watchPrefix && w.namespace === 'shop');
    assert.deepEqual(route('/apis/networking.k8s.io/v1beta1/ingresses'), { type: 'notFound' });
    assert.deepEqual(route('/api/v1/namespaces/shop/ingressclasses'), { type: 'notFound' });
  });
  it('picks the Table representation kubectl asks for', () => {
    assert.deepEqual(
      negotiate(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
      ),
      { as: 'Table', metaVersion: 'v1' },
    );
    assert.deepEqual(
      negotiate('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'),
      { metaVersion: 'v1' },
    );
    assert.deepEqual(negotiate(undefined), { metaVersion: 'v1' });
  });
});

describe('formats', () => {
  it('humanDuration as kubectl prints ages', () => {
    const s = 1000,
      m = 60 * s,
      h = 60 * m,
      d = 24 * h;
    for (const [ms, want] of [
      [0, '0s'],
      [119 * s, '119s'],
      [2 * m, '2m'],
      [5 * m + 7 * s, '5m7s'],
      [45 * m, '45m'],
      [3 * h, '3h'],
      [5 * h + 30 * m, '5h30m'],
      [30 * h, '30h'],
      [3 * d + 4 * h, '3d4h'],
      [20 * d, '20d'],
      [800 * d, '2y70d'],
    ] as [number, string][]) {
      assert.equal(humanDuration(ms), want, String(ms));
    }
  });
  it('rfc3339Nano trims trailing zeros as Go does', () => {
    assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
    assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
    assert.equal(rfc3339Nano(1_700_000_000_000_000_001n), '2023-11-14T22:13:20.000000001Z');
  });
  it('the follow stream formats each line time as rfc3339Nano does, times in a row or not (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_700_000_003_000_000_000n }),
            fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }),
            fc.constantFrom(1_700_000_000_000_000_000n, 1_700_000_000_100_000_000n, 1_700_000_000_000_000_010n),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (times) => {
          const stamp = timestampFormatter();
          for (const t of times) assert.equal(stamp(t), rfc3339Nano(t), String(t));
        },
      ),
    );
  });
});

describe('validation robustness', () => {
  it('checkObject and parseManifestText never throw (fuzz)', () => {
    const kinds = fc.constantFrom(
      'Pod',
      'Service',
      'Ingress',
      'Deployment',
      'HTTPRoute',
      'EndpointSlice',
      'Namespace',
      'X',
    );
    const versions = fc.constantFrom(
      'v1',
      'apps/v1',
      'networking.k8s.io/v1',
      'gateway.networking.k8s.io/v1',
      'discovery.k8s.io/v1',
      'extensions/v1beta1',
    );
    fc.assert(
      fc.property(
        versions,
        kinds,
        fc.jsonValue({ maxDepth: 4 }),
        fc.jsonValue({ maxDepth: 3 }),
        (apiVersion, kind, spec, metadata) => {
          const r = checkObject({ apiVersion, kind, metadata, spec });
          assert.ok(Array.isArray(r.errors));
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = parseManifestText(text, 'f.yaml');
        assert.ok(r.refused.every((x) => x.document >= 1 && typeof x.reason === 'string'));
      }),
      { numRuns: 1000 },
    );
  });
});
