// The few fields of Kubernetes objects that Kubetrace reads. Objects come from raw JSON, so every field is optional.
export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  /** Dropped when a live object is shown as YAML. */
  managedFields?: unknown[];
}
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
}
export interface ListOf<T> {
  items?: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}
export interface IngressBackend {
  service?: { name?: string; port?: ServiceBackendPort };
  resource?: { apiGroup?: string; kind?: string; name?: string };
}
export interface IngressPath {
  path?: string;
  pathType?: string;
  backend?: IngressBackend;
}
export interface IngressRule {
  host?: string | null;
  http?: { paths?: IngressPath[] };
}
/** An Ingress (networking.k8s.io/v1) as the API returns it or as a manifest parses: the one Ingress type. */
export interface Ingress extends Obj {
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: IngressRule[];
  };
  status?: {
    loadBalancer?: { ingress?: { ip?: string; hostname?: string; ports?: { port: number; protocol?: string }[] }[] };
  };
}
export interface IngressClass extends Obj {
  spec?: { controller?: string };
}
export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}
export interface Service extends Obj {
  spec?: { type?: string; selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string };
  status?: Ingress['status'];
}
export interface EndpointSlice extends Obj {
  addressType?: string;
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean; serving?: boolean };
    nodeName?: string;
    targetRef?: { kind?: string; name?: string; namespace?: string };
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}
export interface Pod extends Obj {
  spec?: {
    nodeName?: string;
    containers?: { name: string; image?: string; ports?: { name?: string; containerPort: number }[] }[];
  };
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface ParentRef {
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
  kind?: string;
  group?: string;
}
export interface StringMatch {
  name: string;
  value: string;
  type?: string;
}
export interface HTTPRouteMatch {
  path?: { type?: string; value?: string };
  headers?: StringMatch[];
  queryParams?: StringMatch[];
  method?: string;
}
/** A rule's filter: only the type and a redirect's scheme are read (the migration compare, src/core/compare/). */
export interface HTTPRouteFilter {
  type?: string;
  requestRedirect?: { scheme?: string };
}
export interface HTTPRoute extends Obj {
  spec?: {
    parentRefs?: ParentRef[];
    hostnames?: string[];
    rules?: {
      matches?: HTTPRouteMatch[];
      filters?: HTTPRouteFilter[];
      timeouts?: { request?: string; backendRequest?: string };
      backendRefs?: {
        name: string;
        namespace?: string;
        port?: number;
        weight?: number;
        kind?: string;
        group?: string;
        filters?: HTTPRouteFilter[];
      }[];
    }[];
  };
  status?: { parents?: { parentRef: ParentRef; controllerName?: string; conditions?: Condition[] }[] };
}
export interface GatewayClass extends Obj {
  spec?: { controllerName?: string };
}
export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: string; certificateRefs?: { name: string; namespace?: string; kind?: string }[] };
}
export interface Gateway extends Obj {
  spec?: { gatewayClassName?: string; listeners?: Listener[] };
  status?: {
    addresses?: { type?: string; value: string }[];
    conditions?: Condition[];
    listeners?: { name: string; attachedRoutes?: number; conditions?: Condition[] }[];
  };
}

export const isPodReady = (p: Pod): boolean =>
  Array.isArray(p?.status?.conditions) && p.status.conditions.some((c) => c?.type === 'Ready' && c.status === 'True');
export const nsName = (o: Obj): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
