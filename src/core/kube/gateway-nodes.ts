// The Gateways part of the cluster tree: Gateway -> listener -> HTTPRoute. A route under a listener is the
// listing's own entry, so its rules, matches, backends and pods are the nodes the top-level HTTPRoute shows, and the
// probe commands get the entry they already know. Pure: src/vscode/gateway-view.ts only maps these to tree items.
import { GatewayIndex, gatewayAddresses, hostnamesIntersect, listenersOf, type FailedCondition } from './gateway-tree';
import type { Gateway, GatewayClass, HTTPRoute } from './objects';
import type { RouteEntry, RouteParent } from './routes';

export interface ListenerRoute {
  entry: RouteEntry;
  parent: RouteParent;
  /** Why this Gateway does not serve the route, in a few words (Accepted or ResolvedRefs not True). */
  problem?: string;
  /** Prefix for the ids of this route's nodes: the same route may show under several listeners and at the top. */
  scope: string;
}
export interface ListenerPart {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  /** As the controller reported it in the Gateway's status. */
  attachedRoutes?: number;
  routes: ListenerRoute[];
}
export interface GatewayPart {
  namespace: string;
  name: string;
  className: string;
  controller?: string;
  addresses: string[];
  listeners: ListenerPart[];
  /** Routes naming this Gateway that none of its listeners takes (a sectionName it lacks, no hostname in common). */
  unattached: ListenerRoute[];
}

type Input = { gateways?: Gateway[]; gatewayClasses?: GatewayClass[]; httpRoutes: HTTPRoute[] };

const arr = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
// Raw JSON, as in the listing: an object without a usable name is skipped rather than breaking the tree.
const named = <T extends { metadata: { name: string; namespace?: string } }>(list: T[] | undefined): T[] =>
  arr(list).filter(
    (o) =>
      !!o &&
      typeof o === 'object' &&
      !!o.metadata &&
      typeof o.metadata.name === 'string' &&
      (o.metadata.namespace === undefined || typeof o.metadata.namespace === 'string'),
  );
// HTTPRoutes attach to HTTP and HTTPS listeners only; a TLS or TCP listener is shown with no routes.
const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTPS']);

/** A failed condition in a few words, for a tree description: "not accepted: NotAllowedByListeners". */
export function problemText(f: FailedCondition): string {
  if (f.type === 'Accepted')
    return f.status === undefined
      ? 'not accepted yet: no status from the controller'
      : `not accepted: ${f.reason ?? f.status}`;
  return `references not resolved: ${f.reason ?? f.status}`;
}

/**
 * The Gateways with their listeners and the routes under each. `entries` is the (possibly namespace-filtered)
 * listing: a route without an entry there is not shown. With no Gateway API CRDs the snapshot has no Gateways,
 * and so the result is empty: the tree then shows no Gateways part at all.
 */
export function buildGatewayParts(s: Input, entries: readonly RouteEntry[]): GatewayPart[] {
  const gateways = named(s.gateways);
  const index = new GatewayIndex(gateways, named(s.gatewayClasses));
  const parts = new Map<string, GatewayPart>();
  for (const gw of gateways) {
    const ns = gw.metadata.namespace ?? 'default';
    const reported = new Map(
      arr(gw.status?.listeners)
        .filter((l) => !!l && typeof l === 'object')
        .map((l) => [l.name, l.attachedRoutes]),
    );
    const part: GatewayPart = {
      namespace: ns,
      name: gw.metadata.name,
      className: str(gw.spec?.gatewayClassName) ?? '',
      addresses: gatewayAddresses(gw),
      listeners: listenersOf(gw).map((l) => {
        const out: ListenerPart = { name: l.name, port: l.port, protocol: l.protocol, routes: [] };
        if (str(l.hostname)) out.hostname = l.hostname;
        const n = reported.get(l.name);
        if (Number.isInteger(n)) out.attachedRoutes = n;
        return out;
      }),
      unattached: [],
    };
    const controller = index.controllerOf(gw);
    if (controller) part.controller = controller;
    parts.set(`${ns}/${gw.metadata.name}`, part);
  }

  const byName = new Map(entries.filter((e) => e.kind === 'HTTPRoute').map((e) => [`${e.namespace}/${e.name}`, e]));
  for (const route of named(s.httpRoutes)) {
    const entry = byName.get(`${route.metadata.namespace ?? 'default'}/${route.metadata.name}`);
    if (!entry) continue;
    const hosts = arr(route.spec?.hostnames).filter((h): h is string => typeof h === 'string');
    for (const a of index.attachments(route)) {
      const part = parts.get(`${a.parent.gateway.namespace}/${a.parent.gateway.name}`);
      if (!part) continue;
      const section = str(a.ref.sectionName);
      const port = Number.isInteger(a.ref.port) ? a.ref.port : undefined;
      // Gateway API's attachment: the named listener (or every one), on the given port, whose hostname meets one
      // of the route's. A refused route is still shown where it asked to be, so the reason is seen in place.
      const fit = part.listeners.filter(
        (l) =>
          HTTP_PROTOCOLS.has(l.protocol) &&
          (!section || l.name === section) &&
          (port === undefined || l.port === port) &&
          (!hosts.length || hosts.some((h) => hostnamesIntersect(h, l.hostname))),
      );
      const gwScope = `Gateway/${part.namespace}/${part.name}/`;
      const place = (list: ListenerRoute[], scope: string) => {
        // Two parentRefs of one route may land on the same listener: show it once.
        if (list.some((r) => r.entry === entry)) return;
        const r: ListenerRoute = { entry, parent: a.parent, scope };
        if (a.failed) r.problem = problemText(a.failed);
        list.push(r);
      };
      if (!fit.length) place(part.unattached, `${gwScope}-/`);
      for (const l of fit) place(l.routes, `${gwScope}${l.name}/`);
    }
  }
  const byRoute = (a: ListenerRoute, b: ListenerRoute) =>
    a.entry.namespace.localeCompare(b.entry.namespace) || a.entry.name.localeCompare(b.entry.name);
  for (const p of parts.values()) {
    p.unattached.sort(byRoute);
    for (const l of p.listeners) l.routes.sort(byRoute);
  }
  return [...parts.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
