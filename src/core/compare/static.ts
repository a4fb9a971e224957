// The static half of the migration compare (issue 14 §6): what an ingress-nginx Ingress did that the HTTPRoutes
// replacing it do not, read from the objects alone, without sending a request. Objects come from raw cluster JSON:
// a missing or wrong-typed field reads as absent and nothing here throws. Paths come first (in the Ingress's order),
// then the default backend, then ingress-nginx annotations by name (annotations.ts).
import { hostnamesIntersect } from '../kube/gateway-tree';
import type { HTTPRoute, Ingress } from '../kube/objects';
import { pathMatches } from '../probe/choose';
import { annotationGaps } from './annotations';
import { arr, clip, obj, ruleViews, str, type MatchView, type RuleView } from './read';

export interface NotCarriedOver {
  what: string;
  detail: string;
}

export function notCarriedOver(ingress: Ingress, routes: HTTPRoute[]): NotCarriedOver[] {
  const ing = obj(ingress);
  const rules = ruleViews(routes);
  const out: NotCarriedOver[] = [];
  for (const p of ingressPaths(ing)) {
    const gap = pathGap(p, rules);
    if (gap) out.push(gap);
  }
  const fallback = defaultBackendGap(obj(obj(ing?.spec)?.defaultBackend), rules);
  if (fallback) out.push(fallback);
  return [...out, ...annotationGaps(obj(obj(ing?.metadata)?.annotations), rules)];
}

interface IngressPathView {
  host?: string;
  path: string;
  type: string;
  /** ingress-nginx reads ImplementationSpecific paths as regular expressions under use-regex or rewrite-target. */
  regex: boolean;
}

const REGEX_CHARS = /[\^$*+?()[\]{}|\\]/;

function ingressPaths(ing: Record<string, unknown> | undefined): IngressPathView[] {
  const notes = obj(obj(ing?.metadata)?.annotations);
  const regexOn =
    notes?.['nginx.ingress.kubernetes.io/use-regex'] === 'true' ||
    typeof notes?.['nginx.ingress.kubernetes.io/rewrite-target'] === 'string';
  const seen = new Set<string>();
  const out: IngressPathView[] = [];
  for (const rule of arr(obj(ing?.spec)?.rules).map(obj)) {
    const host = str(rule?.host) || undefined;
    for (const p of arr(obj(rule?.http)?.paths).map(obj)) {
      if (!p) continue;
      // ingress-nginx's defaults for what the API server would have defaulted or refused.
      const path = str(p.path) || '/';
      const type = str(p.pathType) ?? 'ImplementationSpecific';
      const key = JSON.stringify([host, path, type]);
      if (seen.has(key)) continue;
      seen.add(key);
      const regex = regexOn && type === 'ImplementationSpecific' && REGEX_CHARS.test(path);
      out.push({ host, path, type, regex });
    }
  }
  return out;
}

// How a route hostname list relates to one Ingress host: serves all of it, only some of it, or none of it.
function hostCover(host: string | undefined, hostnames: string[]): 'all' | string[] {
  if (!hostnames.length || hostnames.some((h) => hostCovers(h.toLowerCase(), host?.toLowerCase()))) return 'all';
  return hostnames.filter((h) => hostnamesIntersect(h, host));
}

// Gateway API wildcards match one or more labels, an Ingress wildcard exactly one: `*.a.b` covers `x.a.b` and
// `*.c.a.b`; an Ingress rule without a host (every host) is covered only by a route without hostnames.
function hostCovers(routeHost: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  if (routeHost === host) return true;
  if (!routeHost.startsWith('*.')) return false;
  return (host.startsWith('*.') ? host.slice(1) : host).endsWith(routeHost.slice(1));
}

type Cover = { kind: 'full' } | { kind: 'partial'; why: string } | { kind: 'unknown' };
const trimSlash = (s: string) => s.replace(/\/+$/, '') || '/';

function pathCover(m: MatchView, p: IngressPathView): Cover | undefined {
  if (m.type !== 'PathPrefix' && m.type !== 'Exact') return { kind: 'unknown' };
  const catchAll = m.type === 'PathPrefix' && trimSlash(m.value) === '/';
  if (p.regex) return catchAll ? { kind: 'full' } : undefined;
  if (!pathMatches({ path: m.value, pathType: m.type }, p.path)) return undefined;
  if (p.type === 'Exact') return { kind: 'full' };
  if (m.type === 'Exact') return { kind: 'partial', why: `for the exact path ${m.value}` };
  // nginx matches an ImplementationSpecific `/a` as a string prefix (also `/ab`), a PathPrefix on whole segments.
  if (p.type !== 'Prefix' && !catchAll && !p.path.endsWith('/') && trimSlash(m.value) === p.path)
    return {
      kind: 'partial',
      why: `on whole path segments (ingress-nginx also matched ${p.path}-x and the like)`,
    };
  return { kind: 'full' };
}

function pathGap(p: IngressPathView, rules: RuleView[]): NotCarriedOver | undefined {
  const partly: string[] = [];
  const regexes: string[] = [];
  const otherHosts = new Set<string>();
  for (const r of rules) {
    const hosts = hostCover(p.host, r.hostnames);
    for (const m of r.matches) {
      const c = pathCover(m, p);
      if (!c) continue;
      if (hosts !== 'all' && !hosts.length) {
        if (c.kind === 'full') r.hostnames.forEach((h) => otherHosts.add(h));
        continue;
      }
      const conds = [...(hosts === 'all' ? [] : [`for host ${hosts.join(' or ')}`]), ...m.conditions];
      if (c.kind === 'full' && !conds.length) return undefined;
      if (c.kind === 'unknown') regexes.push(clip(m.value));
      else partly.push([...(c.kind === 'partial' ? [c.why] : []), ...conds].join(' and '));
    }
  }
  const where = p.host ? `host ${p.host}` : 'every host (the Ingress rule names none)';
  const name = `path ${p.host ?? '*'} ${p.path}`;
  const typed = `${p.type} ${p.path}`;
  if (p.regex && !regexes.length)
    return {
      what: `${name} (regex path on Ingress)`,
      detail:
        `ingress-nginx reads ${p.path} on ${where} as a regular expression and no route rule for it matches every ` +
        'path, so Kubetrace cannot tell which route rule, if any, carries it over.',
    };
  if (regexes.length)
    return {
      what: `${name} (regex match on route)`,
      detail:
        `Whether the route's regular expression ${[...new Set(regexes)].join(' or ')} matches ${typed} on ${where} ` +
        "depends on the Gateway's regex dialect, so Kubetrace cannot tell.",
    };
  if (partly.length)
    return {
      what: `${name} (only partly)`,
      detail:
        `The route carries over ${typed} on ${where} only ${[...new Set(partly)].join(', or ')}; ` +
        'other requests to it match no route rule.',
    };
  const elsewhere = otherHosts.size ? ` (the route has it for ${[...otherHosts].sort().join(', ')} only)` : '';
  return {
    what: name,
    detail: `No HTTPRoute rule for ${where} matches ${typed}${elsewhere}, so the Gateway answers those requests with 404.`,
  };
}

function defaultBackendGap(b: Record<string, unknown> | undefined, rules: RuleView[]): NotCarriedOver | undefined {
  if (!b) return undefined;
  const catchesAll = rules.some(
    (r) =>
      !r.hostnames.length &&
      r.matches.some((m) => m.type === 'PathPrefix' && trimSlash(m.value) === '/' && !m.conditions.length),
  );
  if (catchesAll) return undefined;
  const svc = obj(b.service);
  const port = obj(svc?.port);
  const portName = typeof port?.number === 'number' ? String(port.number) : str(port?.name);
  const res = obj(b.resource);
  const target = str(svc?.name)
    ? `service ${str(svc?.name)}${portName ? `:${portName}` : ''}`
    : str(res?.name)
      ? `${str(res?.kind) ?? 'resource'} ${str(res?.name)}`
      : 'its default backend';
  return {
    what: 'defaultBackend',
    detail:
      `The Ingress sends requests that match none of its rules to ${target}, but no route rule matches every host ` +
      'and path, so the Gateway answers those with 404.',
  };
}
