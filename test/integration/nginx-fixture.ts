// A store holding what the sandbox's manifests describe (Ingresses, Services, EndpointSlices), written by
// hand so the nginx generator can be tested without the manifest loader. Used by unit and integration tests.
import { ObjectStore, type KubeObject } from '../../src/sandbox/store';

export interface FixtureEndpoints {
  orders: string[];
  inventory: string[];
  catalog: string[];
}

const svc = (
  ns: string,
  name: string,
  ports: { name: string; port: number; targetPort: string | number }[],
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { type: 'ClusterIP', selector: { app: name }, ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) },
});

export const slice = (
  ns: string,
  service: string,
  portName: string,
  port: number,
  addrs: { ip: string; ready?: boolean; pod?: string }[],
): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: addrs.map((a, i) => ({
    addresses: [a.ip],
    conditions: { ready: a.ready ?? true, serving: a.ready ?? true, terminating: false },
    targetRef: { kind: 'Pod', namespace: ns, name: a.pod ?? `${service}-pod-${i}` },
  })),
  ports: [{ name: portName, port, protocol: 'TCP' }],
});

export const ingress = (
  ns: string,
  name: string,
  spec: Record<string, unknown>,
  annotations?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  spec,
});

export function fixtureStore(ep: FixtureEndpoints, appPort = 8080): ObjectStore {
  const store = new ObjectStore();
  store.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx' },
  });
  store.put(svc('shop', 'orders', [{ name: 'http', port: 80, targetPort: 'http' }]));
  store.put(svc('shop', 'inventory', [{ name: 'http', port: 80, targetPort: 'http' }]));
  store.put(svc('catalog', 'catalog', [{ name: 'http', port: 80, targetPort: 'http' }]));
  store.put(
    slice(
      'shop',
      'orders',
      'http',
      appPort,
      ep.orders.map((ip) => ({ ip })),
    ),
  );
  store.put(
    slice(
      'shop',
      'inventory',
      'http',
      appPort,
      ep.inventory.map((ip) => ({ ip })),
    ),
  );
  store.put(
    slice(
      'catalog',
      'catalog',
      'http',
      appPort,
      ep.catalog.map((ip) => ({ ip })),
    ),
  );
  store.put(
    ingress('shop', 'orders', {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['shop.kubetrace.test'], secretName: 'shop-tls' }],
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
    }),
  );
  store.put(
    ingress('shop', 'shop-api', {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'api.kubetrace.test',
          http: {
            paths: [
              { path: '/orders', pathType: 'Prefix', backend: { service: { name: 'orders', port: { name: 'http' } } } },
              {
                path: '/inventory/stock',
                pathType: 'Exact',
                backend: { service: { name: 'inventory', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    }),
  );
  store.put(
    ingress('shop', 'fallback', {
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'inventory', port: { number: 80 } } },
    }),
  );
  store.put(
    ingress('catalog', 'catalog', {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'catalog.kubetrace.test',
          http: {
            paths: [
              { path: '/catalog', pathType: 'Prefix', backend: { service: { name: 'catalog', port: { number: 80 } } } },
            ],
          },
        },
      ],
    }),
  );
  return store;
}
