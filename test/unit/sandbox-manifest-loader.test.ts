// The manifest loader: kubectl-apply semantics, and refusals a current API server would give.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeRequiredFields, defaultModelsDir } from '../../src/sandbox/api/gen-required-fields';
import { demoManifestsDir, loadManifests, parseManifestText } from '../../src/sandbox/manifest-loader';

const FIX = join(__dirname, '../fixtures/manifests/user');

describe('manifest loader', () => {
  it('loads the demo manifests with nothing refused', async () => {
    const r = await loadManifests([demoManifestsDir()]);
    assert.deepEqual(r.refused, []);
    const names = r.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    for (const want of [
      'IngressClass//nginx',
      'Ingress/shop/orders',
      'Ingress/shop/shop-api',
      'Ingress/shop/fallback',
      'HTTPRoute/shop/orders-route',
      'Ingress/catalog/catalog',
      'Deployment/ingress-nginx/ingress-nginx-controller',
      'Service/observability/trace-store',
    ])
      assert.ok(names.includes(want), want);
    for (const d of r.objects.filter((o) => o.kind === 'Deployment'))
      assert.ok(d.metadata.annotations?.['sandbox.kubetrace.dev/app'], d.metadata.name);
  });

  it('refuses removed APIs, unknown fields and missing required fields with file, document and reason, and loads the rest', async () => {
    const r = await loadManifests([FIX]);
    const refusal = (file: string, document: number) =>
      r.refused.find((x) => x.file === join(FIX, file) && x.document === document)?.reason;
    assert.match(
      refusal('02-removed-apis.yaml', 1)!,
      /^no matches for kind "Ingress" in version "extensions\/v1beta1": .*removed in Kubernetes v1\.22; use networking\.k8s\.io\/v1$/,
    );
    assert.match(
      refusal('02-removed-apis.yaml', 2)!,
      /^no matches for kind "Ingress" in version "networking\.k8s\.io\/v1beta1"/,
    );
    assert.equal(refusal('03-unknown-fields.yaml', 1), 'unknown field "spec.backend"');
    assert.equal(refusal('03-unknown-fields.yaml', 2), 'unknown field "spec.ports[0].tragetPort"');
    assert.equal(refusal('03-unknown-fields.yaml', 3), 'unknown field "spec.rules[0].matches[0].path.regex"');
    assert.equal(refusal('03-unknown-fields.yaml', 4), undefined);
    assert.equal(refusal('04-missing-required.yaml', 1), 'spec.rules[0].http.paths[0].pathType: Required value');
    assert.equal(refusal('04-missing-required.yaml', 2), 'spec.selector: Required value');
    assert.equal(refusal('04-missing-required.yaml', 3), 'metadata.name: Required value: name is required');
    assert.equal(
      refusal('04-missing-required.yaml', 4),
      'spec.ports[0].port: Invalid value: expected number, got string',
    );
    assert.equal(refusal('04-missing-required.yaml', 5), 'namespaces "nowhere" not found');
    assert.equal(refusal('04-missing-required.yaml', 6), 'no matches for kind "Widget" in version "example.com/v1"');
    assert.equal(refusal('04-missing-required.yaml', 7), 'a manifest must be a mapping with apiVersion and kind');
    assert.match(refusal('05-bad-yaml.yaml', 1)!, /^invalid YAML: /);
    assert.equal(r.refused.length, 13);

    const loaded = r.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    assert.deepEqual(loaded, [
      'Namespace//team',
      'Deployment/team/web',
      'Service/team/web',
      'Ingress/team/web',
      'Ingress/team/orphan',
      'ConfigMap/default/settings',
      'HTTPRoute/team/route-ok',
    ]);
    // A later document with the same kind/namespace/name replaces the earlier one.
    assert.deepEqual(r.objects.find((o) => o.kind === 'ConfigMap')!.data, { mode: 'second' });
    // An older served version is stored as the current one.
    assert.equal(r.objects.find((o) => o.kind === 'HTTPRoute')!.apiVersion, 'gateway.networking.k8s.io/v1');
  });

  it('fills in the default namespace, drops namespaces of cluster-scoped kinds and server-owned fields', () => {
    const r = parseManifestText(
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: a, uid: x, resourceVersion: "9"}\nspec: {ports: [{port: 1}]}',
        'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: c, namespace: shop}\nspec: {controller: x/y}',
        'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: n1}}\n- {apiVersion: v1, kind: Namespace, metadata: {name: N2}}',
      ].join('\n---\n'),
      'inline.yaml',
    );
    assert.equal(r.objects[0].metadata.namespace, 'default');
    assert.equal(r.objects[0].metadata.uid, undefined);
    assert.equal(r.objects[0].metadata.resourceVersion, undefined);
    assert.equal('namespace' in r.objects[1].metadata, false);
    assert.deepEqual(
      r.objects.slice(2).map((o) => o.metadata.name),
      ['n1'],
    );
    assert.equal(r.refused.length, 1);
    assert.equal(r.refused[0].document, 3);
    assert.match(r.refused[0].reason, /^metadata\.name: Invalid value: "N2"/);
  });

  it('never throws on arbitrary text', () => {
    const samples = [
      '',
      '---',
      '- a\n- b',
      '{',
      'apiVersion: 1',
      'kind: [',
      '&a [*a, *a]',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 5}',
      '\u0000\u0001',
    ];
    for (const s of samples) {
      const r = parseManifestText(s, 'x.yaml');
      assert.ok(Array.isArray(r.objects) && Array.isArray(r.refused));
    }
    const r = parseManifestText('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: 5}', 'x.yaml');
    assert.deepEqual(
      r.refused.map((x) => x.reason),
      ['spec.containers: Invalid value: expected array, got integer'],
    );
  });

  it('required-fields.json matches the installed client-node models', () => {
    const saved = JSON.parse(readFileSync(join(__dirname, '../../src/sandbox/api/required-fields.json'), 'utf8'));
    assert.deepEqual(saved, computeRequiredFields(defaultModelsDir(join(__dirname, '../..'))));
    assert.deepEqual(saved.V1HTTPIngressPath, ['backend', 'pathType']);
  });
});
