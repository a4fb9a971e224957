// Picking data-plane pods and Services by labels, shared by the controller modules.
import type { ClusterSnapshot } from '../kube/route-tree';
import { isPodReady, type Pod, type Service } from '../kube/objects';
import type { DataPlane } from './types';

export type Labels = Record<string, string> | undefined;

const live = (p: Pod) =>
  !!p?.metadata &&
  typeof p.metadata.name === 'string' &&
  p.status?.phase !== 'Succeeded' &&
  p.status?.phase !== 'Failed';

/** Pods and a Service whose labels pass `match`, ready pods first, a LoadBalancer Service first. */
export function selectDataPlane(s: ClusterSnapshot, match: (labels: Labels, namespace?: string) => boolean): DataPlane {
  const pods = s.pods
    .filter((p) => live(p) && match(p.metadata.labels, p.metadata.namespace))
    .sort((a, b) => Number(isPodReady(b)) - Number(isPodReady(a)));
  const services = s.services.filter((v) => v?.metadata && match(v.metadata.labels, v.metadata.namespace));
  const service: Service | undefined = services.find((v) => v.spec?.type === 'LoadBalancer') ?? services[0];
  return { pods, service };
}

export const label = (labels: Labels, key: string): string | undefined => {
  const v = labels?.[key];
  return typeof v === 'string' ? v : undefined;
};

export const K = 'app.kubernetes.io/';
export const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';

/** The OTel scope name a backend reports, under the attribute name the ingest readers use. */
export const scopeOf = (span: { attributes: Record<string, unknown> }): string | undefined => {
  const v = span.attributes['otel.scope.name'] ?? span.attributes['otel.library.name'];
  return typeof v === 'string' ? v : undefined;
};
