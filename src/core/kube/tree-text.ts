// What the cluster tree's Gateway API nodes say (labels, descriptions, Markdown tooltips) and the contextValues
// that decide which menus they get. Kept here, not in src/vscode, so unit tests can check them against package.json.
import type { GatewayPart, ListenerPart, ListenerRoute } from './gateway-nodes';
import type { RouteEntry, RoutePath } from './routes';

export interface NodeText {
  label: string;
  description: string;
  /** Markdown, untrusted: the adapter renders it with commands and HTML off. */
  tooltip: string;
}

type Level = 'entry' | 'rule' | 'path';
const PROBEABLE: Record<RouteEntry['kind'], Record<Level, string>> = {
  Ingress: { entry: 'kubetrace.ingress', rule: 'kubetrace.rule', path: 'kubetrace.path' },
  HTTPRoute: { entry: 'kubetrace.httproute', rule: 'kubetrace.routeRule', path: 'kubetrace.routePath' },
};

/**
 * The contextValue of a route's node. A route its Gateway refused gets one that no probe menu matches (they match
 * `^kubetrace\.(ingress|rule|path)\b`, and would still not if they learned `httproute`), so it cannot be probed.
 */
export function routeContext(kind: RouteEntry['kind'], level: Level, blocked = false): string {
  return blocked ? `kubetrace.unprobeable.${level}` : PROBEABLE[kind][level];
}

export function gatewaysGroupText(parts: readonly GatewayPart[]): NodeText {
  return {
    label: 'Gateways',
    description: `${parts.length}`,
    tooltip: `**Gateway API**: ${parts.length} Gateway(s), each with its listeners and the HTTPRoutes attached to them`,
  };
}

export function gatewayText(p: GatewayPart): NodeText {
  return {
    label: p.name,
    description: [p.namespace, p.className, p.controller, p.addresses.join(', ')].filter(Boolean).join(' · '),
    tooltip: [
      `**Gateway** ${p.namespace}/${p.name}`,
      `Class: ${p.className || '(none)'}${p.controller ? ` (${p.controller})` : ' (no GatewayClass found)'}`,
      p.addresses.length ? `Address: ${p.addresses.join(', ')}` : 'No address in its status',
      `Listeners: ${p.listeners.map((l) => `${l.name} ${l.port}/${l.protocol}`).join(', ') || 'none'}`,
      p.unattached.length
        ? `${p.unattached.length} route(s) name this Gateway but attach to none of its listeners (shown below them)`
        : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
  };
}

export function listenerText(l: ListenerPart): NodeText {
  const shown = l.routes.length;
  return {
    label: l.name,
    description: `${l.hostname ?? '*'} · ${l.port}/${l.protocol}`,
    tooltip: [
      `**Listener** ${l.name}`,
      `Hostname: ${l.hostname ?? '* (any host)'}`,
      `Port ${l.port}, protocol ${l.protocol}`,
      l.attachedRoutes === undefined
        ? `${shown} route(s) here; the controller reported no count`
        : `The controller counts ${l.attachedRoutes} attached route(s); ${shown} shown here`,
    ].join('\n\n'),
  };
}

/** What a route under a Gateway adds to its entry's description and tooltip: where it attaches, and any refusal. */
export function listenerRouteText(r: ListenerRoute): { description?: string; tooltip: string } {
  const gw = `${r.parent.gateway.namespace}/${r.parent.gateway.name}`;
  const where = r.parent.sectionName ? `${gw}, listener ${r.parent.sectionName}` : gw;
  if (!r.problem) return { tooltip: `Attached to Gateway ${where}` };
  return {
    description: r.problem,
    tooltip:
      `**Not probed**: Gateway ${where} does not serve this route (${r.problem}).` +
      `${r.parent.reason ? `\n\n${r.parent.reason}` : ''}`,
  };
}

/** A path node's description: the path type, and for an HTTPRoute match the headers, query and method it needs. */
export function matchText(p: RoutePath): string {
  const m = p.matches;
  const parts = [
    p.pathType,
    ...(m?.headers ?? []).map((h) => `header ${h.name}${h.type === 'Exact' ? '=' : '~'}${h.value}`),
    ...(m?.queryParams ?? []).map((q) => `query ${q.name}${q.type === 'Exact' ? '=' : '~'}${q.value}`),
    ...(m?.method ? [m.method] : []),
  ];
  return parts.join(' · ');
}
