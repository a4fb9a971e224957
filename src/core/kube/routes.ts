// The `kubetrace ingresses --json` shape (docs/ARCHITECTURE.md, CLI contract).
export interface Endpoint {
  pod?: string;
  ip: string;
  port: number;
  ready: boolean;
  node?: string;
}
export interface Backend {
  service?: { name: string; port: number | string };
  resource?: { kind: string; name: string };
  weight?: number;
  missing?: true;
  endpoints: Endpoint[];
}
export interface StringMatch {
  name: string;
  value: string;
  type: string;
}
/** What an HTTPRoute match requires besides the path. */
export interface Match {
  headers?: StringMatch[];
  queryParams?: StringMatch[];
  method?: string;
}
export interface RoutePath {
  path: string;
  pathType: string;
  matches?: Match;
  backends: Backend[];
}
export interface RouteParent {
  gateway: { namespace: string; name: string };
  sectionName?: string;
  listener?: { name: string; hostname?: string; port: number; protocol: string };
  accepted: boolean;
  reason?: string;
  addresses: string[];
}
export interface RouteRule {
  host: string | null;
  paths: RoutePath[];
}
export interface RouteEntry {
  kind: 'Ingress' | 'HTTPRoute';
  namespace: string;
  name: string;
  className?: string;
  controller?: string;
  addresses: string[];
  tls: { hosts: string[]; secretName?: string }[];
  defaultBackend?: Backend;
  /** HTTPRoute only: the Gateways (and listeners) it is attached to, with their verdict. */
  parents?: RouteParent[];
  rules: RouteRule[];
}
