// Every ngx_log_debug call site of one nginx source tree, compiled to matchers and indexed by the
// literal text each format starts with, so a message is tried only against formats that can fit.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { scanDebugCalls } from './c-scan';
import { compileFormat, literalWeight, matchTokens, type Tok } from './format';
import type { NginxSourceTree } from './source-tree';

export interface DebugSite {
  /** Tree-relative path with `/` separators, e.g. `src/http/ngx_http_request.c`. */
  file: string;
  line: number;
  endLine: number;
  function?: string;
  format: string;
  toks: Tok[];
  weight: number;
  prefix: string;
  /** 0: http and core; 1: stream and mail, which an HTTP request never runs. */
  rank: number;
}
export interface DebugIndex {
  root: string;
  sites: DebugSite[];
  files: number;
  buildMs: number;
  byPrefix: Map<string, DebugSite[]>;
  keyLengths: number[];
  loose: DebugSite[];
}

const KEY = 12;
const cache = new Map<string, Promise<DebugIndex>>();

/** Every .c and .h file under `dir`. */
export async function sourceFiles(dir: string, out: string[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await sourceFiles(p, out);
    else if (e.isFile() && /\.[ch]$/.test(e.name)) out.push(p); // headers too: ngx_event_timer.h logs timers
  }
  return out;
}

const rankOf = (file: string) => (/^src\/(stream|mail)\//.test(file) ? 1 : 0);

/** The index for a tree, built once per root. */
export function debugIndex(tree: NginxSourceTree): Promise<DebugIndex> {
  const root = resolve(tree.root);
  let p = cache.get(root);
  if (!p) {
    p = build(root);
    cache.set(root, p);
    p.catch(() => cache.delete(root));
  }
  return p;
}

export function forgetDebugIndex(root: string): void {
  cache.delete(resolve(root));
}

async function build(root: string): Promise<DebugIndex> {
  const t0 = performance.now();
  const files = (await sourceFiles(join(root, 'src'), [])).sort();
  const sites: DebugSite[] = [];
  const texts = await mapLimit(files, 16, (f) => readFile(f, 'latin1'));
  files.forEach((full, i) => {
    const text = texts[i];
    if (!text.includes('ngx_log_debug')) return;
    const rel = relative(root, full).split(sep).join('/');
    const calls = scanDebugCalls(text);
    if (!calls.length) return;
    const lines = text.split('\n');
    for (const c of calls) {
      const toks = compileFormat(c.format);
      const prefix = toks[0]?.t === 'lit' ? toks[0].s : '';
      sites.push({
        file: rel,
        line: c.line,
        endLine: c.endLine,
        function: enclosingDefinition(lines, c.line),
        format: c.format,
        toks,
        weight: literalWeight(toks),
        prefix,
        rank: rankOf(rel),
      });
    }
  });
  const byPrefix = new Map<string, DebugSite[]>();
  const lengths = new Set<number>();
  const loose: DebugSite[] = [];
  for (const s of sites) {
    if (!s.prefix) {
      loose.push(s);
      continue;
    }
    const key = s.prefix.slice(0, KEY);
    lengths.add(key.length);
    const list = byPrefix.get(key);
    if (list) list.push(s);
    else byPrefix.set(key, [s]);
  }
  return {
    root,
    sites,
    files: files.length,
    buildMs: performance.now() - t0,
    byPrefix,
    keyLengths: [...lengths].sort((a, b) => a - b),
    loose,
  };
}

// The function a call sits in: in nginx style the nearest line above that starts with a name
// and `(` at column 0 is the definition (prototypes sit at the top of the file, before bodies).
const DEF = /^([A-Za-z_]\w*)\(/;
export function enclosingDefinition(lines: string[], line: number): string | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const l = lines[i];
    if (l.length && l.charCodeAt(0) > 64) {
      const m = DEF.exec(l);
      if (m) return m[1];
    }
  }
  return undefined;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Sources of the steps just before, most recent first: a message logged from several places most
 * likely came from the function (or file) the request was just in. */
export type MatchContext = { file: string; line: number; function?: string }[];

/**
 * The call sites that can have logged `message`, best first. Only the most specific formats
 * (most literal text) are kept, stream/mail only when nothing else fits. A format with no literal
 * text at all (`"%*s"`, the header dump) is trusted only for multi-line messages. `truncated`
 * allows a message cut at nginx's line limit.
 */
export function matchMessage(
  index: DebugIndex,
  message: string,
  recent: MatchContext = [],
  truncated = false,
): DebugSite[] {
  const candidates: DebugSite[] = [];
  for (const len of index.keyLengths) {
    if (len > message.length) break;
    const list = index.byPrefix.get(message.slice(0, len));
    if (list) candidates.push(...list);
  }
  const fits = (s: DebugSite, cut: boolean) =>
    (s.weight > 0 || message.includes('\n')) && matchTokens(s.toks, message, cut);
  let hits = candidates.filter((s) => message.startsWith(s.prefix) && fits(s, false));
  if (!hits.length) hits = index.loose.filter((s) => fits(s, false));
  if (!hits.length && truncated) hits = [...candidates, ...index.loose].filter((s) => fits(s, true));
  if (hits.length <= 1) return hits;
  const maxWeight = Math.max(...hits.map((s) => s.weight));
  let top = hits.filter((s) => s.weight === maxWeight);
  const minRank = Math.min(...top.map((s) => s.rank));
  top = top.filter((s) => s.rank === minRank);
  if (top.length <= 1) return top;
  const score = (s: DebugSite): number => {
    for (let i = 0; i < recent.length; i++) {
      const r = recent[i];
      if (r.file !== s.file) continue;
      return i * 3 + (r.function && r.function === s.function ? 0 : 1);
    }
    return 1000 + (s.file.startsWith('src/http/') ? 0 : 1);
  };
  const dist = (s: DebugSite): number => {
    const r = recent.find((x) => x.file === s.file);
    return r ? Math.abs(s.line - r.line) : 0;
  };
  return top
    .map((s) => ({ s, score: score(s), dist: dist(s) }))
    .sort((a, b) => a.score - b.score || a.dist - b.dist || a.s.file.localeCompare(b.s.file) || a.s.line - b.s.line)
    .map((x) => x.s);
}
