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
export interface RoutePath {
  path: string;
  pathType: string;
  backends: Backend[];
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
  rules: RouteRule[];
}
