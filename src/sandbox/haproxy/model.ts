// Turns the store's Ingresses of the HAProxy Kubernetes Ingress Controller's classes, their Services and
// EndpointSlices, and the controller's ConfigMap into what its haproxy.cfg holds: one backend per Service port
// (`<namespace>_<service>_<port>`), one server per ready endpoint (SRV_1, SRV_2, …), and the host + path routes
// that pick a backend. The renderer (render.ts) only prints what this decides.
import type { KubeObject, ObjectStore } from '../store';
import { expandPath, resolveUpstream } from '../nginx/model';

export const HAPROXY_CONTROLLER = 'haproxy.org/ingress-controller';
/** Where requests no Ingress rule matches go: the controller's own 404 (the chart's default backend). */
export const DEFAULT_BACKEND = 'haproxy_default-backend_404';

export interface HaproxyServer {
  name: string;
  address: string;
  port: number;
  pod?: string;
}
export interface HaproxyBackend {
  name: string;
  namespace: string;
  service: string;
  servers: HaproxyServer[];
  /** Why there are no servers (HAProxy then answers 503), for a comment in the config. */
  missing?: string;
}
export interface HaproxyRoute {
  /** Lower-case host, or undefined for a rule without a host. */
  host?: string;
  path: string;
  match: 'exact' | 'prefix';
  backend: string;
  namespace: string;
  ingress: string;
}
export interface HaproxyModel {
  routes: HaproxyRoute[];
  backends: HaproxyBackend[];
  /** Hosts listed under spec.tls of a served Ingress: the HTTPS bind's certificate covers them. */
  tlsHosts: string[];
  /** All hosts with rules, for the default certificate's names. */
  hosts: string[];
  /** The ConfigMap's `syslog-server` says stdout: traffic logs go to the pod log. */
  logToStdout: boolean;
  /** The ConfigMap's `request-capture` sample expressions and their length. */
  captures: { expr: string; len: number }[];
  skipped: { namespace: string; ingress: string; reason: string }[];
}

// Only what the API server's validation lets through; anything else could change the meaning of haproxy.cfg.
const HOST_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH_RE = /^\/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// request-capture takes a sample expression; this sandbox accepts header fetches only (no spaces, no rules).
const CAPTURE_RE = /^(?:req\.)?hdr\([A-Za-z0-9-]+\)$/;

type Backend = { service?: { name?: string; port?: { number?: number; name?: string } } };
interface IngressSpec {
  ingressClassName?: string;
  tls?: { hosts?: string[] }[];
  rules?: { host?: string; http?: { paths?: { path?: string; pathType?: string; backend?: Backend }[] } }[];
}

/** The Ingresses whose class names this controller, oldest first (the oldest wins a host + path clash). */
export function haproxyIngresses(store: ObjectStore): KubeObject[] {
  const classes = new Set(
    store
      .list('IngressClass')
      .filter((c) => (c.spec as { controller?: string } | undefined)?.controller === HAPROXY_CONTROLLER)
      .map((c) => c.metadata.name),
  );
  return store
    .list('Ingress')
    .filter((i) => {
      const cls =
        (i.spec as IngressSpec | undefined)?.ingressClassName ??
        i.metadata.annotations?.['kubernetes.io/ingress.class'];
      return cls !== undefined && classes.has(cls);
    })
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    );
}

export function buildHaproxyModel(store: ObjectStore, configMap?: { namespace: string; name: string }): HaproxyModel {
  const backends = new Map<string, HaproxyBackend>();
  const routes: HaproxyRoute[] = [];
  const skipped: HaproxyModel['skipped'] = [];
  const tlsHosts = new Set<string>();
  const hosts = new Set<string>();
  const backendFor = (ns: string, b: Backend | undefined): string | undefined => {
    const svc = b?.service?.name;
    const port = b?.service?.port?.number ?? b?.service?.port?.name;
    if (!svc || port === undefined || !NAME_RE.test(svc)) return undefined;
    if (typeof port === 'string' ? !NAME_RE.test(port) : !Number.isInteger(port)) return undefined;
    // The controller names a backend after the Service port's name when it has one, else its number.
    const sp = (
      (store.get('Service', ns, svc)?.spec as { ports?: { name?: string; port: number }[] } | undefined)?.ports ?? []
    ).find((p) => (typeof port === 'number' ? p.port === port : p.name === port));
    const name = `${ns}_${svc}_${sp?.name || port}`;
    if (!backends.has(name)) {
      const up = resolveUpstream(store, name, ns, svc, port);
      backends.set(name, {
        name,
        namespace: ns,
        service: svc,
        servers: up.servers.map((s, i) => ({ name: `SRV_${i + 1}`, address: s.address, port: s.port, pod: s.pod })),
        ...(up.missing ? { missing: up.missing } : {}),
      });
    }
    return name;
  };
  for (const ing of haproxyIngresses(store)) {
    const ns = ing.metadata.namespace ?? 'default';
    const spec = (ing.spec ?? {}) as IngressSpec;
    const skip = (reason: string) => skipped.push({ namespace: ns, ingress: ing.metadata.name, reason });
    for (const t of spec.tls ?? []) for (const h of t.hosts ?? []) if (HOST_RE.test(h)) tlsHosts.add(h);
    for (const rule of spec.rules ?? []) {
      if (rule.host && !HOST_RE.test(rule.host)) {
        skip(`host ${JSON.stringify(rule.host)} is not a valid DNS name (wildcards are not rendered here)`);
        continue;
      }
      if (rule.host) hosts.add(rule.host);
      for (const p of rule.http?.paths ?? []) {
        const path = p.path || '/';
        if (!PATH_RE.test(path)) {
          skip(`path ${JSON.stringify(path)} has characters haproxy.cfg would read as syntax`);
          continue;
        }
        const backend = backendFor(ns, p.backend);
        if (!backend) {
          skip(`path ${path} names no valid Service backend`);
          continue;
        }
        // Prefix matches whole path elements (Kubernetes' rule): `/p` and `/p/...`, never `/px`.
        for (const m of expandPath(path, p.pathType ?? 'ImplementationSpecific')) {
          const route = { host: rule.host, ...m, backend, namespace: ns, ingress: ing.metadata.name };
          const clash = routes.some((r) => r.host === route.host && r.path === route.path && r.match === route.match);
          if (!clash) routes.push(route);
        }
      }
    }
  }
  // Exact paths first, then longer prefixes first: the first matching use_backend wins.
  routes.sort(
    (a, b) =>
      (a.match === 'exact' ? 0 : 1) - (b.match === 'exact' ? 0 : 1) ||
      b.path.length - a.path.length ||
      (a.host ?? '~').localeCompare(b.host ?? '~') ||
      a.path.localeCompare(b.path),
  );
  const cm = configMap ? store.get('ConfigMap', configMap.namespace, configMap.name) : undefined;
  const data = (cm?.data ?? {}) as Record<string, string>;
  const len = Number(data['request-capture-len'] ?? 128);
  const captures = (data['request-capture'] ?? '')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => CAPTURE_RE.test(s))
    .map((expr) => ({ expr, len: Number.isInteger(len) && len > 0 && len <= 1024 ? len : 128 }));
  return {
    routes,
    backends: [...backends.values()].sort((a, b) => a.name.localeCompare(b.name)),
    tlsHosts: [...tlsHosts].sort(),
    hosts: [...hosts].sort(),
    logToStdout: /(^|,)\s*address\s*:\s*stdout\s*(,|$)/.test(data['syslog-server'] ?? ''),
    captures,
    skipped,
  };
}
