// Builds the route tree: Ingress/HTTPRoute -> rules -> paths -> Service:port -> EndpointSlice endpoints -> Pods.
// Each kind is listed once (paged), then joined in memory, so 2,000 Ingresses cost six list calls.
import { KubeApiError } from './errors';
import { KINDS, listAll, listOptional } from './list';
import { GatewayIndex } from './gateway-tree';
import type {
  EndpointSlice,
  Gateway,
  GatewayClass,
  HTTPRoute,
  HTTPRouteMatch,
  Ingress,
  IngressBackend,
  IngressClass,
  Pod,
  Service,
} from './objects';
import { isPodReady } from './objects';
import type { KubeRequester } from './request';
import type { Backend, Endpoint, Match, RouteEntry, RoutePath, StringMatch } from './routes';

export interface ClusterSnapshot {
  ingresses: Ingress[];
  httpRoutes: HTTPRoute[];
  classes: IngressClass[];
  services: Service[];
  slices: EndpointSlice[];
  pods: Pod[];
  httpRoutesMissing: boolean;
  gateways: Gateway[];
  gatewayClasses: GatewayClass[];
}

export interface RouteTree {
  entries: RouteEntry[];
  /** 'cluster' when every kind was listed cluster-wide, else the one namespace we fell back to. */
  scope: { kind: 'cluster' } | { kind: 'namespace'; namespace: string };
  notices: string[];
  snapshot: ClusterSnapshot;
}

export async function readSnapshot(
  api: KubeRequester,
  namespace?: string,
  signal?: AbortSignal,
): Promise<ClusterSnapshot> {
  const o = { namespace, signal };
  // Gateway API kinds are optional: a missing CRD, or a user who may not list them, leaves them empty.
  const optional = <T>(p: Promise<{ items: T[] }>) =>
    p.then(
      (r) => r.items,
      (e) => {
        if (e instanceof KubeApiError && e.status === 403) return [] as T[];
        throw e;
      },
    );
  const [ingresses, routes, classes, services, slices, pods, gateways, gatewayClasses] = await Promise.all([
    listAll<Ingress>(api, KINDS.ingresses, o),
    listOptional<HTTPRoute>(api, KINDS.httproutes, o),
    listAll<IngressClass>(api, KINDS.ingressclasses, { signal }).catch((e) => {
      // IngressClasses are cluster-scoped; a namespace-restricted user may not list them. Degrade, do not fail.
      if (e instanceof KubeApiError && e.status === 403) return [] as IngressClass[];
      throw e;
    }),
    listAll<Service>(api, KINDS.services, o),
    listAll<EndpointSlice>(api, KINDS.endpointslices, o),
    listAll<Pod>(api, KINDS.pods, o),
    optional(listOptional<Gateway>(api, KINDS.gateways, o)),
    optional(listOptional<GatewayClass>(api, KINDS.gatewayclasses, { signal })),
  ]);
  return {
    ingresses,
    httpRoutes: routes.items,
    httpRoutesMissing: routes.missing,
    classes,
    services,
    slices,
    pods,
    gateways,
    gatewayClasses,
  };
}

/** Lists cluster-wide; on 403 falls back to `fallbackNamespace` and says so. */
export async function readRouteTree(
  api: KubeRequester,
  opts: { namespace?: string; fallbackNamespace: string; signal?: AbortSignal },
): Promise<RouteTree> {
  const notices: string[] = [];
  let snapshot: ClusterSnapshot;
  let scope: RouteTree['scope'] = opts.namespace
    ? { kind: 'namespace', namespace: opts.namespace }
    : { kind: 'cluster' };
  try {
    snapshot = await readSnapshot(api, opts.namespace, opts.signal);
  } catch (e) {
    if (!(e instanceof KubeApiError && e.status === 403) || opts.namespace) throw e;
    notices.push(
      `listing across all namespaces is forbidden (${e.message.replace(/^forbidden: /, '')}` +
        `); showing namespace "${opts.fallbackNamespace}" only`,
    );
    scope = { kind: 'namespace', namespace: opts.fallbackNamespace };
    snapshot = await readSnapshot(api, opts.fallbackNamespace, opts.signal);
  }
  if (snapshot.httpRoutesMissing)
    notices.push('the Gateway API (HTTPRoute) is not installed in this cluster: no routes to show');
  return { entries: buildEntries(snapshot), scope, notices, snapshot };
}

// Objects come from raw JSON (CRDs with loose schemas, odd servers): a field of the wrong type is read as absent,
// so one bad object never breaks the listing, and every entry keeps the documented shape.
const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const isObj = <T>(x: T | null | undefined): x is T => !!x && typeof x === 'object' && !Array.isArray(x);
const named = <T extends { metadata: { name: string; namespace?: string } }>(list: T[]): T[] =>
  arr(list).filter(
    (o) =>
      isObj(o) &&
      isObj(o.metadata) &&
      typeof o.metadata.name === 'string' &&
      (o.metadata.namespace === undefined || typeof o.metadata.namespace === 'string'),
  );
const portOf = (x: unknown): number | string | undefined => (Number.isInteger(x) ? (x as number) : str(x));

export function buildEntries(s0: ClusterSnapshot): RouteEntry[] {
  const s = {
    ...s0,
    ingresses: named(s0.ingresses),
    httpRoutes: named(s0.httpRoutes),
    classes: named(s0.classes),
    services: named(s0.services),
    slices: named(s0.slices),
    pods: named(s0.pods),
    gateways: named(s0.gateways ?? []),
    gatewayClasses: named(s0.gatewayClasses ?? []),
  };
  const gateways = new GatewayIndex(s.gateways, s.gatewayClasses);
  const services = new Map(s.services.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x]));
  const podsByName = new Map(s.pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const sl of s.slices) {
    const svc = str(sl.metadata.labels?.['kubernetes.io/service-name']);
    if (!svc) continue;
    const key = `${sl.metadata.namespace}/${svc}`;
    (slicesBySvc.get(key) ?? slicesBySvc.set(key, []).get(key)!).push(sl);
  }
  const classes = new Map(s.classes.map((c) => [c.metadata.name, c]));
  const defaultClass = s.classes.find(
    (c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true',
  );

  const backendFor = (ns: string, name: string, port: number | string | undefined): Backend => {
    const svc = services.get(`${ns}/${name}`);
    const out: Backend = { service: { name, port: port ?? '' }, endpoints: [] };
    if (!svc) {
      out.missing = true;
      return out;
    }
    const ports = arr(svc.spec?.ports).filter(isObj);
    const sp =
      ports.find((p) => (typeof port === 'number' ? p.port === port : p.name === port)) ??
      (port === undefined ? ports[0] : undefined);
    if (!sp) return out;
    for (const sl of slicesBySvc.get(`${ns}/${name}`) ?? []) {
      const slPorts = arr(sl.ports).filter(isObj);
      const slPort =
        slPorts.find((p) => (p.name ?? '') === (sp.name ?? '')) ?? (slPorts.length === 1 ? slPorts[0] : undefined);
      if (!slPort?.port || !Number.isInteger(slPort.port)) continue;
      for (const ep of arr(sl.endpoints).filter(isObj)) {
        for (const ip of arr(ep.addresses)) {
          if (typeof ip !== 'string') continue;
          const pod = isObj(ep.targetRef) && ep.targetRef.kind === 'Pod' ? str(ep.targetRef.name) : undefined;
          const podObj = pod ? podsByName.get(`${ns}/${pod}`) : undefined;
          const e: Endpoint = {
            ip,
            port: slPort.port,
            ready:
              (ep.conditions as { ready?: unknown } | undefined)?.ready !== false &&
              (podObj ? isPodReady(podObj) : true),
          };
          if (pod) e.pod = pod;
          const node = str(ep.nodeName) ?? str(podObj?.spec?.nodeName);
          if (node) e.node = node;
          out.endpoints.push(e);
        }
      }
    }
    return out;
  };
  const ingressBackend = (ns: string, b: IngressBackend | undefined): Backend => {
    if (!isObj(b)) return { missing: true, endpoints: [] };
    if (isObj(b.resource))
      return { resource: { kind: str(b.resource.kind) ?? '', name: str(b.resource.name) ?? '' }, endpoints: [] };
    if (!isObj(b.service) || typeof b.service.name !== 'string') return { missing: true, endpoints: [] };
    const port = isObj(b.service.port) ? (portOf(b.service.port.number) ?? str(b.service.port.name)) : undefined;
    return backendFor(ns, b.service.name, port);
  };

  const entries: RouteEntry[] = [];
  for (const ing of s.ingresses) {
    const ns = str(ing.metadata.namespace) ?? 'default';
    const className =
      str(ing.spec?.ingressClassName) ??
      str(ing.metadata.annotations?.['kubernetes.io/ingress.class']) ??
      defaultClass?.metadata.name;
    const e: RouteEntry = {
      kind: 'Ingress',
      namespace: ns,
      name: ing.metadata.name,
      addresses: arr(ing.status?.loadBalancer?.ingress)
        .filter(isObj)
        .map((a) => str(a.ip) ?? str(a.hostname) ?? '')
        .filter(Boolean),
      tls: arr(ing.spec?.tls)
        .filter(isObj)
        .map((t) => ({
          hosts: arr(t.hosts).filter((h) => typeof h === 'string'),
          ...(str(t.secretName) ? { secretName: t.secretName } : {}),
        })),
      rules: arr(ing.spec?.rules)
        .filter(isObj)
        .map((r) => ({
          host: str(r.host) ?? null,
          paths: arr(r.http?.paths)
            .filter(isObj)
            .map((p) => ({
              path: str(p.path) ?? '/',
              pathType: str(p.pathType) ?? 'ImplementationSpecific',
              backends: [ingressBackend(ns, p.backend)],
            })),
        })),
    };
    if (className) e.className = className;
    const controller = className ? str(classes.get(className)?.spec?.controller) : undefined;
    if (controller) e.controller = controller;
    if (ing.spec?.defaultBackend) e.defaultBackend = ingressBackend(ns, ing.spec.defaultBackend);
    entries.push(e);
  }
  for (const r of s.httpRoutes) {
    const ns = str(r.metadata.namespace) ?? 'default';
    const named_ = arr(r.spec?.hostnames).filter((h): h is string => typeof h === 'string');
    const hosts: (string | null)[] = named_.length ? named_ : [null];
    const paths = arr(r.spec?.rules)
      .filter(isObj)
      .flatMap((rule) => {
        const backends = arr(rule.backendRefs)
          .filter(isObj)
          .map((b) => {
            const kind = str(b.kind);
            const be =
              kind && kind !== 'Service'
                ? ({ resource: { kind, name: str(b.name) ?? '' }, endpoints: [] } as Backend)
                : backendFor(str(b.namespace) ?? ns, str(b.name) ?? '', portOf(b.port));
            if (typeof b.weight === 'number' && Number.isFinite(b.weight)) be.weight = b.weight;
            return be;
          });
        const given = arr(rule.matches).filter(isObj);
        const matches = given.length ? given : [{ path: { type: 'PathPrefix', value: '/' } }];
        return matches.map((m) => {
          const p: RoutePath = {
            path: str(m.path?.value) ?? '/',
            pathType: str(m.path?.type) ?? 'PathPrefix',
            backends,
          };
          const extra = matchExtras(m);
          if (extra) p.matches = extra;
          return p;
        });
      });
    const parents = gateways.parents(r);
    const e: RouteEntry = {
      kind: 'HTTPRoute',
      namespace: ns,
      name: r.metadata.name,
      addresses: [...new Set(parents.filter((p) => p.accepted).flatMap((p) => p.addresses))],
      tls: [],
      parents,
      rules: hosts.map((h) => ({ host: h, paths })),
    };
    const gwRef = arr(r.spec?.parentRefs).find((p) => isObj(p) && typeof p.name === 'string');
    const controller = gwRef
      ? gateways.controllerOf(gateways.gateway(str(gwRef.namespace) ?? ns, gwRef.name))
      : undefined;
    if (controller) e.controller = controller;
    entries.push(e);
  }
  return entries.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind),
  );
}

/** The headers, query parameters and method an HTTPRoute match requires, in the listing's shape. */
function matchExtras(m: HTTPRouteMatch): Match | undefined {
  const list = (x: unknown) =>
    arr(x as StringMatch[])
      .filter((h) => isObj(h) && typeof h.name === 'string' && typeof h.value === 'string')
      .map((h) => ({ name: h.name, value: h.value, type: str(h.type) ?? 'Exact' }));
  const out: Match = {};
  const headers = list(m.headers);
  const queryParams = list(m.queryParams);
  if (headers.length) out.headers = headers;
  if (queryParams.length) out.queryParams = queryParams;
  if (str(m.method)) out.method = m.method;
  return Object.keys(out).length ? out : undefined;
}
