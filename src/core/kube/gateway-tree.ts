// The Gateway API side of the listing: an HTTPRoute's parents (Gateway, listener, Accepted verdict, addresses)
// and the `kubetrace gateways` view. Objects come from raw JSON: wrong-typed fields read as absent.
import type { Condition, Gateway, GatewayClass, HTTPRoute, Listener, ParentRef } from './objects';
import type { RouteParent } from './routes';

export interface GatewayView {
  namespace: string;
  name: string;
  className: string;
  controller?: string;
  addresses: string[];
  listeners: { name: string; hostname?: string; port: number; protocol: string; attachedRoutes: number }[];
  routes: { kind: 'HTTPRoute'; namespace: string; name: string; accepted: boolean; reason?: string }[];
}

const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const isObj = <T>(x: T | null | undefined): x is T => !!x && typeof x === 'object' && !Array.isArray(x);

export function listenersOf(gw: Gateway): Listener[] {
  return arr(gw.spec?.listeners).filter(
    (l) => isObj(l) && typeof l.name === 'string' && Number.isInteger(l.port) && typeof l.protocol === 'string',
  );
}

export function gatewayAddresses(gw: Gateway): string[] {
  return arr(gw.status?.addresses)
    .filter(isObj)
    .map((a) => str(a.value) ?? '')
    .filter(Boolean);
}

/** Gateway API hostname intersection: a wildcard is a suffix match of one or more labels. */
export function hostnamesIntersect(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  const x = a.toLowerCase(),
    y = b.toLowerCase();
  if (x === y) return true;
  if (x.startsWith('*.') && y.endsWith(x.slice(1))) return true;
  if (y.startsWith('*.') && x.endsWith(y.slice(1))) return true;
  return false;
}

/** The condition that keeps a route's parent from serving it (Accepted, else ResolvedRefs), as the controller wrote it. */
export interface FailedCondition {
  type: 'Accepted' | 'ResolvedRefs';
  /** Absent when the controller has not written the condition (yet). */
  status?: string;
  reason?: string;
}
/** One Gateway parentRef of a route: the listing's parent, the ref it came from, and what failed, if anything. */
export interface Attachment {
  parent: RouteParent;
  ref: ParentRef;
  failed?: FailedCondition;
}

const isGatewayRef = (p: ParentRef) =>
  (p.kind === undefined || p.kind === 'Gateway') && (p.group === undefined || p.group === 'gateway.networking.k8s.io');

export class GatewayIndex {
  private readonly gateways = new Map<string, Gateway>();
  private readonly classes = new Map<string, GatewayClass>();
  constructor(gateways: Gateway[], classes: GatewayClass[]) {
    for (const g of gateways) this.gateways.set(`${g.metadata.namespace ?? 'default'}/${g.metadata.name}`, g);
    for (const c of classes) this.classes.set(c.metadata.name, c);
  }
  gateway(namespace: string, name: string): Gateway | undefined {
    return this.gateways.get(`${namespace}/${name}`);
  }
  all(): Gateway[] {
    return [...this.gateways.values()];
  }
  controllerOf(gw: Gateway | undefined): string | undefined {
    const cls = gw ? str(gw.spec?.gatewayClassName) : undefined;
    return cls ? str(this.classes.get(cls)?.spec?.controllerName) : undefined;
  }

  /** One entry per Gateway parent of the route, with the listener it names (or the only one) and its verdict. */
  parents(route: HTTPRoute): RouteParent[] {
    return this.attachments(route).map((a) => a.parent);
  }

  /** As `parents`, keeping the parentRef and the failed condition (the tree places and labels routes by them). */
  attachments(route: HTTPRoute): Attachment[] {
    const ns = str(route.metadata.namespace) ?? 'default';
    const statuses = arr(route.status?.parents).filter((p) => isObj(p) && isObj(p.parentRef));
    return arr(route.spec?.parentRefs)
      .filter((p) => isObj(p) && typeof p.name === 'string' && isGatewayRef(p))
      .map((ref) => {
        const gwNs = str(ref.namespace) ?? ns;
        const gw = this.gateway(gwNs, ref.name);
        const listeners = gw ? listenersOf(gw) : [];
        const section = str(ref.sectionName);
        const l = section
          ? listeners.find((x) => x.name === section)
          : Number.isInteger(ref.port)
            ? listeners.find((x) => x.port === ref.port)
            : listeners.length === 1
              ? listeners[0]
              : undefined;
        const controller = this.controllerOf(gw);
        // A status entry is the controller's verdict for this parentRef; take the one of our Gateway's controller.
        const st = statuses.find(
          (s) =>
            s.parentRef.name === ref.name &&
            (str(s.parentRef.namespace) ?? ns) === gwNs &&
            str(s.parentRef.sectionName) === section &&
            (!controller || !s.controllerName || s.controllerName === controller),
        );
        const verdict: ReturnType<typeof accepted> = gw
          ? accepted(arr(st?.conditions))
          : { accepted: false, reason: `Gateway ${gwNs}/${ref.name} not found` };
        const out: RouteParent = {
          gateway: { namespace: gwNs, name: ref.name },
          accepted: verdict.accepted,
          addresses: gw ? gatewayAddresses(gw) : [],
        };
        if (section) out.sectionName = section;
        if (l) {
          out.listener = { name: l.name, port: l.port, protocol: l.protocol };
          if (str(l.hostname)) out.listener.hostname = l.hostname;
        }
        if (verdict.reason) out.reason = verdict.reason;
        const a: Attachment = { parent: out, ref };
        if (verdict.failed) a.failed = verdict.failed;
        return a;
      });
  }
}

/** Accepted and ResolvedRefs, in plain words when they are not True. */
function accepted(conds: Condition[]): { accepted: boolean; reason?: string; failed?: FailedCondition } {
  const find = (t: string) => conds.find((c) => isObj(c) && c.type === t);
  const acc = find('Accepted');
  if (!acc)
    return {
      accepted: false,
      reason: 'the controller has not set Accepted on this route (yet)',
      failed: { type: 'Accepted' },
    };
  const say = (c: Condition) => `${c.type} ${c.status}: ${c.reason ?? ''}${c.message ? ` (${c.message})` : ''}`.trim();
  const failed = (type: FailedCondition['type'], c: Condition): FailedCondition => ({
    type,
    status: str(c.status) ?? '',
    ...(str(c.reason) ? { reason: c.reason } : {}),
  });
  if (acc.status !== 'True') return { accepted: false, reason: say(acc), failed: failed('Accepted', acc) };
  const refs = find('ResolvedRefs');
  if (refs && refs.status !== 'True')
    return { accepted: true, reason: say(refs), failed: failed('ResolvedRefs', refs) };
  return { accepted: true };
}

/** `kubetrace gateways`: each Gateway with its class, listeners, addresses and the HTTPRoutes attached to it. */
export function buildGateways(index: GatewayIndex, routes: HTTPRoute[]): GatewayView[] {
  const views = index.all().map((gw): GatewayView => {
    const v: GatewayView = {
      namespace: gw.metadata.namespace ?? 'default',
      name: gw.metadata.name,
      className: str(gw.spec?.gatewayClassName) ?? '',
      addresses: gatewayAddresses(gw),
      listeners: [],
      routes: [],
    };
    const controller = index.controllerOf(gw);
    if (controller) v.controller = controller;
    return v;
  });
  const byKey = new Map(views.map((v) => [`${v.namespace}/${v.name}`, v]));
  const counts = new Map<string, number>();
  for (const r of routes) {
    for (const p of index.parents(r)) {
      const v = byKey.get(`${p.gateway.namespace}/${p.gateway.name}`);
      if (!v) continue;
      const entry: GatewayView['routes'][number] = {
        kind: 'HTTPRoute',
        namespace: r.metadata.namespace ?? 'default',
        name: r.metadata.name,
        accepted: p.accepted,
      };
      if (p.reason) entry.reason = p.reason;
      v.routes.push(entry);
      if (p.accepted) {
        const key = `${v.namespace}/${v.name}/${p.sectionName ?? '*'}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  for (const gw of index.all()) {
    const v = byKey.get(`${gw.metadata.namespace ?? 'default'}/${gw.metadata.name}`)!;
    const reported = new Map(
      arr(gw.status?.listeners)
        .filter(isObj)
        .map((l) => [l.name, l.attachedRoutes]),
    );
    for (const l of listenersOf(gw)) {
      const given = reported.get(l.name);
      const attached = Number.isInteger(given)
        ? (given as number)
        : (counts.get(`${v.namespace}/${v.name}/${l.name}`) ?? 0) + (counts.get(`${v.namespace}/${v.name}/*`) ?? 0);
      const out: GatewayView['listeners'][number] = {
        name: l.name,
        port: l.port,
        protocol: l.protocol,
        attachedRoutes: attached,
      };
      if (str(l.hostname)) out.hostname = l.hostname;
      v.listeners.push(out);
    }
  }
  return views.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
