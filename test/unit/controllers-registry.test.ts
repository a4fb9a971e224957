// The controller registry: each supported controller is chosen by its class string (never by a name's
// spelling), finds its data-plane pods by the labels its chart sets, and recognizes its own spans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTROLLERS,
  forGatewayController,
  forIngressController,
  parsesAccessLog,
  readsAccessLog,
  richerTraceHint,
  spanController,
} from '../../src/core/controllers';
import { findController } from '../../src/core/kube/controller';
import type { ClusterSnapshot } from '../../src/core/kube/route-tree';
import type { Pod, Service } from '../../src/core/kube/objects';
import { guessLayer } from '../../src/core/io/group';

const ready = [{ type: 'Ready', status: 'True' }];
const pod = (ns: string, name: string, labels: Record<string, string>, isReady = true): Pod => ({
  metadata: { namespace: ns, name, labels },
  status: { phase: 'Running', conditions: isReady ? ready : [] },
});
const svc = (ns: string, name: string, labels: Record<string, string>, type = 'ClusterIP'): Service => ({
  metadata: { namespace: ns, name, labels },
  spec: { type },
});
const K = 'app.kubernetes.io/';

// Pods and Services as each controller's Helm chart (or provisioner) labels them, all in one cluster.
const snapshot: ClusterSnapshot = {
  ingresses: [],
  httpRoutes: [],
  httpRoutesMissing: false,
  gateways: [],
  gatewayClasses: [],
  slices: [],
  classes: [
    { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
    { metadata: { name: 'nic' }, spec: { controller: 'nginx.org/ingress-controller' } },
    { metadata: { name: 'traefik-ns' }, spec: { controller: 'traefik.io/ingress-controller' } },
    { metadata: { name: 'haproxy' }, spec: { controller: 'haproxy.org/ingress-controller' } },
    { metadata: { name: 'hi' }, spec: { controller: 'haproxy-ingress.github.io/controller' } },
    { metadata: { name: 'istio' }, spec: { controller: 'istio.io/ingress-controller' } },
    // A class named like ingress-nginx that belongs to another controller: the string decides.
    { metadata: { name: 'ingress-nginx-new' }, spec: { controller: 'nginx.org/ingress-controller' } },
  ],
  pods: [
    pod('ingress-nginx', 'in-ctrl-1', { [`${K}name`]: 'ingress-nginx', [`${K}component`]: 'controller' }, false),
    pod('ingress-nginx', 'in-ctrl-2', { [`${K}name`]: 'ingress-nginx', [`${K}component`]: 'controller' }),
    pod('ingress-nginx', 'in-admission', { [`${K}name`]: 'ingress-nginx', [`${K}component`]: 'admission-webhook' }),
    pod('nginx-ingress', 'nic-1', { [`${K}name`]: 'nginx-ingress', [`${K}instance`]: 'nic' }),
    pod('nginx-gateway', 'shop-gateway-nginx-1', {
      'gateway.networking.k8s.io/gateway-name': 'shop-gateway',
      [`${K}name`]: 'shop-gateway-nginx',
      [`${K}managed-by`]: 'ngf-nginx',
    }),
    pod('other', 'shop-gateway-nginx-1', { 'gateway.networking.k8s.io/gateway-name': 'shop-gateway' }),
    pod('envoy-gateway-system', 'envoy-default-eg-1', {
      [`${K}name`]: 'envoy',
      [`${K}component`]: 'proxy',
      [`${K}managed-by`]: 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'eg',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'default',
    }),
    pod('traefik', 'traefik-1', { [`${K}name`]: 'traefik', [`${K}instance`]: 'traefik-traefik' }),
    pod('haproxy-controller', 'hk-1', { [`${K}name`]: 'kubernetes-ingress', [`${K}instance`]: 'hk' }),
    pod('ingress-controller', 'hi-1', { [`${K}name`]: 'haproxy-ingress', [`${K}instance`]: 'hi' }),
    pod('istio-system', 'istio-ingressgateway-1', { app: 'istio-ingressgateway', istio: 'ingressgateway' }),
    pod('istio-gw', 'web-istio-1', {
      'gateway.networking.k8s.io/gateway-name': 'web',
      'gateway.istio.io/managed': 'istio.io-gateway-controller',
    }),
  ],
  services: [
    svc('ingress-nginx', 'ingress-nginx-controller-admission', { [`${K}name`]: 'ingress-nginx' }),
    svc('ingress-nginx', 'ingress-nginx-controller', { [`${K}name`]: 'ingress-nginx' }, 'LoadBalancer'),
    svc('nginx-gateway', 'shop-gateway-nginx', { 'gateway.networking.k8s.io/gateway-name': 'shop-gateway' }),
  ],
};

const ingress = (className: string) => ({
  metadata: { namespace: 'shop', name: 'x' },
  spec: { ingressClassName: className },
});

const byIngressClass: [string, string, string[]][] = [
  ['nginx', 'ingress-nginx', ['in-ctrl-2', 'in-ctrl-1']],
  ['nic', 'nginx-ingress', ['nic-1']],
  ['ingress-nginx-new', 'nginx-ingress', ['nic-1']],
  ['traefik-ns', 'traefik', ['traefik-1']],
  ['haproxy', 'haproxy-tech', ['hk-1']],
  ['hi', 'haproxy-ingress', ['hi-1']],
  ['istio', 'istio', ['istio-ingressgateway-1']],
];
for (const [cls, id, pods] of byIngressClass) {
  test(`IngressClass ${cls}: module ${id}, data-plane pods ${pods.join(', ')} (ready first)`, () => {
    const c = findController(snapshot, ingress(cls));
    assert.equal(c.module?.id, id);
    assert.deepEqual(
      c.pods.map((p) => p.metadata.name),
      pods,
    );
    assert.equal(c.isIngressNginx, id === 'ingress-nginx');
    assert.equal(c.ingressClass, cls);
  });
}

test('ingress-nginx: the LoadBalancer Service is the data plane Service, not the admission one', () => {
  assert.equal(findController(snapshot, ingress('nginx')).service?.metadata.name, 'ingress-nginx-controller');
});

test('an unknown controller string gets no module and no pods', () => {
  const s = { ...snapshot, classes: [{ metadata: { name: 'nginx' }, spec: { controller: 'example.com/mine' } }] };
  const c = findController(s, ingress('nginx'));
  assert.equal(c.module, undefined);
  assert.equal(c.controller, 'example.com/mine');
  assert.deepEqual(c.pods, []);
});

const byGatewayClass: [string, string, { namespace: string; name: string }, string[]][] = [
  [
    'gateway.nginx.org/nginx-gateway-controller',
    'nginx-gateway-fabric',
    { namespace: 'nginx-gateway', name: 'shop-gateway' },
    ['shop-gateway-nginx-1'],
  ],
  [
    'gateway.envoyproxy.io/gatewayclass-controller',
    'envoy-gateway',
    { namespace: 'default', name: 'eg' },
    ['envoy-default-eg-1'],
  ],
  ['istio.io/gateway-controller', 'istio', { namespace: 'istio-gw', name: 'web' }, ['web-istio-1']],
  ['traefik.io/gateway-controller', 'traefik', { namespace: 'traefik', name: 'traefik-gateway' }, ['traefik-1']],
  ['haproxy-ingress.github.io/controller', 'haproxy-ingress', { namespace: 'default', name: 'gw' }, ['hi-1']],
];
for (const [controllerName, id, gw, pods] of byGatewayClass) {
  test(`GatewayClass ${controllerName}: module ${id}, pods of Gateway ${gw.namespace}/${gw.name}`, () => {
    const m = forGatewayController(controllerName);
    assert.equal(m?.id, id);
    const plane = m!.dataPlane(snapshot, { kind: 'Gateway', ...gw, className: 'c' });
    assert.deepEqual(
      plane.pods.map((p) => `${p.metadata.name}`),
      pods,
    );
    for (const p of plane.pods)
      if (id !== 'haproxy-ingress' && id !== 'traefik' && id !== 'envoy-gateway')
        assert.equal(p.metadata.namespace, gw.namespace);
  });
}

test('NGINX Gateway Fabric: another Gateway of the same name in another namespace is not this one', () => {
  const m = forGatewayController('gateway.nginx.org/nginx-gateway-controller')!;
  const plane = m.dataPlane(snapshot, {
    kind: 'Gateway',
    namespace: 'nginx-gateway',
    name: 'shop-gateway',
    className: 'nginx',
  });
  assert.deepEqual(
    plane.pods.map((p) => p.metadata.namespace),
    ['nginx-gateway'],
  );
  assert.equal(plane.service?.metadata.name, 'shop-gateway-nginx');
});

test('every module has a unique id, and every class string picks exactly one module', () => {
  assert.equal(new Set(CONTROLLERS.map((c) => c.id)).size, CONTROLLERS.length);
  for (const c of CONTROLLERS) {
    for (const s of c.ingressControllers) assert.equal(forIngressController(s), c);
    for (const s of c.gatewayControllers) assert.equal(forGatewayController(s), c);
  }
  assert.equal(forIngressController('nginx'), undefined, 'a class name is not a controller string');
  assert.equal(forGatewayController(undefined), undefined);
});

// Spans as each data plane reports them to a trace backend (the shapes their docs describe).
const spans: [string, { service: string; name: string; kind: string; attributes: Record<string, unknown> }][] = [
  [
    'ingress-nginx',
    { service: 'nginx', name: 'shop-orders-80', kind: 'server', attributes: { 'otel.scope.name': 'nginx' } },
  ],
  ['nginx-ingress', { service: 'unknown_service:nginx', name: '/orders', kind: 'server', attributes: {} }],
  [
    'nginx-gateway-fabric',
    {
      service: 'ngf:nginx-gateway:shop-gateway',
      name: '/orders',
      kind: 'server',
      attributes: { 'otel.scope.name': 'nginx' },
    },
  ],
  [
    'nginx-gateway-fabric',
    { service: 'ngf:nginx-gateway:shop-gateway:shop', name: '/orders', kind: 'server', attributes: {} },
  ],
  [
    'envoy-gateway',
    {
      service: 'eg.default',
      name: 'ingress',
      kind: 'server',
      attributes: {
        component: 'proxy',
        'guid:x-request-id': 'r1',
        upstream_cluster: 'httproute/default/backend/rule/0',
      },
    },
  ],
  [
    'istio',
    {
      service: 'istio-ingressgateway.istio-system',
      name: 'shop.test:80/orders*',
      kind: 'server',
      attributes: { component: 'proxy', 'istio.canonical_service': 'istio-ingressgateway' },
    },
  ],
  [
    'traefik',
    {
      service: 'traefik',
      name: 'GET',
      kind: 'server',
      attributes: { 'otel.scope.name': 'github.com/traefik/traefik', 'url.path': '/orders' },
    },
  ],
  [
    'traefik',
    {
      service: 'my-edge',
      name: 'ReverseProxy',
      kind: 'client',
      attributes: { 'otel.scope.name': 'github.com/traefik/traefik' },
    },
  ],
];
for (const [id, s] of spans) {
  test(`a ${id} span (service ${s.service}) is recognized and put in the ingress layer`, () => {
    const m = spanController(s);
    assert.ok(m, 'recognized');
    assert.equal(m.family, CONTROLLERS.find((c) => c.id === id)!.family);
    assert.equal(guessLayer(s.service, s.name, s.kind as 'server', s.attributes), 'ingress');
  });
}

test('an app span is not taken for a controller span', () => {
  const app = {
    service: 'orders',
    name: 'GET /orders',
    kind: 'server',
    attributes: { 'otel.scope.name': '@opentelemetry/instrumentation-http' },
  };
  assert.equal(spanController(app), undefined);
  assert.equal(guessLayer(app.service, app.name, 'server', app.attributes), 'app');
});

test('expected layers: the ingress layer is read from the nginx family logs, and the hint says what to turn on', () => {
  const readable = CONTROLLERS.filter(readsAccessLog).map((c) => c.id);
  assert.deepEqual(readable, ['ingress-nginx', 'nginx-ingress', 'nginx-gateway-fabric']);
  // HAProxy logs no access by default, but once its log is on the probe reads it (src/core/probe/proxy-log.ts).
  const once = CONTROLLERS.filter((c) => parsesAccessLog(c) && !readsAccessLog(c)).map((c) => c.id);
  assert.deepEqual(once, ['haproxy-tech', 'haproxy-ingress']);
  assert.match(
    richerTraceHint(CONTROLLERS.find((c) => c.id === 'haproxy-tech')!),
    /request-capture "hdr\(X-Request-ID\)"/,
  );
  const traefik = CONTROLLERS.find((c) => c.id === 'traefik')!;
  assert.equal(traefik.queryMark, true, "Traefik's log drops headers: the probe marks the query");
  assert.match(richerTraceHint(traefik), /accessLog\.format=json/);
  assert.match(richerTraceHint(traefik), /tracing\.otlp/);
  for (const c of CONTROLLERS) {
    assert.ok(c.source.tree !== 'none' || c.source.reason.length > 0, `${c.id} says why it has no source tree`);
    assert.equal(c.source.tree === 'nginx', c.family === 'nginx');
    assert.equal(c.source.tree === 'haproxy', c.family === 'haproxy');
  }
});

test('version sources: every data-plane image matches its module only', () => {
  const images: [string, string][] = [
    ['registry.k8s.io/ingress-nginx/controller:v1.15.1', 'ingress-nginx'],
    ['nginx/nginx-ingress:5.5.4', 'nginx-ingress'],
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.6.7', 'nginx-gateway-fabric'],
    ['envoyproxy/envoy:distroless-v1.39.0', 'envoy-gateway'],
    ['docker.io/istio/proxyv2:1.30.3', 'istio'],
    ['traefik:v3.7.11', 'traefik'],
    ['haproxytech/kubernetes-ingress:3.2.11', 'haproxy-tech'],
    ['quay.io/jcmoraisjr/haproxy-ingress:v0.16.1', 'haproxy-ingress'],
  ];
  for (const [image, id] of images)
    assert.deepEqual(
      CONTROLLERS.filter((c) => c.version.image.test(image)).map((c) => c.id),
      [id],
      image,
    );
});
