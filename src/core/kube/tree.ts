// Builds the route tree: Ingress/HTTPRoute -> rules -> paths -> Service:port -> EndpointSlice endpoints -> Pods.
// Each kind is listed once (paged), then joined in memory, so 2,000 Ingresses cost six list calls.
import { KubeApiError } from './errors';
import { KINDS, listAll, listOptional } from './list';
import type { EndpointSlice, HTTPRoute, Ingress, IngressBackend, IngressClass, Pod, Service } from './objects';
import { isPodReady } from './objects';
import type { KubeRequester } from './request';
import type { Backend, Endpoint, RouteEntry } from './routes';

export interface ClusterSnapshot {
  ingresses: Ingress[];
  httpRoutes: HTTPRoute[];
  classes: IngressClass[];
  services: Service[];
  slices: EndpointSlice[];
  pods: Pod[];
  httpRoutesMissing: boolean;
}

export interface RouteTree {
  entries: RouteEntry[];
  /** 'cluster' when every kind was listed cluster-wide, else the one namespace we fell back to. */
  scope: { kind: 'cluster' } | { kind: 'namespace'; namespace: string };
  notices: string[];
  snapshot: ClusterSnapshot;
}

export async function readSnapshot(api: KubeRequester, namespace?: string, signal?: AbortSignal): Promise<ClusterSnapshot> {
  const o = { namespace, signal };
  const [ingresses, routes, classes, services, slices, pods] = await Promise.all([
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
  ]);
  return { ingresses, httpRoutes: routes.items, httpRoutesMissing: routes.missing, classes, services, slices, pods };
}

/** Lists cluster-wide; on 403 falls back to `fallbackNamespace` and says so. */
export async function readRouteTree(api: KubeRequester, opts: { namespace?: string; fallbackNamespace: string; signal?: AbortSignal }): Promise<RouteTree> {
  const notices: string[] = [];
  let snapshot: ClusterSnapshot;
  let scope: RouteTree['scope'] = opts.namespace ? { kind: 'namespace', namespace: opts.namespace } : { kind: 'cluster' };
  try {
    snapshot = await readSnapshot(api, opts.namespace, opts.signal);
  } catch (e) {
    if (!(e instanceof KubeApiError && e.status === 403) || opts.namespace) throw e;
    notices.push(`listing across all namespaces is forbidden (${e.message.replace(/^forbidden: /, '')}); showing namespace "${opts.fallbackNamespace}" only`);
    scope = { kind: 'namespace', namespace: opts.fallbackNamespace };
    snapshot = await readSnapshot(api, opts.fallbackNamespace, opts.signal);
  }
  if (snapshot.httpRoutesMissing) notices.push('the Gateway API (HTTPRoute) is not installed in this cluster: no routes to show');
  return { entries: buildEntries(snapshot), scope, notices, snapshot };
}

export function buildEntries(s: ClusterSnapshot): RouteEntry[] {
  const services = new Map(s.services.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x]));
  const podsByName = new Map(s.pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const sl of s.slices) {
    const svc = sl.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const key = `${sl.metadata.namespace}/${svc}`;
    (slicesBySvc.get(key) ?? slicesBySvc.set(key, []).get(key)!).push(sl);
  }
  const classes = new Map(s.classes.map((c) => [c.metadata.name, c]));
  const defaultClass = s.classes.find((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');

  const backendFor = (ns: string, name: string, port: number | string | undefined): Backend => {
    const svc = services.get(`${ns}/${name}`);
    const out: Backend = { service: { name, port: port ?? '' }, endpoints: [] };
    if (!svc) { out.missing = true; return out; }
    const sp = svc.spec?.ports?.find((p) => (typeof port === 'number' ? p.port === port : p.name === port)) ?? (port === undefined ? svc.spec?.ports?.[0] : undefined);
    if (!sp) return out;
    for (const sl of slicesBySvc.get(`${ns}/${name}`) ?? []) {
      const slPort = sl.ports?.find((p) => (p.name ?? '') === (sp.name ?? '')) ?? (sl.ports?.length === 1 ? sl.ports[0] : undefined);
      if (!slPort?.port) continue;
      for (const ep of sl.endpoints ?? []) {
        for (const ip of ep.addresses ?? []) {
          const pod = ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined;
          const podObj = pod ? podsByName.get(`${ns}/${pod}`) : undefined;
          const e: Endpoint = { ip, port: slPort.port, ready: ep.conditions?.ready !== false && (podObj ? isPodReady(podObj) : true) };
          if (pod) e.pod = pod;
          const node = ep.nodeName ?? podObj?.spec?.nodeName;
          if (node) e.node = node;
          out.endpoints.push(e);
        }
      }
    }
    return out;
  };
  const ingressBackend = (ns: string, b: IngressBackend): Backend => {
    if (b.resource) return { resource: { kind: b.resource.kind, name: b.resource.name }, endpoints: [] };
    if (!b.service) return { missing: true, endpoints: [] };
    return backendFor(ns, b.service.name, b.service.port?.number ?? b.service.port?.name);
  };

  const entries: RouteEntry[] = [];
  for (const ing of s.ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const className = ing.spec?.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'] ?? defaultClass?.metadata.name;
    const e: RouteEntry = {
      kind: 'Ingress', namespace: ns, name: ing.metadata.name,
      addresses: (ing.status?.loadBalancer?.ingress ?? []).map((a) => a.ip ?? a.hostname ?? '').filter(Boolean),
      tls: (ing.spec?.tls ?? []).map((t) => ({ hosts: t.hosts ?? [], ...(t.secretName ? { secretName: t.secretName } : {}) })),
      rules: (ing.spec?.rules ?? []).map((r) => ({
        host: r.host ?? null,
        paths: (r.http?.paths ?? []).map((p) => ({ path: p.path ?? '/', pathType: p.pathType ?? 'ImplementationSpecific', backends: [ingressBackend(ns, p.backend)] })),
      })),
    };
    if (className) e.className = className;
    const controller = className ? classes.get(className)?.spec?.controller : undefined;
    if (controller) e.controller = controller;
    if (ing.spec?.defaultBackend) e.defaultBackend = ingressBackend(ns, ing.spec.defaultBackend);
    entries.push(e);
  }
  for (const r of s.httpRoutes) {
    const ns = r.metadata.namespace ?? 'default';
    const hosts: (string | null)[] = r.spec?.hostnames?.length ? r.spec.hostnames : [null];
    const paths = (r.spec?.rules ?? []).flatMap((rule) => {
      const backends = (rule.backendRefs ?? []).map((b) => {
        const be = b.kind && b.kind !== 'Service' ? { resource: { kind: b.kind, name: b.name }, endpoints: [] } as Backend : backendFor(b.namespace ?? ns, b.name, b.port);
        if (b.weight !== undefined) be.weight = b.weight;
        return be;
      });
      const matches = rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
      return matches.map((m) => ({ path: m.path?.value ?? '/', pathType: m.path?.type ?? 'PathPrefix', backends }));
    });
    entries.push({ kind: 'HTTPRoute', namespace: ns, name: r.metadata.name, addresses: [], tls: [], rules: hosts.map((h) => ({ host: h, paths })) });
  }
  return entries.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}
