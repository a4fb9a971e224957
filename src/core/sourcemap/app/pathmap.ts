// Container path -> workspace file. Order: kubetrace.pathMappings (longest prefix), kubetrace.workloadFolders
// (the span's Deployment), the path itself when it already lies in the workspace, then the longest suffix match over
// workspace files. Ties are broken by the service/Deployment name and by the line existing; otherwise the result is
// "ambiguous" with the candidates — the mapper never picks one silently.
import { stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, posix } from 'node:path';
import { checkAllowed, isInside } from '../roots';
import { fileLines, workspaceIndex, type WsFile } from './workspace';

export type Confidence = 'high' | 'medium' | 'low';
export interface MapHints {
  service?: string;
  deployment?: string;
  line?: number;
  function?: string;
}
export interface MapContext {
  workspaceFolders: string[];
  pathMappings?: Record<string, string>;
  workloadFolders?: Record<string, string>;
  allowedRoots: string[];
  /** Per-run memo (resolveSources makes one per trace): thousands of spans name the same few files. */
  memo?: Map<string, Promise<unknown>>;
}
export type MapResult =
  | { ok: true; path: string; via: string; confidence: Confidence }
  | { ok: false; reason: string; candidates?: string[] };

const exists = async (p: string) => {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
};

/** Normalised forward-slash form of a path as a stack trace or attribute printed it. */
export function cleanContainerPath(p: string): string {
  let s = p.trim().replace(/\\/g, '/');
  if (s.startsWith('file://')) s = s.slice('file://'.length);
  s = s.replace(/^[A-Za-z]:\//, '/');
  return s;
}

export function mapContainerPath(raw: string, ctx: MapContext, hints: MapHints = {}): Promise<MapResult> {
  if (!ctx.memo) return mapUncached(raw, ctx, hints);
  const key = `map\0${raw}\0${hints.service ?? ''}\0${hints.deployment ?? ''}\0${hints.line ?? ''}\0${hints.function ?? ''}`;
  let p = ctx.memo.get(key) as Promise<MapResult> | undefined;
  if (!p) {
    p = mapUncached(raw, ctx, hints);
    ctx.memo.set(key, p);
  }
  return p;
}

async function mapUncached(raw: string, ctx: MapContext, hints: MapHints): Promise<MapResult> {
  const file = cleanContainerPath(raw);
  if (!file) return { ok: false, reason: 'the span gives an empty file path' };
  const notes: string[] = [];

  const pm = mapByPrefix(file, ctx.pathMappings ?? {});
  if (pm) {
    if (await exists(pm.local)) return allowed(pm.local, `kubetrace.pathMappings (${pm.prefix})`, 'high', ctx);
    notes.push(`kubetrace.pathMappings maps it to ${pm.local}, which does not exist`);
  }

  const folder = workloadFolder(ctx.workloadFolders ?? {}, hints);
  if (folder) {
    const r = await suffixMatch(file, ctx, hints, folder.path);
    if (r.ok) return { ...r, via: `kubetrace.workloadFolders (${folder.key})` };
    notes.push(`nothing under kubetrace.workloadFolders["${folder.key}"] (${folder.path}) matches`);
  }

  if (
    isAbsolute(file) &&
    ctx.workspaceFolders.some((w) => isInside(normalize(file), normalize(w))) &&
    (await exists(file))
  ) {
    return allowed(normalize(file), 'the path is in the workspace', 'high', ctx);
  }
  if (!file.startsWith('/')) {
    for (const w of ctx.workspaceFolders) {
      const abs = normalize(join(w, file));
      if (isInside(abs, w) && (await exists(abs))) return allowed(abs, 'relative to the workspace folder', 'high', ctx);
    }
  }

  const r = await suffixMatch(file, ctx, hints);
  if (r.ok || !notes.length) return r;
  return { ...r, reason: `${r.reason}; ${notes.join('; ')}` };
}

function allowed(path: string, via: string, confidence: Confidence, ctx: MapContext): MapResult {
  const c = checkAllowed(path, ctx.allowedRoots);
  return c.ok ? { ok: true, path: c.real, via, confidence } : { ok: false, reason: c.reason };
}

function mapByPrefix(file: string, mappings: Record<string, string>): { prefix: string; local: string } | null {
  let best: { prefix: string; local: string } | null = null;
  for (const [from, to] of Object.entries(mappings)) {
    if (typeof to !== 'string' || !to) continue;
    const prefix = cleanContainerPath(from).replace(/\/+$/, '') || '/';
    const hit = file === prefix || file.startsWith(prefix === '/' ? '/' : prefix + '/');
    if (!hit || (best && best.prefix.length >= prefix.length)) continue;
    const rest = posix.normalize(file.slice(prefix.length)).replace(/^\/+/, '');
    // A mapped path that climbs out of its folder is refused here; checkAllowed would refuse it later anyway.
    const local = normalize(join(to, rest));
    if (!isInside(local, normalize(to))) continue;
    best = { prefix, local };
  }
  return best;
}

function workloadFolder(folders: Record<string, string>, hints: MapHints): { key: string; path: string } | null {
  for (const key of [hints.deployment, hints.service]) {
    if (key && typeof folders[key] === 'string' && folders[key]) return { key, path: normalize(folders[key]) };
  }
  return null;
}

/** How many trailing path components two paths share. */
function sharedSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

async function suffixMatch(file: string, ctx: MapContext, hints: MapHints, under?: string): Promise<MapResult> {
  const comps = file.split('/').filter((c) => c && c !== '.' && c !== '..');
  const base = comps[comps.length - 1];
  if (!base) return { ok: false, reason: `${file} names no file` };
  const roots = under ? [under] : ctx.workspaceFolders;
  if (!roots.length)
    return { ok: false, reason: `${file} is a container path and no workspace folder is open to map it to` };
  const index = await workspaceIndex(roots);
  const pool = index.byBase.get(base) ?? [];
  if (!pool.length) {
    const more = index.truncated ? ' (the workspace scan stopped early: set kubetrace.pathMappings)' : '';
    return {
      ok: false,
      reason: `no workspace file matches ${file}${more}; set kubetrace.pathMappings or kubetrace.workloadFolders`,
    };
  }
  let best = 0;
  let tied: WsFile[] = [];
  for (const f of pool) {
    const s = sharedSuffix(f.rel.split('/'), comps);
    if (s > best) {
      best = s;
      tied = [f];
    } else if (s === best) tied.push(f);
  }
  const pick = async (f: WsFile, confidence: Confidence, why: string) => allowed(f.abs, why, confidence, ctx);
  const suffixText = comps.slice(-best).join('/');
  if (tied.length === 1) {
    return pick(tied[0], best >= 2 ? 'high' : 'medium', `the only workspace file ending in ${suffixText}`);
  }
  let left = tied;
  const names = [hints.deployment, hints.service].filter((n): n is string => !!n);
  for (const name of names) {
    const named = left.filter((f) => f.rel.split('/').slice(0, -1).includes(name));
    if (named.length === 1)
      return pick(
        named[0],
        'medium',
        `${tied.length} files end in ${suffixText}; chose the one under a "${name}" folder`,
      );
    if (named.length > 1) left = named;
  }
  if (hints.line) {
    const fits = [];
    for (const f of left) {
      const lines = await fileLines(f.abs);
      const count = lines ? lines.length - (lines[lines.length - 1] === '' ? 1 : 0) : 0;
      if (count >= hints.line) fits.push(f);
    }
    if (fits.length === 1)
      return pick(fits[0], 'medium', `${tied.length} files end in ${suffixText}; only one has a line ${hints.line}`);
    if (fits.length) left = fits;
  }
  if (hints.function && hints.line) {
    const short = hints.function.split(/[.:#]/).pop() ?? '';
    const withFn = [];
    for (const f of left) {
      const l = (await fileLines(f.abs))?.[hints.line - 1];
      if (short && l?.includes(short)) withFn.push(f);
    }
    if (withFn.length === 1)
      return pick(
        withFn[0],
        'medium',
        `${tied.length} files end in ${suffixText}; only one has ${short} on line ${hints.line}`,
      );
  }
  const candidates = left.map((f) => f.abs).filter((p) => checkAllowed(p, ctx.allowedRoots).ok);
  return {
    ok: false,
    reason: `ambiguous: ${left.length} workspace files end in ${suffixText} (${left
      .slice(0, 5)
      .map((f) => f.rel)
      .join(
        ', ',
      )}${left.length > 5 ? ', ...' : ''}); set kubetrace.pathMappings or kubetrace.workloadFolders to choose`,
    candidates,
  };
}
