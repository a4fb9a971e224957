// Finds the controller that serves an Ingress: the IngressClass controller string picks a module of the
// controller registry (src/core/controllers), which knows its data-plane pods and Service.
import { forIngressController, type ControllerModule } from '../controllers';
import { ingressNginx } from '../controllers/nginx';
import type { ClusterSnapshot } from './route-tree';
import type { Ingress, Pod, Service } from './objects';

export const INGRESS_NGINX = 'k8s.io/ingress-nginx';

export interface ControllerInfo {
  controller?: string; // IngressClass spec.controller or GatewayClass spec.controllerName
  /** The registry module for that string, when Kubetrace knows the controller. */
  module?: ControllerModule;
  isIngressNginx: boolean;
  pods: Pod[]; // ready pods first
  service?: Service;
  /** `NS/NAME` of the Gateway, for a probe through an HTTPRoute. */
  gateway?: string;
  /** The IngressClass name, for a probe through an Ingress. */
  ingressClass?: string;
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
  const module = forIngressController(controller);
  const isIngressNginx = module === ingressNginx;
  const base = { controller, isIngressNginx, ...(className ? { ingressClass: className } : {}) };
  if (!module) return { ...base, pods: [] };
  const plane = module.dataPlane(s, { kind: 'Ingress', namespace: ing.metadata?.namespace ?? 'default', className });
  return { ...base, module, pods: plane.pods, service: plane.service };
}
