// `kubetrace sandbox --scale N`: N Ingresses, each with one Service, one EndpointSlice and two Pods with no
// process, spread over ceil(N/100) namespaces. Each Ingress gets a Deployment (2 replicas, no app
// annotation), so the controllers derive the Pods and the EndpointSlice as they do for the demo.
import type { KubeObject } from './store';

export const SCALE_PER_NAMESPACE = 100;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function scaleNamespaces(n: number): string[] {
  return Array.from({ length: Math.ceil(n / SCALE_PER_NAMESPACE) }, (_, i) => `scale-${pad(i, 3)}`);
}

export function scaleObjects(n: number, ingressClassName = 'nginx'): KubeObject[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`--scale needs a whole number, got ${n}`);
  const out: KubeObject[] = scaleNamespaces(n).map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'sandbox.kubetrace.dev/scale': 'true' } },
  }));
  for (let i = 0; i < n; i++) {
    const namespace = `scale-${pad(Math.floor(i / SCALE_PER_NAMESPACE), 3)}`;
    const name = `app-${pad(i, 5)}`;
    const labels = { 'app.kubernetes.io/name': name };
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              { name: 'app', image: 'kubetrace/scale:0.1.0', ports: [{ name: 'http', containerPort: 8080 }] },
            ],
          },
        },
      },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace },
      spec: {
        ingressClassName,
        rules: [
          {
            host: `${name}.${namespace}.scale.kubetrace.test`,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] },
          },
        ],
      },
    });
  }
  return out;
}
