// The controller registry: one module per controller family, chosen by the IngressClass `spec.controller` or the
// GatewayClass `spec.controllerName` string, never by how a class or pod is named. Adding a controller is one
// module (see types.ts) added to CONTROLLERS, plus its tests.
import { envoyGateway, istio } from './envoy';
import { haproxyIngress, haproxyTech } from './haproxy';
import { ingressNginx, nginxGatewayFabric, nginxIngress } from './nginx';
import { traefik } from './traefik';
import type { ControllerModule, FormatId, SpanShape } from './types';

export type { ControllerModule, DataPlane, FormatId, Owner, SpanShape } from './types';

export const CONTROLLERS: readonly ControllerModule[] = [
  ingressNginx,
  nginxIngress,
  nginxGatewayFabric,
  envoyGateway,
  istio,
  traefik,
  haproxyTech,
  haproxyIngress,
];

/** Access-log formats the probe can turn into ingress spans today. */
export const READABLE_FORMATS: ReadonlySet<FormatId> = new Set<FormatId>([
  'ingress-nginx',
  'nic-main',
  'nginx-combined',
  'haproxy-httplog',
]);

export function forIngressController(controller: string | undefined): ControllerModule | undefined {
  return controller ? CONTROLLERS.find((c) => c.ingressControllers.includes(controller)) : undefined;
}

export function forGatewayController(controllerName: string | undefined): ControllerModule | undefined {
  return controllerName ? CONTROLLERS.find((c) => c.gatewayControllers.includes(controllerName)) : undefined;
}

/** The module whose data plane made this span, when a trace backend delivered it. */
export function spanController(span: SpanShape): ControllerModule | undefined {
  return CONTROLLERS.find((c) => c.isOwnSpan(span));
}

/** Whether the probe can read this controller's ingress spans from its access log, as it is configured by default. */
export function readsAccessLog(m: ControllerModule): boolean {
  return m.accessLog.onByDefault && READABLE_FORMATS.has(m.accessLog.format);
}

/** Whether the probe can read this controller's log once it is turned on (its format has a probe reader). */
export function parsesAccessLog(m: ControllerModule): boolean {
  return READABLE_FORMATS.has(m.accessLog.format);
}

/** What the user can turn on for a richer trace of this controller, in plain words. */
export function richerTraceHint(m: ControllerModule): string {
  const log = m.accessLog.onByDefault
    ? `access log fields: ${m.accessLog.setting}`
    : `access log: ${m.accessLog.setting}`;
  return `${m.title}: ${log}; tracing: ${m.tracing}`;
}
