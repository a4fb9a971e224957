// Finding the route handler for a span that has no code location: its http.route (a template) or its method and path
// (a concrete URL) against the route definitions of the workspace. Candidates are scored, best first; the score says
// how the match was made so the caller can state how sure it is.
import type { Confidence } from './pathmap';
import { extractRoutes, ROUTE_FILE, type RouteDef } from './route-extract';
import { derived, workspaceIndex, type WorkspaceIndex } from './workspace';

export interface RouteQuery {
  route?: string;
  path?: string;
  method?: string;
  names?: string[];
}
export interface RouteHit {
  file: string;
  def: RouteDef;
  score: number;
  how: string;
}

type Seg = { t: 'lit'; v: string } | { t: 'param' } | { t: 'splat' };
const MAX_ROUTE_FILE_BYTES = 512 * 1024;

function seg(s: string): Seg {
  if (
    s === '*' ||
    /^\*\w*$/.test(s) ||
    /^\{\*\w*\}$/.test(s) ||
    /^\{\w+\.\.\.\}$/.test(s) ||
    /^<path:\w+>$/.test(s) ||
    s === '(.*)' ||
    /^:\w+\*$/.test(s)
  )
    return { t: 'splat' };
  if (/^:\w+/.test(s) || /^<(?:\w+:)?\w+>$/.test(s) || /^\{[^}]+\}$/.test(s)) return { t: 'param' };
  return { t: 'lit', v: s };
}
/** "/orders/:id", "/orders/<int:id>", "/orders/{id}" -> segments; the query string and trailing slash are ignored. */
export function templateSegs(pattern: string): Seg[] {
  const p = pattern.split('?')[0].split('#')[0];
  return p.split('/').filter(Boolean).map(seg);
}
const canonical = (segs: Seg[]) =>
  '/' + segs.map((s) => (s.t === 'lit' ? s.v : s.t === 'param' ? '{}' : '{*}')).join('/');

function matchSegs(path: string[], def: Seg[]): { lits: number } | null {
  let lits = 0;
  for (let i = 0; i < def.length; i++) {
    const d = def[i];
    if (d.t === 'splat') return { lits };
    if (i >= path.length) return null;
    if (d.t === 'lit') {
      if (d.v !== path[i]) return null;
      lits++;
    }
  }
  return path.length === def.length ? { lits } : null;
}

const routeCache = new WeakMap<WorkspaceIndex, Promise<{ file: string; def: RouteDef }[]>>();

/** Every route definition in the workspace (cached per listing; per-file results are cached by mtime). */
export function workspaceRoutes(roots: string[]): Promise<{ file: string; def: RouteDef }[]> {
  return workspaceIndex(roots).then((index) => {
    let hit = routeCache.get(index);
    if (!hit) {
      hit = collect(index);
      routeCache.set(index, hit);
    }
    return hit;
  });
}

async function collect(index: WorkspaceIndex): Promise<{ file: string; def: RouteDef }[]> {
  const files = index.files.filter((f) => ROUTE_FILE.test(f.base) && !f.base.endsWith('.d.ts'));
  const out: { file: string; def: RouteDef }[] = [];
  const queue = files.slice();
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const defs = await derived(f.abs, 'routes', (text) =>
        text.length > MAX_ROUTE_FILE_BYTES ? [] : extractRoutes(f.abs, text),
      );
      for (const def of defs ?? []) out.push({ file: f.abs, def });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.def.line - b.def.line));
  return out;
}

/** Scored candidates, best first. */
export function rankRoutes(q: RouteQuery, defs: { file: string; def: RouteDef }[]): RouteHit[] {
  const method = q.method?.toUpperCase();
  const routeSegs = q.route ? templateSegs(q.route) : null;
  const routeCanon = routeSegs ? canonical(routeSegs) : null;
  const concrete = q.path ?? (routeSegs && routeSegs.every((s) => s.t === 'lit') ? q.route : undefined);
  const pathSegs = concrete ? concrete.split('?')[0].split('/').filter(Boolean) : null;
  const rawPath = concrete ? '/' + (pathSegs ?? []).join('/') : null;
  const best = new Map<string, RouteHit>();
  for (const { file, def } of defs) {
    if (method && def.method !== '*' && def.method !== method && !(method === 'HEAD' && def.method === 'GET')) continue;
    let score = 0;
    let how = '';
    if (def.match === 'template') {
      const ds = templateSegs(def.pattern);
      const dc = canonical(ds);
      if (routeCanon && dc === routeCanon) {
        score = 100;
        how = `route ${def.pattern} equals http.route`;
      } else if (
        routeCanon &&
        ds.some((x) => x.t === 'lit') &&
        routeCanon.length > dc.length &&
        routeCanon.endsWith(dc)
      ) {
        score = 72;
        how = `route ${def.pattern} is the end of http.route (a mounted router?)`;
      } else if (pathSegs) {
        const m = matchSegs(pathSegs, ds);
        if (m) {
          score = 80 + Math.min(10, m.lits * 2);
          how = `route ${def.pattern} matches the path`;
        } else if (ds.some((s) => s.t === 'lit')) {
          for (let k = 1; k < pathSegs.length && !score; k++) {
            const t = matchSegs(pathSegs.slice(k), ds);
            if (t) {
              score = 40 + Math.min(10, t.lits * 2);
              how = `route ${def.pattern} matches the end of the path (a mounted router?)`;
            }
          }
        }
      }
    } else if (def.match === 'regex' && rawPath && def.regex) {
      if (safeTest(def.regex, rawPath)) {
        score = 70;
        how = `pattern ${def.pattern} matches the path`;
      }
    } else if (def.match === 'prefix' && rawPath) {
      const p = def.pattern;
      if (rawPath === p.replace(/\/$/, '') || rawPath.startsWith(p)) {
        score = 50 + Math.min(20, p.length);
        how = `path starts with ${p}`;
      }
    }
    if (!score) continue;
    if (method && def.method === method) score += 8;
    if (q.names?.some((n) => n && file.split(/[\\/]/).slice(0, -1).includes(n))) score += 6;
    const key = `${file}:${def.line}`;
    const prev = best.get(key);
    if (!prev || prev.score < score) best.set(key, { file, def, score, how });
  }
  return [...best.values()].sort(
    (a, b) => b.score - a.score || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.def.line - b.def.line),
  );
}

function safeTest(re: RegExp, s: string): boolean {
  try {
    re.lastIndex = 0;
    return re.test(s);
  } catch {
    return false;
  }
}

export function confidenceOf(hits: RouteHit[]): Confidence {
  const top = hits[0];
  if (!top) return 'low';
  const base: Confidence = top.score >= 95 ? 'high' : top.score >= 70 ? 'medium' : 'low';
  const tied = hits.length > 1 && hits[1].score === top.score;
  return tied ? (base === 'high' ? 'medium' : 'low') : base;
}

export async function findRoutes(q: RouteQuery, roots: string[]): Promise<RouteHit[]> {
  if (!roots.length || (!q.route && !q.path)) return [];
  return rankRoutes(q, await workspaceRoutes(roots));
}
