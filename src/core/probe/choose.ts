// Which host and path a probe uses (docs/ARCHITECTURE.md, "Probes"): one host+path is probed there; anything else needs a choice.
import { UsageError } from '../errors';
import type { Backend, RouteEntry, RoutePath } from '../kube/routes';
import { linearRegex } from '../sourcemap/routing/linear-regex';

export interface ProbeChoice {
  host: string;
  path: string;
  route?: RoutePath;
  ruleHost: string | null;
  backend?: Backend;
  viaDefaultBackend?: boolean;
}

export interface Candidate {
  host: string | null;
  path: string;
  pathType: string;
  probeable: boolean;
  why?: string;
}

export function candidates(e: RouteEntry): Candidate[] {
  const out: Candidate[] = [];
  for (const r of e.rules) {
    for (const p of r.paths) {
      const wildcard = r.host === null || r.host.startsWith('*');
      const literalPath = p.pathType === 'Exact' || p.pathType === 'Prefix' || p.pathType === 'PathPrefix';
      const why = wildcard
        ? 'the host is a wildcard or missing: give --host'
        : !literalPath
          ? `pathType ${p.pathType}: give --path`
          : undefined;
      out.push({ host: r.host, path: p.path, pathType: p.pathType, probeable: !why, why });
    }
  }
  return out;
}

const describe = (c: Candidate) =>
  `--host ${c.host ?? '<any>'} --path ${c.path}  (${c.pathType}${c.why ? `; ${c.why}` : ''})`;

export function hostMatches(ruleHost: string | null, host: string): boolean {
  if (ruleHost === null) return true;
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.');
  }
  return ruleHost.toLowerCase() === host.toLowerCase();
}

export function pathMatches(p: { path: string; pathType: string }, path: string): boolean {
  const bare = path.split('?')[0];
  switch (p.pathType) {
    case 'Exact':
      return bare === p.path;
    case 'Prefix':
    case 'PathPrefix': {
      if (p.path === '/') return true;
      const prefix = p.path.replace(/\/+$/, '');
      return bare === prefix || bare.startsWith(prefix + '/');
    }
    case 'RegularExpression': {
      // A route's regex is a cluster object: linear time, and not matched when it cannot be evaluated.
      const re = linearRegex(`^${p.path}`);
      return 'test' in re && re.test(bare) === true;
    }
    default:
      return bare.startsWith(p.path); // ImplementationSpecific: ingress-nginx treats it as a prefix
  }
}

/** Resolves the probe's host and path, throwing UsageError (exit 2) with the candidates when a choice is needed. */
export function choose(e: RouteEntry, opts: { host?: string; path?: string }): ProbeChoice {
  const cands = candidates(e);
  if (!opts.host && !opts.path) {
    if (cands.length === 1 && cands[0].probeable) return pick(e, cands[0].host as string, cands[0].path);
    if (!cands.length)
      throw new UsageError(
        `${e.kind} ${e.namespace}/${e.name} has no rules${e.defaultBackend ? ' (only a default backend)' : ''}: give --host and --path`,
      );
    throw new UsageError(
      `${e.kind} ${e.namespace}/${e.name} has ${cands.length} host/path candidates; choose one`,
      'add --host and --path, e.g. one of the lines above',
      cands.map(describe),
    );
  }
  const hosts = [...new Set(cands.map((c) => c.host))];
  let host = opts.host;
  if (!host) {
    const concrete = hosts.filter((h): h is string => !!h && !h.startsWith('*'));
    if (concrete.length !== 1)
      throw new UsageError(
        `give --host: ${e.namespace}/${e.name} has ${concrete.length ? 'several hosts' : 'no literal host'}`,
        undefined,
        cands.map(describe),
      );
    host = concrete[0];
  }
  let path = opts.path;
  if (!path) {
    const forHost = cands.filter(
      (c) =>
        hostMatches(c.host, host!) &&
        (c.pathType === 'Exact' || c.pathType === 'Prefix' || c.pathType === 'PathPrefix'),
    );
    if (forHost.length !== 1)
      throw new UsageError(
        `give --path: host ${host} has ${forHost.length || 'no'} literal paths`,
        undefined,
        cands.filter((c) => hostMatches(c.host, host!)).map(describe),
      );
    path = forHost[0].path;
  }
  if (!path.startsWith('/')) throw new UsageError(`--path must start with "/" (got "${path}")`);
  return pick(e, host, path);
}

function pick(e: RouteEntry, host: string, path: string): ProbeChoice {
  // Exact rules win over prefixes; the longest prefix wins, as in ingress-nginx.
  const matches = e.rules
    .filter((r) => hostMatches(r.host, host))
    .flatMap((r) => r.paths.filter((p) => pathMatches(p, path)).map((p) => ({ r, p })))
    .sort(
      (a, b) =>
        Number(b.p.pathType === 'Exact') - Number(a.p.pathType === 'Exact') || b.p.path.length - a.p.path.length,
    );
  const m = matches[0];
  if (m) return { host, path, route: m.p, ruleHost: m.r.host, backend: m.p.backends[0] };
  return { host, path, ruleHost: null, backend: e.defaultBackend, viaDefaultBackend: true };
}
