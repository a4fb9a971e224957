// Kubernetes Tools Cluster Explorer nodes -> an Ingress of our listing. The nodes are built as that extension's
// resolveCommandTarget builds them (nodeType, name, namespace, resourceKind, metadata; ClusterExplorerV1 from
// vscode-kubernetes-tools-api), and the property test feeds it whatever another extension might pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClusterExplorerV1 } from 'vscode-kubernetes-tools-api';
import { matchExplorerIngress } from '../../src/core/kube/explorer-node';
import type { RouteEntry } from '../../src/core/kube/routes';

const entry = (namespace: string, name: string, kind: RouteEntry['kind'] = 'Ingress'): RouteEntry => ({
  kind,
  namespace,
  name,
  addresses: [],
  tls: [],
  rules: [{ host: `${name}.example`, paths: [] }],
});
const entries = [
  entry('shop', 'orders'),
  entry('shop', 'catalog'),
  entry('edge', 'orders'),
  entry('shop', 'orders-route', 'HTTPRoute'),
  entry('web', 'fallback'),
];
// The real extension passes its own ResourceKind, which has display names beside the two fields the API declares.
const ingressKind: ClusterExplorerV1.ResourceKind & { displayName: string; pluralDisplayName: string } = {
  displayName: 'Ingress',
  pluralDisplayName: 'Ingress',
  manifestKind: 'Ingress',
  abbreviation: 'ingress',
};
const node = (
  name: string,
  namespace: string | null,
  extra: Partial<ClusterExplorerV1.ClusterExplorerResourceNode> = {},
): ClusterExplorerV1.ClusterExplorerResourceNode => ({
  nodeType: 'resource',
  name,
  namespace,
  resourceKind: ingressKind,
  metadata: { name, namespace },
  ...extra,
});

test('an Ingress node matches the entry with its name and namespace', () => {
  const m = matchExplorerIngress(node('orders', 'edge'), entries, 'ctx');
  assert.ok(m.ok);
  assert.equal(m.entry, entries[2]);
  const c = matchExplorerIngress(node('catalog', 'shop'), entries, 'ctx');
  assert.ok(c.ok && c.entry === entries[1]);
});

test('a node without a namespace uses the metadata, then the current namespace, and says when that is not enough', () => {
  const viaMeta = matchExplorerIngress({ ...node('orders', null), metadata: { namespace: 'shop' } }, entries, 'ctx');
  assert.ok(viaMeta.ok && viaMeta.entry === entries[0]);
  const viaCurrent = matchExplorerIngress(node('orders', null, { metadata: {} }), entries, 'ctx', 'edge');
  assert.ok(viaCurrent.ok && viaCurrent.entry === entries[2]);
  const unique = matchExplorerIngress(node('fallback', null, { metadata: undefined }), entries, 'ctx');
  assert.ok(unique.ok && unique.entry === entries[4]);
  const both = matchExplorerIngress(node('orders', null, { metadata: undefined }), entries, 'ctx');
  assert.ok(!both.ok);
  assert.equal(both.reason, 'ambiguous');
  assert.match(both.message, /shop, edge/);
});

test('an Ingress we do not list names the context, and other nodes are refused in plain words', () => {
  const missing = matchExplorerIngress(node('orders', 'prod'), entries, 'kind-dev');
  assert.ok(!missing.ok);
  assert.equal(missing.reason, 'not-listed');
  assert.match(missing.message, /Ingress prod\/orders is not in what Kubetrace lists for context kind-dev/);
  // An HTTPRoute of the same name is not an Ingress.
  assert.equal(matchExplorerIngress(node('orders-route', 'shop'), entries, 'ctx').ok, false);
  const svc = matchExplorerIngress(
    node('orders', 'shop', { resourceKind: { ...ingressKind, manifestKind: 'Service', abbreviation: 'service' } }),
    entries,
    'ctx',
  );
  assert.ok(!svc.ok && svc.reason === 'not-an-ingress');
  assert.match(svc.message, /this node is Service orders/);
  const ctxNode: ClusterExplorerV1.ClusterExplorerContextNode = { nodeType: 'context', name: 'kind-dev' };
  const c = matchExplorerIngress(ctxNode, entries, 'ctx');
  assert.ok(!c.ok);
  assert.match(c.message, /a context node/);
  const none = matchExplorerIngress(undefined, entries, 'ctx');
  assert.ok(!none.ok && none.reason === 'not-a-node');
});

test('whatever another extension passes, the matcher answers and never throws', () => {
  const anyNode = fc.oneof(
    fc.anything(),
    fc.record(
      {
        nodeType: fc.oneof(fc.constant('resource'), fc.anything()),
        name: fc.oneof(fc.constantFrom('orders', 'catalog', 'fallback', ''), fc.anything()),
        namespace: fc.oneof(fc.constantFrom('shop', 'edge', null), fc.anything()),
        resourceKind: fc.oneof(fc.constant(ingressKind), fc.record({ manifestKind: fc.anything() }), fc.anything()),
        metadata: fc.oneof(fc.record({ namespace: fc.anything() }), fc.anything()),
      },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(anyNode, fc.option(fc.string()), (n, ns) => {
      const m = matchExplorerIngress(n, entries, 'ctx', ns ?? undefined);
      if (m.ok) {
        assert.equal(m.entry.kind, 'Ingress');
        assert.equal(m.entry.name, (n as { name: string }).name);
      } else {
        assert.ok(m.message.length > 10, m.message);
        // No "undefined" or "[object Object]" made up by the matcher (unless the input itself spelled it).
        if (!/undefined|\[object/.test(fc.stringify(n) + String(ns)))
          assert.doesNotMatch(m.message, /undefined|\[object/);
      }
    }),
    { numRuns: Number(process.env.KUBETRACE_FUZZ_RUNS ?? 3000) },
  );
});
