// HTTPRoute matches as requests: the request a probe sends for a match (its path, headers, query parameters and
// method, exactly), and the Gateway API's rule for whether a request satisfies a match.
import type { Match } from '../kube/routes';
import { pathMatches } from './choose';

export interface MatchSpec {
  path: string;
  pathType: string;
  matches?: Match;
}

export interface RouteRequest {
  method?: string;
  /** The path, with the match's query parameters when it has any. */
  path: string;
  headers: Record<string, string>;
}

/** What a match needs that a request cannot be built from: a regex path or header without a user value. */
export function unbuildable(m: MatchSpec): string | undefined {
  if (m.pathType !== 'Exact' && m.pathType !== 'PathPrefix' && m.pathType !== 'Prefix')
    return `path type ${m.pathType}: give --path`;
  const h = m.matches?.headers?.find((x) => x.type !== 'Exact');
  if (h) return `header ${h.name} is matched by ${h.type}: give -H '${h.name}: …'`;
  const q = m.matches?.queryParams?.find((x) => x.type !== 'Exact');
  if (q) return `query parameter ${q.name} is matched by ${q.type}: give --path with it`;
  return undefined;
}

/** The request for a match: the prefix or exact path, plus exactly the headers, parameters and method it requires. */
export function requestForMatch(
  m: MatchSpec,
  given: { path?: string; headers?: Record<string, string> } = {},
): RouteRequest {
  let path = given.path ?? m.path;
  const have = new Set(Object.keys(given.headers ?? {}).map((k) => k.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const h of m.matches?.headers ?? [])
    if (!have.has(h.name.toLowerCase()) && h.type === 'Exact') headers[h.name] = h.value;
  const params = (m.matches?.queryParams ?? []).filter((q) => q.type === 'Exact' && !queryOf(path).has(q.name));
  if (params.length) {
    const qs = params.map((q) => `${encodeURIComponent(q.name)}=${encodeURIComponent(q.value)}`).join('&');
    path += (path.includes('?') ? (path.endsWith('?') || path.endsWith('&') ? '' : '&') : '?') + qs;
  }
  const out: RouteRequest = { path, headers };
  if (m.matches?.method) out.method = m.matches.method;
  return out;
}

function queryOf(path: string): Map<string, string> {
  const i = path.indexOf('?');
  const out = new Map<string, string>();
  if (i < 0) return out;
  for (const kv of path.slice(i + 1).split('&')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    const k = dec(eq < 0 ? kv : kv.slice(0, eq));
    // The first value of a repeated parameter is the one the Gateway API matches.
    if (!out.has(k)) out.set(k, dec(eq < 0 ? '' : kv.slice(eq + 1)));
  }
  return out;
}

/** The Gateway API's test: path (by type), every header (names case-insensitive), every query parameter, method. */
export function matchAccepts(
  m: MatchSpec,
  req: { method: string; path: string; headers: Record<string, string> },
): boolean {
  if (!pathMatches(m, req.path)) return false;
  if (m.matches?.method && m.matches.method !== req.method) return false;
  const lower = new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const h of m.matches?.headers ?? []) {
    const v = lower.get(h.name.toLowerCase());
    if (v === undefined || !valueMatches(h.type, h.value, v)) return false;
  }
  const q = queryOf(req.path);
  for (const p of m.matches?.queryParams ?? []) {
    const v = q.get(p.name);
    if (v === undefined || !valueMatches(p.type, p.value, v)) return false;
  }
  return true;
}

function valueMatches(type: string, want: string, got: string): boolean {
  if (type === 'Exact') return want === got;
  try {
    return new RegExp(`^(?:${want})$`).test(got);
  } catch {
    return false;
  }
}
