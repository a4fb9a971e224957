// Turns one Gateway's accepted HTTPRoutes into the servers, locations, upstreams and split_clients that NGINX
// Gateway Fabric generates (internal/controller/state/dataplane and internal/controller/nginx/config in
// nginx/nginx-gateway-fabric): one server per listener port and hostname, a location per path, upstreams named
// <namespace>_<service>_<port>, weighted backends through split_clients on $request_id. The renderer prints it.
import { hostnamesIntersect } from '../../core/kube/gateway-tree';
import type { KubeObject, ObjectStore } from '../store';
import { resolveUpstream, type UpstreamServer } from '../nginx/model';
import { attachments, listeners, routeHostnames, type GwListener } from './attach';

export const INVALID_BACKEND = 'invalid-backend-ref';

export interface GwUpstream {
  name: string;
  servers: UpstreamServer[];
  missing?: string; // why there are no servers: NGF sends those requests to its 503 server
}
export interface Condition {
  kind: 'header' | 'query' | 'method';
  name: string;
  value: string;
  regex: boolean;
}
/** One HTTPRoute match on a path: its conditions, and where it sends the request. */
export interface PathMatch {
  route: string; // namespace/name
  rule: number;
  conditions: Condition[];
  /** An upstream name, a split_clients variable (`$group_...`), or INVALID_BACKEND. */
  target: string;
  /** NGF's internal location for this rule when the path has conditional matches. */
  internal: string;
  created: string;
}
export interface GwLocation {
  path: string;
  exact: boolean;
  matches: PathMatch[]; // in Gateway API precedence order
}
export interface GwServer {
  port: number;
  ssl: boolean;
  hostname: string;
  listener: string;
  locations: GwLocation[];
}
export interface Split {
  variable: string;
  parts: { percent: string; target: string }[];
}
export interface GatewayModel {
  gateway: string;
  ports: { port: number; ssl: boolean; listener: GwListener }[];
  servers: GwServer[];
  upstreams: GwUpstream[];
  splits: Split[];
}

interface Rule {
  matches?: {
    path?: { type?: string; value?: string };
    headers?: { name: string; value: string; type?: string }[];
    queryParams?: { name: string; value: string; type?: string }[];
    method?: string;
  }[];
  backendRefs?: { name: string; port?: number; weight?: number; namespace?: string }[];
}

// Values that reach nginx.conf: a path or header value with these characters could change the config's meaning.
const SAFE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,=:@%/]*$/;
const SAFE_VALUE = /^[A-Za-z0-9\-._~!$&'()*+,=:@%/ ]*$/;
const safeVar = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

export function buildGatewayModel(store: ObjectStore, gateway: KubeObject): GatewayModel {
  const gwKey = `${gateway.metadata.namespace}/${gateway.metadata.name}`;
  const attached = attachments(store).filter((a) => a.gateway === gateway && a.accepted.status === 'True');
  const upstreams = new Map<string, GwUpstream>();
  const splits: Split[] = [];
  // NGF: a backendRef that does not resolve (no such Service or port) is invalid and answered with 500; a Service
  // without ready endpoints keeps its upstream, which points at the 503 server.
  const upstreamFor = (ns: string, svc: string, port: number): string => {
    const name = `${ns}_${svc}_${port}`;
    if (!upstreams.has(name)) {
      const u = resolveUpstream(store, name, ns, svc, port);
      if (u.missing?.startsWith('service ')) return INVALID_BACKEND;
      upstreams.set(name, { name, servers: u.servers, ...(u.missing ? { missing: u.missing } : {}) });
    }
    return name;
  };
  const servers = new Map<string, GwServer>();
  for (const a of attached) {
    const ns = a.route.metadata.namespace!;
    // The Gateway API allows at most 16 rules per HTTPRoute; a stored object beyond that is cut, not trusted.
    const rules = ((a.route.spec as { rules?: Rule[] } | undefined)?.rules ?? []).slice(0, 16);
    const routeKey = `${ns}/${a.route.metadata.name}`;
    for (const l of a.listeners) {
      const hosts = routeHostnames(a.route).filter((h) => hostnamesIntersect(h, l.hostname));
      // A route without hostnames takes the listener's; with a wildcard listener, the route's narrower name.
      const names = hosts.length ? hosts.map((h) => narrower(h, l.hostname)) : [l.hostname ?? '~^'];
      for (const hostname of names) {
        const key = `${l.port}/${hostname}`;
        if (!servers.has(key))
          servers.set(key, { port: l.port, ssl: l.protocol === 'HTTPS', hostname, listener: l.name, locations: [] });
        const server = servers.get(key)!;
        rules.forEach((rule, ri) => {
          const target = targetFor(rule, ns, a.route.metadata.name, ri, upstreamFor, splits);
          const matches = rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
          for (const m of matches) {
            const type = m.path?.type ?? 'PathPrefix';
            const value = m.path?.value ?? '/';
            if ((type !== 'PathPrefix' && type !== 'Exact') || !SAFE_PATH.test(value)) continue;
            const conditions = conditionsOf(m);
            if (!conditions) continue;
            const match = (internalIndex: number): PathMatch => ({
              route: routeKey,
              rule: ri,
              conditions,
              target,
              internal: `/_ngf-internal-rule${ri}-route${internalIndex}`,
              created: a.route.metadata.creationTimestamp ?? '',
            });
            for (const loc of locationsFor(value, type)) addMatch(server, loc, match(attached.indexOf(a)));
          }
        });
      }
    }
  }
  for (const s of servers.values()) for (const l of s.locations) l.matches.sort(byPrecedence);
  const ports = new Map<number, { port: number; ssl: boolean; listener: GwListener }>();
  for (const l of listeners(gateway))
    if ((l.protocol === 'HTTP' || l.protocol === 'HTTPS') && !ports.has(l.port))
      ports.set(l.port, { port: l.port, ssl: l.protocol === 'HTTPS', listener: l });
  return {
    gateway: gwKey,
    ports: [...ports.values()].sort((x, y) => x.port - y.port),
    servers: [...servers.values()].sort((x, y) => x.port - y.port || x.hostname.localeCompare(y.hostname)),
    upstreams: [...upstreams.values()].sort((x, y) => x.name.localeCompare(y.name)),
    splits,
  };
}

function narrower(route: string, listener: string | undefined): string {
  if (!listener || !route.startsWith('*.')) return route;
  return listener.startsWith('*.') && listener.length > route.length ? listener : route;
}

/** NGF: PathPrefix /p is `location /p/` plus `location = /p`; Exact /p is `location = /p`. */
function locationsFor(value: string, type: string): { path: string; exact: boolean }[] {
  if (type === 'Exact') return [{ path: value, exact: true }];
  if (value === '/') return [{ path: '/', exact: false }];
  const base = value.endsWith('/') ? value.slice(0, -1) : value;
  return [
    { path: `${base}/`, exact: false },
    { path: base, exact: true },
  ];
}

function conditionsOf(m: NonNullable<Rule['matches']>[number]): Condition[] | undefined {
  const out: Condition[] = [];
  for (const h of m.headers ?? []) {
    if (!/^[A-Za-z0-9-]+$/.test(h.name) || !SAFE_VALUE.test(h.value)) return undefined;
    out.push({ kind: 'header', name: h.name, value: h.value, regex: h.type === 'RegularExpression' });
  }
  for (const q of m.queryParams ?? []) {
    if (!/^[A-Za-z0-9_]+$/.test(q.name) || !SAFE_VALUE.test(q.value)) return undefined;
    out.push({ kind: 'query', name: q.name, value: q.value, regex: q.type === 'RegularExpression' });
  }
  if (m.method) {
    if (!/^[A-Z]+$/.test(m.method)) return undefined;
    out.push({ kind: 'method', name: 'method', value: m.method, regex: false });
  }
  return out;
}

function targetFor(
  rule: Rule,
  ns: string,
  route: string,
  ri: number,
  upstreamFor: (ns: string, svc: string, port: number) => string,
  splits: Split[],
): string {
  const refs = (rule.backendRefs ?? []).map((b) => ({
    target:
      (b.namespace ?? ns) === ns && Number.isInteger(b.port) && /^[a-z0-9-]+$/.test(b.name)
        ? upstreamFor(ns, b.name, b.port!)
        : INVALID_BACKEND,
    weight: b.weight ?? 1,
  }));
  if (refs.length === 0) return INVALID_BACKEND;
  if (refs.length === 1) return refs[0].weight > 0 ? refs[0].target : INVALID_BACKEND;
  // NGF's split: each backend's share floored to two decimals, the last one takes the rest.
  const total = refs.reduce((n, r) => n + r.weight, 0);
  const variable = safeVar(`group_${ns}__${route}_rule${ri}`);
  if (!splits.some((s) => s.variable === variable)) {
    let left = 100;
    const parts = refs.map((r, i) => {
      const pct = i === refs.length - 1 ? left : Math.floor((r.weight * 10000) / Math.max(total, 1)) / 100;
      left -= pct;
      return { percent: pct.toFixed(2), target: r.target };
    });
    splits.push({ variable, parts: total ? parts : [{ percent: '100.00', target: INVALID_BACKEND }] });
  }
  return `$${variable}`;
}

function addMatch(server: GwServer, loc: { path: string; exact: boolean }, m: PathMatch): void {
  let l = server.locations.find((x) => x.path === loc.path && x.exact === loc.exact);
  if (!l) {
    l = { ...loc, matches: [] };
    server.locations.push(l);
  }
  l.matches.push(m);
}

// Gateway API precedence among matches on one path: a method match, then more header matches, then more query
// matches, then the oldest route, then the route's name, then the rule order.
function byPrecedence(a: PathMatch, b: PathMatch): number {
  const count = (m: PathMatch, k: Condition['kind']) => m.conditions.filter((c) => c.kind === k).length;
  return (
    count(b, 'method') - count(a, 'method') ||
    count(b, 'header') - count(a, 'header') ||
    count(b, 'query') - count(a, 'query') ||
    a.created.localeCompare(b.created) ||
    a.route.localeCompare(b.route) ||
    a.rule - b.rule
  );
}
