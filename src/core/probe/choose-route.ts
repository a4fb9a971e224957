// Which request a probe of an HTTPRoute sends (README.md, "The CLI"): a hostname the route and its
// listener both accept, one match (several: a choice), and the headers, query parameters and method it needs.
import { UsageError } from '../errors';
import { hostnamesIntersect } from '../kube/gateway-tree';
import type { RouteEntry, RouteParent, RoutePath } from '../kube/routes';
import { hostMatches, pathMatches, type ProbeChoice } from './choose';
import { matchAccepts, requestForMatch, unbuildable } from './route-match';

interface Cand {
  host: string | null;
  p: RoutePath;
}

export interface RouteChoiceInput {
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
}

/** The route's hostnames narrowed by the listener's; no hostnames on either side is "any host" (null). */
export function routeHosts(e: RouteEntry, parent: RouteParent | undefined): (string | null)[] {
  const listenerHost = parent?.listener?.hostname;
  const own = e.rules.map((r) => r.host);
  if (own.every((h) => h === null)) return [listenerHost ?? null];
  return own.filter((h) => hostnamesIntersect(h ?? undefined, listenerHost));
}

const describe = (c: Cand) => {
  const m = c.p.matches;
  const extras = [
    ...(m?.method ? [`-X ${m.method}`] : []),
    ...(m?.headers ?? []).map((h) => `-H '${h.name}: ${h.type === 'Exact' ? h.value : '…'}'`),
  ];
  const why =
    unbuildable(c.p) ?? (!c.host || c.host.startsWith('*') ? 'the host is a wildcard or missing: give --host' : '');
  const q = (m?.queryParams ?? []).map((x) => `${x.name}=${x.value}`).join('&');
  return (
    `--host ${c.host ?? '<any>'} --path ${c.p.path}${q ? `?${q}` : ''}` +
    `${extras.length ? ` ${extras.join(' ')}` : ''}  (${c.p.pathType}${why ? `; ${why}` : ''})`
  );
};

// Gateway API precedence among matches that all accept a request: Exact path, then the longest path, then a
// method match, then the most header matches, then the most query matches.
const rank = (c: Cand): number[] => [
  Number(c.p.pathType === 'Exact'),
  c.p.path.length,
  Number(!!c.p.matches?.method),
  c.p.matches?.headers?.length ?? 0,
  c.p.matches?.queryParams?.length ?? 0,
];
const byPrecedence = (a: Cand, b: Cand) => {
  const x = rank(a),
    y = rank(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i] - x[i];
  return 0;
};

export function chooseRouteMatch(
  e: RouteEntry,
  parent: RouteParent | undefined,
  opts: RouteChoiceInput,
): ProbeChoice & { method?: string; headers: Record<string, string> } {
  const hosts = routeHosts(e, parent);
  const paths = e.rules[0]?.paths ?? [];
  const cands: Cand[] = hosts.flatMap((host) => paths.map((p) => ({ host, p })));
  if (!cands.length)
    throw new UsageError(`HTTPRoute ${e.namespace}/${e.name} has no hostname its listener accepts`, undefined, [
      ...new Set(e.rules.map((r) => r.host ?? '<any>')),
    ]);
  const list = () => cands.map(describe);
  let host = opts.host;
  if (!host) {
    const concrete = [...new Set(hosts.filter((h): h is string => !!h && !h.startsWith('*')))];
    if (concrete.length !== 1)
      throw new UsageError(
        `give --host: ${e.namespace}/${e.name} has ${concrete.length ? 'several hostnames' : 'no literal hostname'}`,
        undefined,
        list(),
      );
    host = concrete[0];
  }
  const forHost = cands.filter((c) => hostMatches(c.host, host!));
  if (!forHost.length)
    throw new UsageError(`HTTPRoute ${e.namespace}/${e.name} does not accept host ${host}`, undefined, list());
  const userHeaders = opts.headers ?? {};
  let path = opts.path;
  if (!path) {
    const literal = [...new Set(forHost.filter((c) => !unbuildable(c.p)).map((c) => c.p.path))];
    if (literal.length !== 1)
      throw new UsageError(
        `${e.kind} ${e.namespace}/${e.name} has ${literal.length ? `${forHost.length} matches` : 'no literal path'}; choose one`,
        'add --path (and the headers shown), e.g. one of the lines above',
        forHost.map(describe),
      );
    path = literal[0];
  }
  if (!path.startsWith('/')) throw new UsageError(`--path must start with "/" (got "${path}")`);
  const method = opts.method?.toUpperCase();
  // First the matches the request already satisfies as given; else the ones it can satisfy with what they add.
  const asGiven = forHost
    .filter((c) => matchAccepts(c.p, { method: method ?? 'GET', path: path!, headers: userHeaders }))
    .sort(byPrecedence);
  let chosen = asGiven[0];
  if (!chosen) {
    const addable = forHost.filter((c) => {
      if (!pathMatches(c.p, path!) || unbuildable(c.p)) return false;
      if (method && c.p.matches?.method && c.p.matches.method !== method) return false;
      const built = requestForMatch(c.p, { path, headers: userHeaders });
      return matchAccepts(c.p, {
        method: built.method ?? method ?? 'GET',
        path: built.path,
        headers: { ...built.headers, ...userHeaders },
      });
    });
    if (addable.length !== 1)
      throw new UsageError(
        `no single match of ${e.namespace}/${e.name} fits ${method ?? 'GET'} ${host}${path}; choose one`,
        'add the headers, query or method of one of the lines above',
        (addable.length ? addable : forHost).map(describe),
      );
    chosen = addable[0];
  }
  const built = requestForMatch(chosen.p, { path, headers: userHeaders });
  return {
    host,
    path: built.path,
    route: chosen.p,
    ruleHost: chosen.host,
    backend: pickBackend(chosen.p),
    headers: built.headers,
    ...(built.method ? { method: built.method } : {}),
  };
}

/** A weighted rule sends each request to one backend; the probe names the first with traffic (weight > 0). */
function pickBackend(p: RoutePath) {
  return p.backends.find((b) => b.weight === undefined || b.weight > 0) ?? p.backends[0];
}
