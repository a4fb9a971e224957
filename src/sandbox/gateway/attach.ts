// Which HTTPRoutes attach to which listeners of the Gateways NGINX Gateway Fabric serves, and why not: the
// decisions behind both the status the sandbox writes (status.ts) and the nginx config (model.ts).
import { hostnamesIntersect } from '../../core/kube/gateway-tree';
import type { KubeObject, ObjectStore } from '../store';

export const NGF_CONTROLLER = 'gateway.nginx.org/nginx-gateway-controller';

export interface GwListener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { certificateRefs?: { name: string; namespace?: string }[] };
  allowedRoutes?: { namespaces?: { from?: string; selector?: { matchLabels?: Record<string, string> } } };
}
export interface ParentRef {
  name: string;
  namespace?: string;
  sectionName?: string;
  port?: number;
  group?: string;
  kind?: string;
}
export interface Verdict {
  status: 'True' | 'False';
  reason: string;
  message: string;
}
/** One parentRef of one route that names a Gateway of this controller. */
export interface Attachment {
  route: KubeObject;
  ref: ParentRef;
  gateway: KubeObject;
  /** The listeners the route is attached to (empty when not accepted). */
  listeners: GwListener[];
  accepted: Verdict;
  resolvedRefs: Verdict;
}

const ok = (reason: string, message: string): Verdict => ({ status: 'True', reason, message });
const no = (reason: string, message: string): Verdict => ({ status: 'False', reason, message });

export const listeners = (gw: KubeObject): GwListener[] =>
  ((gw.spec as { listeners?: GwListener[] } | undefined)?.listeners ?? []).filter(
    (l) => typeof l?.name === 'string' && Number.isInteger(l.port),
  );

/** The Gateways whose GatewayClass names NGF's controller. */
export function servedGateways(store: ObjectStore): KubeObject[] {
  const classes = new Set(
    store
      .list('GatewayClass')
      .filter((c) => (c.spec as { controllerName?: string } | undefined)?.controllerName === NGF_CONTROLLER)
      .map((c) => c.metadata.name),
  );
  return store
    .list('Gateway')
    .filter((g) => classes.has((g.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName ?? ''));
}

const gwKey = (ns: string, name: string) => `${ns}/${name}`;

export function routeHostnames(route: KubeObject): string[] {
  return (route.spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
}

/** Gateway API's listener checks, in the order the spec states the reasons: section, namespaces, hostnames. */
export function attachments(store: ObjectStore): Attachment[] {
  const gateways = new Map(servedGateways(store).map((g) => [gwKey(g.metadata.namespace!, g.metadata.name), g]));
  const out: Attachment[] = [];
  for (const route of store.list('HTTPRoute')) {
    const ns = route.metadata.namespace ?? 'default';
    const refs = (route.spec as { parentRefs?: ParentRef[] } | undefined)?.parentRefs ?? [];
    for (const ref of refs) {
      if (
        (ref.kind ?? 'Gateway') !== 'Gateway' ||
        (ref.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io'
      )
        continue;
      const gateway = gateways.get(gwKey(ref.namespace ?? ns, ref.name));
      // A Gateway of another controller (or none): NGF writes nothing for this parentRef.
      if (!gateway) continue;
      const a = { route, ref, gateway, resolvedRefs: resolveRefs(store, route) };
      out.push({ ...a, ...accept(store, route, ref, gateway) });
    }
  }
  return out;
}

function accept(
  store: ObjectStore,
  route: KubeObject,
  ref: ParentRef,
  gw: KubeObject,
): { listeners: GwListener[]; accepted: Verdict } {
  const all = listeners(gw).filter((l) => l.protocol === 'HTTP' || l.protocol === 'HTTPS');
  const named = all.filter(
    (l) => (!ref.sectionName || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port),
  );
  if (!named.length) {
    const what = ref.sectionName ? `listener named "${ref.sectionName}"` : `HTTP listener on port ${ref.port}`;
    return { listeners: [], accepted: no('NoMatchingParent', `Gateway ${nsName(gw)} has no ${what}`) };
  }
  const allowed = named.filter((l) => namespaceAllowed(store, l, gw, route));
  if (!allowed.length)
    return {
      listeners: [],
      accepted: no(
        'NotAllowedByListeners',
        `the listeners' allowedRoutes do not admit namespace ${route.metadata.namespace}`,
      ),
    };
  const hosts = routeHostnames(route);
  const fit = allowed.filter((l) => !hosts.length || hosts.some((h) => hostnamesIntersect(h, l.hostname)));
  if (!fit.length)
    return {
      listeners: [],
      accepted: no('NoMatchingListenerHostname', `no listener hostname matches ${hosts.join(', ')}`),
    };
  return { listeners: fit, accepted: ok('Accepted', 'The Route is accepted') };
}

function namespaceAllowed(store: ObjectStore, l: GwListener, gw: KubeObject, route: KubeObject): boolean {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return route.metadata.namespace === gw.metadata.namespace;
  // Selector: matchLabels only (simplified: matchExpressions are not evaluated, so they admit nothing).
  const want = l.allowedRoutes?.namespaces?.selector?.matchLabels;
  const labels = store.get('Namespace', undefined, route.metadata.namespace!)?.metadata.labels ?? {};
  return !!want && Object.entries(want).every(([k, v]) => labels[k] === v);
}

interface BackendRef {
  name: string;
  namespace?: string;
  port?: number;
  kind?: string;
  group?: string;
}
export const backendRefsOf = (route: KubeObject): BackendRef[] =>
  ((route.spec as { rules?: { backendRefs?: BackendRef[] }[] } | undefined)?.rules ?? []).flatMap(
    (r) => r.backendRefs ?? [],
  );

/** ResolvedRefs: every backendRef a Service in the route's namespace with that port (no ReferenceGrant here). */
function resolveRefs(store: ObjectStore, route: KubeObject): Verdict {
  const ns = route.metadata.namespace ?? 'default';
  for (const b of backendRefsOf(route)) {
    if ((b.kind ?? 'Service') !== 'Service' || !['', 'core'].includes(b.group ?? ''))
      return no('InvalidKind', `backendRef ${b.name}: kind ${b.kind} is not supported`);
    if ((b.namespace ?? ns) !== ns)
      return no('RefNotPermitted', `backendRef ${b.namespace}/${b.name}: no ReferenceGrant allows it`);
    const svc = store.get('Service', ns, b.name);
    if (!svc) return no('BackendNotFound', `Service ${ns}/${b.name} not found`);
    const ports = (svc.spec as { ports?: { port: number }[] } | undefined)?.ports ?? [];
    if (!ports.some((p) => p.port === b.port))
      return no('BackendNotFound', `Service ${ns}/${b.name} has no port ${b.port}`);
  }
  return ok('ResolvedRefs', 'All references are resolved');
}

export const nsName = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;
