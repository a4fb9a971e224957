// Turns the store's Ingresses, Services and EndpointSlices into the servers, locations and upstreams that
// ingress-nginx would configure (internal/ingress/controller/controller.go: createUpstreams, createServers,
// updateServerLocations). The renderer only prints what this decides.
import type { KubeObject, ObjectStore } from '../store';

export const NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
export const DEFAULT_BACKEND = 'upstream-default-backend';
export const DEFAULT_SERVER = '_';

export interface UpstreamServer {
  address: string;
  port: number;
  pod?: string;
}
export interface Upstream {
  name: string; // <ns>-<svc>-<port>, ingress-nginx's upstreamName()
  namespace: string;
  service: string;
  servicePort: number | string; // as the Ingress backend names it
  servers: UpstreamServer[]; // ready endpoints only; empty means 503
  missing?: string; // why there are no servers, for the config comment
}

export interface Location {
  path: string;
  /** Exact → `location = path`; Prefix → `location path` (path already normalized to end in "/"). */
  match: 'exact' | 'prefix';
  pathType: string; // the Ingress's own value, for comments and the index
  upstream: string; // an Upstream name, or DEFAULT_BACKEND
  namespace?: string;
  ingress?: string;
  service?: string;
  servicePort?: number | string;
  sslRedirect: boolean;
}

export interface Server {
  host: string; // DEFAULT_SERVER for the catch-all
  tlsCertHost?: string; // set when an Ingress lists this host under spec.tls
  tlsSecret?: string;
  locations: Location[];
}

export interface Skipped {
  namespace: string;
  ingress: string;
  reason: string;
}
export interface NginxModel {
  servers: Server[];
  upstreams: Upstream[];
  classes: string[];
  skipped: Skipped[];
}

// What the API server's validation (hosts: DNS-1123 subdomains, optionally `*.`) and ingress-nginx's path
// check let through. Anything else could change the meaning of the generated config, so it is left out.
const HOST_RE = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH_RE = /^\/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

type Backend = { service?: { name?: string; port?: { number?: number; name?: string } } };
interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: Backend;
  tls?: { hosts?: string[]; secretName?: string }[];
  rules?: { host?: string; http?: { paths?: { path?: string; pathType?: string; backend?: Backend }[] } }[];
}

/** Class names this controller serves, and whether it is the default class. */
export function servedClasses(store: ObjectStore): { names: string[]; isDefault: boolean } {
  const mine = store
    .list('IngressClass')
    .filter((c) => (c.spec as { controller?: string } | undefined)?.controller === NGINX_CONTROLLER);
  if (!mine.length) return { names: ['nginx'], isDefault: false };
  const isDefault = mine.some(
    (c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true',
  );
  return { names: mine.map((c) => c.metadata.name), isDefault };
}

export function isServed(ing: KubeObject, classes: { names: string[]; isDefault: boolean }): boolean {
  const spec = (ing.spec ?? {}) as IngressSpec;
  const annotated = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  const cls = spec.ingressClassName ?? annotated;
  // Without a class, the API server's DefaultIngressClass admission would have set the default one.
  return cls === undefined ? classes.isDefault : classes.names.includes(cls);
}

/** The nginx Ingresses, oldest first: on a host/path clash ingress-nginx keeps the oldest Ingress's rule. */
export function servedIngresses(store: ObjectStore): KubeObject[] {
  const classes = servedClasses(store);
  return store
    .list('Ingress')
    .filter((i) => isServed(i, classes))
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    );
}

export function buildModel(store: ObjectStore): NginxModel {
  const ingresses = servedIngresses(store);
  const skipped: Skipped[] = [];
  const upstreams = new Map<string, Upstream>();
  // One pass over the slices: looking them up per upstream is quadratic with thousands of Services.
  const slicesBySvc = new Map<string, KubeObject[]>();
  for (const sl of store.list('EndpointSlice')) {
    const k = `${sl.metadata.namespace}/${sl.metadata.labels?.['kubernetes.io/service-name']}`;
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), sl]);
  }
  const upstreamFor = (ns: string, b: Backend | undefined): string => {
    const svc = b?.service?.name;
    const port = b?.service?.port?.number ?? b?.service?.port?.name;
    if (!svc || port === undefined) return DEFAULT_BACKEND;
    if (
      !NAME_RE.test(svc) ||
      (typeof port === 'string' && !NAME_RE.test(port)) ||
      (typeof port === 'number' && !Number.isInteger(port))
    )
      return DEFAULT_BACKEND;
    const name = `${ns}-${svc}-${port}`;
    if (!upstreams.has(name)) upstreams.set(name, resolveUpstream(store, name, ns, svc, port, slicesBySvc));
    return name;
  };

  const servers = new Map<string, Server>();
  const serverFor = (host: string): Server => {
    let s = servers.get(host);
    if (!s) {
      s = { host, locations: [] };
      servers.set(host, s);
    }
    return s;
  };
  const catchAll = serverFor(DEFAULT_SERVER);

  // Pass 1: the default server's root comes from an Ingress that has only a defaultBackend (oldest wins).
  for (const ing of ingresses) {
    const spec = (ing.spec ?? {}) as IngressSpec;
    if (spec.defaultBackend && !spec.rules?.length && !catchAll.locations.length) {
      catchAll.locations.push(
        rootLocation(ing, upstreamFor(ing.metadata.namespace ?? 'default', spec.defaultBackend), spec.defaultBackend),
      );
    }
  }
  if (!catchAll.locations.length)
    catchAll.locations.push({
      path: '/',
      match: 'prefix',
      pathType: 'Prefix',
      upstream: DEFAULT_BACKEND,
      sslRedirect: false,
    });

  // Pass 2: hosts, TLS and paths.
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const spec = (ing.spec ?? {}) as IngressSpec;
    const tlsHosts = new Map<string, string | undefined>();
    for (const t of spec.tls ?? []) for (const h of t.hosts ?? []) tlsHosts.set(h, t.secretName);
    const sslRedirect = annotationBool(ing, 'nginx.ingress.kubernetes.io/ssl-redirect', true);
    const skip = (reason: string) => skipped.push({ namespace: ns, ingress: ing.metadata.name, reason });
    for (const rule of spec.rules ?? []) {
      if (rule.host && !HOST_RE.test(rule.host)) {
        skip(`host ${JSON.stringify(rule.host)} is not a valid DNS name`);
        continue;
      }
      const host = rule.host || DEFAULT_SERVER;
      const server = serverFor(host);
      if (tlsHosts.has(host) && !server.tlsCertHost) {
        server.tlsCertHost = host;
        server.tlsSecret = tlsHosts.get(host);
      }
      const redirect = sslRedirect && tlsHosts.has(host);
      for (const p of rule.http?.paths ?? []) {
        const path = p.path || '/';
        const pathType = p.pathType ?? 'ImplementationSpecific';
        if (!PATH_RE.test(path)) {
          skip(`path ${JSON.stringify(path)} has characters nginx would read as config (ingress-nginx refuses it too)`);
          continue;
        }
        const upstream = upstreamFor(ns, p.backend);
        const base = {
          pathType,
          upstream,
          namespace: ns,
          ingress: ing.metadata.name,
          service: upstream === DEFAULT_BACKEND ? undefined : p.backend?.service?.name,
          servicePort: p.backend?.service?.port?.number ?? p.backend?.service?.port?.name,
          sslRedirect: redirect,
        };
        for (const loc of expandPath(path, pathType)) addLocation(server, { ...base, ...loc });
      }
      // An Ingress's own defaultBackend answers the rest of its hosts (ingress-nginx: "defUpstream").
      if (spec.defaultBackend)
        addLocation(server, rootLocation(ing, upstreamFor(ns, spec.defaultBackend), spec.defaultBackend, redirect));
    }
  }
  for (const s of servers.values()) {
    if (!s.locations.some((l) => l.path === '/' && l.match === 'prefix')) {
      s.locations.push({
        path: '/',
        match: 'prefix',
        pathType: 'Prefix',
        upstream: DEFAULT_BACKEND,
        sslRedirect: false,
      });
    }
    s.locations.sort(compareLocations);
  }
  const ordered = [...servers.values()].sort((a, b) =>
    a.host === DEFAULT_SERVER ? -1 : b.host === DEFAULT_SERVER ? 1 : a.host.localeCompare(b.host),
  );
  return {
    servers: ordered,
    upstreams: [...upstreams.values()].sort((a, b) => a.name.localeCompare(b.name)),
    classes: servedClasses(store).names,
    skipped,
  };
}

/**
 * ingress-nginx's updateServerLocations: a Prefix path not ending in "/" becomes `location /p/` plus
 * `location = /p`, so `/p` and `/p/...` match and `/px` does not (and nginx sends no 301 for `/p`).
 */
export function expandPath(path: string, pathType: string): { path: string; match: 'exact' | 'prefix' }[] {
  if (pathType === 'Exact') return [{ path, match: 'exact' }];
  if (pathType === 'Prefix' && path !== '/' && !path.endsWith('/'))
    return [
      { path: `${path}/`, match: 'prefix' },
      { path, match: 'exact' },
    ];
  return [{ path, match: 'prefix' }];
}

function rootLocation(ing: KubeObject, upstream: string, b: Backend, sslRedirect = false): Location {
  return {
    path: '/',
    match: 'prefix',
    pathType: 'Prefix',
    upstream,
    namespace: ing.metadata.namespace,
    ingress: ing.metadata.name,
    service: b.service?.name,
    servicePort: b.service?.port?.number ?? b.service?.port?.name,
    sslRedirect,
  };
}

function addLocation(server: Server, loc: Location): void {
  // First (oldest Ingress) wins, as in ingress-nginx; nginx itself refuses duplicate locations.
  if (server.locations.some((l) => l.path === loc.path && l.match === loc.match)) return;
  server.locations.push(loc);
}

function compareLocations(a: Location, b: Location): number {
  return b.path.length - a.path.length || a.path.localeCompare(b.path) || (a.match === 'exact' ? -1 : 1);
}

function annotationBool(o: KubeObject, key: string, dflt: boolean): boolean {
  const v = o.metadata.annotations?.[key];
  return v === undefined ? dflt : v === 'true';
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}
interface SlicePort {
  name?: string;
  port?: number;
}
interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean };
  targetRef?: { name?: string };
}

/** The Service port the Ingress names, then the ready EndpointSlice addresses on its target port. */
export function resolveUpstream(
  store: ObjectStore,
  name: string,
  ns: string,
  svc: string,
  port: number | string,
  slicesBySvc?: Map<string, KubeObject[]>,
): Upstream {
  const up: Upstream = { name, namespace: ns, service: svc, servicePort: port, servers: [] };
  const service = store.get('Service', ns, svc);
  if (!service) {
    up.missing = `service ${ns}/${svc} not found`;
    return up;
  }
  const ports = (service.spec as { ports?: ServicePort[] } | undefined)?.ports ?? [];
  const sp = ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
  if (!sp) {
    up.missing = `service ${ns}/${svc} has no port ${port}`;
    return up;
  }
  const slices = slicesBySvc
    ? (slicesBySvc.get(`${ns}/${svc}`) ?? [])
    : store.list('EndpointSlice', ns).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);
  const seen = new Set<string>();
  for (const slice of slices) {
    const slicePorts = (slice.ports as SlicePort[] | undefined) ?? [];
    // EndpointSlice ports carry the Service port's name; an unnamed single port has name "" or none.
    const match =
      slicePorts.find((p) => (p.name ?? '') === (sp.name ?? '')) ??
      (slicePorts.length === 1 && ports.length === 1 ? slicePorts[0] : undefined);
    if (!match?.port) continue;
    for (const ep of (slice.endpoints as SliceEndpoint[] | undefined) ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const addr of ep.addresses ?? []) {
        const key = `${addr}:${match.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        up.servers.push({ address: addr, port: match.port, pod: ep.targetRef?.name });
      }
    }
  }
  if (!up.servers.length) up.missing = `no ready endpoints for ${ns}/${svc}:${port}`;
  up.servers.sort((a, b) => `${a.address}:${a.port}`.localeCompare(`${b.address}:${b.port}`, 'en', { numeric: true }));
  return up;
}
