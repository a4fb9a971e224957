// Which Ingress rule served a request, by host and path, as ingress-nginx decides it: every Ingress with the same host
// is merged into one nginx server (exact host, then wildcard, then the host-less catch-all); inside it Exact paths win,
// then the longest matching path (Prefix by whole path elements, ImplementationSpecific as an nginx string prefix, or
// a case-insensitive regex under use-regex). $proxy_upstream_name (<ns>-<svc>-<port>) settles what host/path cannot.
// Regex paths come from any tenant's Ingress: they are tested only for rules of the request's host (or an agreeing
// upstream), in linear time; one that cannot be evaluated is named in the match, never guessed.
import type { Ingress, IngressBackend, IngressPath, IngressRule } from '../../kube/objects';
import { linearRegex, type LinearRegex } from './linear-regex';

export interface RequestFacts {
  host?: string;
  path?: string;
  upstream?: string;
  ingressName?: string;
  namespace?: string;
}
export interface RuleMatch {
  ingress: Ingress;
  kind: 'path' | 'defaultBackend';
  rule?: number;
  path?: number;
  host?: string | null;
  pathValue?: string;
  pathType?: string;
  confidence: 'high' | 'medium' | 'low';
  why: string;
  /** Regex paths of candidate rules that were not evaluated (unsupported syntax, over the work budget), and why. */
  notEvaluated?: string[];
}

export const upstreamName = (ns: string | undefined, b: IngressBackend | undefined): string | undefined => {
  const s = b?.service;
  if (!s?.name) return undefined;
  const port = s.port?.number ?? s.port?.name;
  return `${ns ?? ''}-${s.name}-${port ?? ''}`;
};
/** Does a backend produce this $proxy_upstream_name? Some docs add an "upstream-" prefix; a manifest may lack a namespace. */
export function sameUpstream(
  actual: string | undefined,
  ns: string | undefined,
  b: IngressBackend | undefined,
): boolean {
  if (!actual) return false;
  const want = upstreamName(ns, b);
  if (!want) return false;
  const a = actual.replace(/^upstream-/, '');
  return ns ? a === want : a.endsWith(want);
}

// Objects come from YAML files and the API: any field may be of the wrong type.
const arr = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);

function hostLevel(ruleHost: string | null | undefined, host: string): number {
  if (!ruleHost) return 1;
  if (typeof ruleHost !== 'string') return 0;
  const rh = ruleHost.toLowerCase();
  if (rh === host) return 3;
  if (rh.startsWith('*.')) {
    const suffix = rh.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length ? 2 : 0;
  }
  return 0;
}

interface Entry {
  r: number;
  p: number;
  rule: IngressRule;
  entry: IngressPath;
  path: string;
  type: string;
  segs: string[];
  /** Set for regex paths: the compiled matcher, or why the pattern is not evaluated. */
  regex?: LinearRegex | { notEvaluated: string };
}
// Objects are matched against thousands of spans: split paths and build regexes once per object.
const compiled = new WeakMap<Ingress, Entry[]>();
function entriesOf(ing: Ingress): Entry[] {
  let out = compiled.get(ing);
  if (out) return out;
  out = [];
  const useRegex = useRegexOf(ing);
  const rules = arr(ing.spec?.rules);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    const paths = arr(rule?.http?.paths);
    for (let p = 0; p < paths.length; p++) {
      const entry = paths[p] ?? {};
      const path = typeof entry.path === 'string' && entry.path ? entry.path : '/';
      const type = typeof entry.pathType === 'string' ? entry.pathType : 'ImplementationSpecific';
      const regex =
        useRegex && type === 'ImplementationSpecific' ? linearRegex('^' + path, { ignoreCase: true }) : undefined;
      out.push({ r, p, rule, entry, path, type, segs: path.split('/').filter(Boolean), regex });
    }
  }
  compiled.set(ing, out);
  return out;
}

/** Length of the match (bigger wins), +10000 for Exact; 0 when the path does not match; a reason when not evaluated. */
function score(e: Entry, reqPath: string, reqSegs: string[]): number | string {
  if (e.type === 'Exact') return reqPath === e.path ? 10000 + e.path.length : 0;
  if (e.type === 'Prefix') {
    if (e.segs.length > reqSegs.length) return 0;
    for (let i = 0; i < e.segs.length; i++) if (e.segs[i] !== reqSegs[i]) return 0;
    return e.path.length + 1;
  }
  if (e.regex) {
    const r = 'test' in e.regex ? e.regex.test(reqPath) : e.regex;
    return typeof r === 'object' ? r.notEvaluated : r ? e.path.length + 1 : 0;
  }
  return reqPath.startsWith(e.path) ? e.path.length + 1 : 0;
}

const useRegexOf = (ing: Ingress) => {
  const a = ing.metadata?.annotations && typeof ing.metadata.annotations === 'object' ? ing.metadata.annotations : {};
  return a['nginx.ingress.kubernetes.io/use-regex'] === 'true' || 'nginx.ingress.kubernetes.io/rewrite-target' in a;
};

/** `notEvaluated`, when given, receives the regex paths that could not be tested (also on a null result). */
export function matchIngressRule(
  ingresses: Ingress[],
  req: RequestFacts,
  notEvaluated: string[] = [],
): RuleMatch | null {
  const m = matchRule(ingresses, req, notEvaluated);
  // A rule whose regex was not evaluated might have been the better match: say so, and claim less.
  if (!m || !notEvaluated.length) return m;
  return { ...m, notEvaluated, confidence: m.confidence === 'high' ? 'medium' : m.confidence };
}

function matchRule(ingresses: Ingress[], req: RequestFacts, notEvaluated: string[]): RuleMatch | null {
  let pool = arr(ingresses).filter((i) => i && typeof i === 'object' && typeof i.metadata?.name === 'string');
  if (req.ingressName)
    pool = pool.filter(
      (i) =>
        i.metadata?.name === req.ingressName &&
        (!req.namespace || !i.metadata?.namespace || i.metadata.namespace === req.namespace),
    );
  const host = (req.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const reqPath = (req.path || '/').split('?')[0];
  const upstream = req.upstream && req.upstream !== '-' ? req.upstream : undefined;
  // ingress-nginx's own fallback: no Ingress rule (nor an Ingress defaultBackend) took the request.
  if (upstream === 'upstream-default-backend') return null;

  type Cand = {
    ing: Ingress;
    r: number;
    p: number;
    level: number;
    score: number;
    up: boolean;
    rule: IngressRule;
    entry: IngressPath;
  };
  const cands: Cand[] = [];
  const reqSegs = reqPath.split('/').filter(Boolean);
  for (const ing of pool) {
    for (const e of entriesOf(ing)) {
      // The host first: another host's rule is only worth a path test when the logged upstream is its backend
      // (then the upstream is believed), so one tenant's paths never cost time on another tenant's requests.
      const level = host ? hostLevel(e.rule?.host, host) : 1;
      const up = sameUpstream(upstream, ing.metadata?.namespace, e.entry.backend);
      if (level === 0 && !up) continue;
      const sc = score(e, reqPath, reqSegs);
      if (typeof sc === 'string') {
        notEvaluated.push(`${ing.metadata?.namespace ?? ''}/${ing.metadata?.name} path ${e.path}: ${sc}`);
        continue;
      }
      if (!sc) continue;
      cands.push({ ing, r: e.r, p: e.p, level, score: sc, up, rule: e.rule, entry: e.entry });
    }
  }
  const topLevel = Math.max(0, ...cands.map((c) => c.level));
  const server = topLevel > 0 ? cands.filter((c) => c.level === topLevel) : [];
  server.sort((a, b) => b.score - a.score || Number(b.up) - Number(a.up));
  const toMatch = (c: Cand, confidence: RuleMatch['confidence'], why: string): RuleMatch => ({
    ingress: c.ing,
    kind: 'path',
    rule: c.r,
    path: c.p,
    host: c.rule.host ?? null,
    pathValue: c.entry.path ?? '/',
    pathType: c.entry.pathType ?? 'ImplementationSpecific',
    confidence,
    why,
  });
  const best = server[0];
  if (best && (!upstream || best.up)) {
    const unique = !server[1] || server[1].score < best.score;
    return toMatch(
      best,
      upstream || unique ? 'high' : 'medium',
      best.up ? 'host and path match and the upstream agrees' : 'host and path match (no upstream name to confirm)',
    );
  }
  if (upstream) {
    const agreeing =
      server.find((c) => c.up) ?? cands.filter((c) => c.up).sort((a, b) => b.level - a.level || b.score - a.score)[0];
    if (agreeing)
      return toMatch(agreeing, 'medium', `chosen by $proxy_upstream_name ${upstream}; host/path alone point elsewhere`);
    // Only a default backend can have served it (no rule matched, or the Ingress has no rules).
    for (const ing of pool) {
      if (sameUpstream(upstream, ing.metadata?.namespace, ing.spec?.defaultBackend)) {
        return {
          ingress: ing,
          kind: 'defaultBackend',
          confidence: 'medium',
          why: `no rule matches; ${upstream} is this Ingress's defaultBackend`,
        };
      }
    }
    if (best)
      return toMatch(best, 'low', `host and path match, but the upstream ${upstream} is not this rule's backend`);
    return null;
  }
  // A host some rule names has its own server, whose unmatched paths go to the controller's default backend; only
  // hosts no rule names reach the catch-all server, where an Ingress defaultBackend answers.
  const named = host && pool.some((i) => arr(i.spec?.rules).some((r) => hostLevel(r?.host, host) >= 2));
  const withDefault = pool.filter((i) => i.spec?.defaultBackend);
  if (!named && withDefault.length === 1)
    return {
      ingress: withDefault[0],
      kind: 'defaultBackend',
      confidence: 'low',
      why: "no rule matches; the catch-all server uses this Ingress's defaultBackend",
    };
  return null;
}
