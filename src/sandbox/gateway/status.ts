// The status NGINX Gateway Fabric's control plane writes: the GatewayClass Accepted, the Gateway's address (its
// nginx Service's load-balancer address, as the ingress nginx gets one) with its conditions and each listener's
// attachedRoutes, and every HTTPRoute parent's Accepted and ResolvedRefs (src/sandbox/controllers.ts calls it).
import type { KubeObject, ObjectStore } from '../store';
import type { LoadBalancerAddress } from '../controllers';
import { attachments, listeners, NGF_CONTROLLER, servedGateways, type Attachment, type Verdict } from './attach';

/** Stable transition times, so a pass that changes nothing writes nothing (controllers.ts compares content). */
const since = (o: KubeObject) => o.metadata.creationTimestamp ?? '1970-01-01T00:00:00Z';
const cond = (o: KubeObject, type: string, v: Verdict) => ({
  type,
  status: v.status,
  reason: v.reason,
  message: v.message,
  observedGeneration: 1,
  lastTransitionTime: since(o),
});

export function gatewayStatus(
  store: ObjectStore,
  put: (o: KubeObject) => void,
  addresses: Map<string, LoadBalancerAddress>,
): void {
  for (const c of store.list('GatewayClass')) {
    if ((c.spec as { controllerName?: string } | undefined)?.controllerName !== NGF_CONTROLLER) continue;
    const conditions = [
      cond(c, 'Accepted', { status: 'True', reason: 'Accepted', message: 'GatewayClass is accepted' }),
      cond(c, 'SupportedVersion', {
        status: 'True',
        reason: 'SupportedVersion',
        message: 'Gateway API CRD versions are supported',
      }),
    ];
    put({ ...c, status: { conditions } });
  }
  const all = attachments(store);
  for (const gw of servedGateways(store)) {
    const key = `${gw.metadata.namespace}/${gw.metadata.name}`;
    const lb = addresses.get(key);
    const mine = all.filter((a) => a.gateway === gw);
    const programmed: Verdict = lb
      ? { status: 'True', reason: 'Programmed', message: 'The Gateway is programmed' }
      : { status: 'False', reason: 'Pending', message: 'The nginx data plane is not running yet' };
    const ls = listeners(gw).map((l) => {
      const http = l.protocol === 'HTTP' || l.protocol === 'HTTPS';
      const accepted: Verdict = http
        ? { status: 'True', reason: 'Accepted', message: 'The Listener is accepted' }
        : { status: 'False', reason: 'UnsupportedProtocol', message: `protocol ${l.protocol} is not served here` };
      return {
        name: l.name,
        supportedKinds: http ? [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] : [],
        attachedRoutes: mine.filter((a) => a.listeners.includes(l)).length,
        conditions: [
          cond(gw, 'Accepted', accepted),
          cond(gw, 'ResolvedRefs', { status: 'True', reason: 'ResolvedRefs', message: 'All references are resolved' }),
          cond(gw, 'Programmed', accepted.status === 'True' ? programmed : accepted),
          cond(gw, 'Conflicted', { status: 'False', reason: 'NoConflicts', message: 'No conflicts' }),
        ],
      };
    });
    put({
      ...gw,
      status: {
        addresses: lb ? [{ type: 'IPAddress', value: lb.ip }] : [],
        conditions: [
          cond(gw, 'Accepted', { status: 'True', reason: 'Accepted', message: 'The Gateway is accepted' }),
          cond(gw, 'Programmed', programmed),
        ],
        listeners: ls,
      },
    });
  }
  routeStatus(store, put, all);
}

function routeStatus(store: ObjectStore, put: (o: KubeObject) => void, all: Attachment[]): void {
  for (const route of store.list('HTTPRoute')) {
    const mine = all.filter((a) => a.route === route);
    const old = ((route.status as { parents?: { controllerName?: string }[] } | undefined)?.parents ?? []).filter(
      (p) => p.controllerName !== NGF_CONTROLLER,
    );
    if (!mine.length && !route.status) continue;
    const parents = mine.map((a) => ({
      parentRef: {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        namespace: a.gateway.metadata.namespace,
        name: a.ref.name,
        ...(a.ref.sectionName ? { sectionName: a.ref.sectionName } : {}),
        ...(a.ref.port !== undefined ? { port: a.ref.port } : {}),
      },
      controllerName: NGF_CONTROLLER,
      conditions: [cond(route, 'Accepted', a.accepted), cond(route, 'ResolvedRefs', a.resolvedRefs)],
    }));
    put({ ...route, status: { parents: [...old, ...parents] } });
  }
}
