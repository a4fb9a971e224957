// Finds the ingress controller that serves an Ingress: IngressClass controller value, then its pods and Service
// by the labels the ingress-nginx chart sets.
import type { ClusterSnapshot } from './route-tree';
import type { Ingress, Pod, Service } from './objects';
import { isPodReady } from './objects';

export const INGRESS_NGINX = 'k8s.io/ingress-nginx';

export interface ControllerInfo {
  controller?: string; // IngressClass spec.controller
  isIngressNginx: boolean;
  pods: Pod[]; // ready pods first
  service?: Service;
}

export function findController(s: ClusterSnapshot, ing: Ingress): ControllerInfo {
  // Raw JSON: read fields of the wrong type as absent rather than throwing.
  const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
  const className =
    str(ing.spec?.ingressClassName) ??
    str(ing.metadata?.annotations?.['kubernetes.io/ingress.class']) ??
    str(
      s.classes.find((c) => c?.metadata?.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true')
        ?.metadata.name,
    );
  const cls = className ? s.classes.find((c) => c?.metadata?.name === className) : undefined;
  // Without a readable IngressClass, the legacy class name "nginx" still means ingress-nginx.
  const controller = str(cls?.spec?.controller) ?? (className === 'nginx' ? INGRESS_NGINX : undefined);
  const isIngressNginx = controller === INGRESS_NGINX;
  if (!isIngressNginx) return { controller, isIngressNginx, pods: [] };
  const isController = (labels?: Record<string, string>) =>
    labels?.['app.kubernetes.io/name'] === 'ingress-nginx' &&
    (labels['app.kubernetes.io/component'] ?? 'controller') === 'controller';
  const pods = s.pods
    .filter(
      (p) =>
        p?.metadata &&
        typeof p.metadata.name === 'string' &&
        isController(p.metadata.labels) &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed',
    )
    .sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)));
  const service =
    s.services.find((v) => isController(v?.metadata?.labels) && v.spec?.type === 'LoadBalancer') ??
    s.services.find((v) => isController(v?.metadata?.labels));
  return { controller, isIngressNginx, pods, service };
}
