// The linear-time regex matcher used for regexes from cluster objects: it agrees with JavaScript's RegExp on the
// syntax it takes, refuses what needs backtracking with a reason, and makes the ReDoS Ingress harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linearRegex } from '../../src/core/sourcemap/routing/linear-regex';
import { matchIngressRule } from '../../src/core/sourcemap/routing/ingress-match';
import type { Ingress as IngressLike } from '../../src/core/kube/objects';
import { pathMatches } from '../../src/core/probe/choose';

const lin = (p: string, s: string, ignoreCase = false) => {
  const re = linearRegex(p, { ignoreCase });
  assert.ok('test' in re, `${p} should compile: ${'notEvaluated' in re ? re.notEvaluated : ''}`);
  return re.test(s);
};

test('agrees with RegExp on ingress-style paths', () => {
  const cases: [string, string, boolean][] = [
    ['^/api/v[0-9]+/orders', '/api/v12/orders/7', true],
    ['^/api/v[0-9]+/orders', '/api/vx/orders', false],
    ['^/(orders|items)(/|$)(.*)', '/items', true],
    ['^/(orders|items)(/|$)(.*)', '/itemsx', false],
    ['^/something(/|$)(.*)', '/something/else', true],
    ['^/a{2,3}b$', '/aab', true],
    ['^/a{2,3}b$', '/aaaab', false],
    ['^/[^/]+/x\\.json$', '/q/x.json', true],
    ['^/[^/]+/x\\.json$', '/q/xajson', false],
    ['^/(?:a|b)*c?$', '/ababa', true],
    ['^/\\d+\\w*\\s?$', '/12ab ', true],
    ['x', '/abc/x', true],
    ['^/(?<id>[0-9]+)$', '/42', true],
    ['^/a+?b*', '/aab', true],
    ['^/[a-c-]+$', '/a-b', true],
  ];
  for (const [p, s, want] of cases) {
    assert.equal(new RegExp(p).test(s), want, `RegExp ${p} on ${s}`);
    assert.equal(lin(p, s), want, `linear ${p} on ${s}`);
  }
  assert.equal(lin('^/ORDERS', '/orders', true), true);
  assert.equal(lin('^/ORDERS', '/orders'), false);
  assert.equal(lin('[^a]c', 'Ac', true), false); // found by the property below (seed 1494130531)
});

test('back-references, lookaround and huge repeats are not evaluated, with a reason', () => {
  for (const p of ['(a)\\1', '^/(?=x)', '^/(?!x)', '(?<=a)b', 'a{1,99999}', '\\bword', 'a*+a']) {
    const re = linearRegex(p);
    assert.ok('notEvaluated' in re, p);
    assert.match(re.notEvaluated, /does not evaluate/);
  }
  const big = linearRegex('(a|b|c|d|e|f|g|h)*x');
  assert.ok('test' in big);
  const r = big.test('a'.repeat(200_000));
  assert.ok(typeof r === 'object' && /work budget/.test(r.notEvaluated));
});

// A tiny regex grammar whose patterns JavaScript and the linear matcher read the same way.
const atom = fc.oneof(
  fc.constantFrom('a', 'b', 'c', '.', '[ab]', '[^a]', '\\d', '[a-c]', '/'),
  fc.constantFrom('1', 'x'),
);
const { re } = fc.letrec<{ re: string; piece: string }>((tie) => ({
  piece: fc.oneof(
    { depthSize: 'small' },
    atom,
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '{1,2}', '{2}', '')).map(([r, q]) => `(${r})${q}`),
  ),
  re: fc
    .tuple(fc.array(tie('piece'), { minLength: 1, maxLength: 3 }), fc.array(tie('piece'), { maxLength: 2 }))
    .map(([a, b]) => (b.length ? `${a.join('')}|${b.join('')}` : a.join(''))),
}));

test('property: same answer as RegExp on random patterns and inputs (anchored and not, any case)', () => {
  fc.assert(
    fc.property(
      re,
      fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', '/', 'A', 'x'), maxLength: 12 }),
      fc.boolean(),
      fc.boolean(),
      (p, s, anchored, ignoreCase) => {
        const pattern = anchored ? `^(${p})$` : p;
        assert.equal(lin(pattern, s, ignoreCase), new RegExp(pattern, ignoreCase ? 'i' : '').test(s), pattern);
      },
    ),
    { numRuns: 3000 },
  );
});

test('fuzz: any pattern text gives a matcher or a reason, never an exception', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 20 }), (p, s) => {
      const r = linearRegex(p);
      if ('test' in r) {
        const v = r.test(s);
        assert.ok(typeof v === 'boolean' || typeof v.notEvaluated === 'string');
      } else assert.equal(typeof r.notEvaluated, 'string');
    }),
    { numRuns: 3000 },
  );
});

// The attack: 24 alternatives that all match the same character, starred, then a character the path lacks.
const REDOS = `/(${Array(24).fill('.').join('|')})*!`;
const ing = (name: string, host: string, path: string, regex = true): IngressLike => ({
  metadata: {
    name,
    namespace: name,
    annotations: regex ? { 'nginx.ingress.kubernetes.io/use-regex': 'true' } : {},
  },
  spec: {
    rules: [
      {
        host,
        http: {
          paths: [{ path, pathType: 'ImplementationSpecific', backend: { service: { name, port: { number: 80 } } } }],
        },
      },
    ],
  },
});

test('the ReDoS Ingress of another host is not even tested; on its own host it gives a plain no-match', () => {
  const hostile = ing('evil', 'evil.test', REDOS);
  const shop = ing('shop', 'shop.test', '/orders', false);
  const path = '/orders/' + 'a'.repeat(40);
  const m = matchIngressRule([hostile, shop], { host: 'shop.test', path });
  assert.equal(m?.ingress, shop);
  assert.equal(m?.notEvaluated, undefined);
  // The same path sent to the hostile host is evaluated in linear time: the pattern needs a "!", so no match.
  assert.equal(matchIngressRule([hostile, shop], { host: 'evil.test', path }), null);
  assert.equal(matchIngressRule([hostile], { host: 'evil.test', path: '/x!' })?.ingress, hostile);
});

test('a regex path that cannot be evaluated is named, and lowers the confidence of the match', () => {
  const look = ing('look', 'shop.test', '/(?=orders)orders/special');
  const plain = ing('shop', 'shop.test', '/orders', false);
  const notes: string[] = [];
  const m = matchIngressRule([look, plain], { host: 'shop.test', path: '/orders/special' }, notes);
  assert.equal(m?.ingress, plain);
  assert.equal(m?.confidence, 'medium');
  assert.equal(notes.length, 1);
  assert.match(m!.notEvaluated![0], /look\/look path \/\(\?=orders\)orders\/special: .*lookaround/);
});

test('HTTPRoute RegularExpression paths use the linear matcher', () => {
  assert.equal(pathMatches({ path: '/v[0-9]+/x', pathType: 'RegularExpression' }, '/v2/x?y=1'), true);
  assert.equal(pathMatches({ path: REDOS, pathType: 'RegularExpression' }, '/' + 'a'.repeat(40)), false);
  assert.equal(pathMatches({ path: '/(?!a)', pathType: 'RegularExpression' }, '/b'), false);
});
