// A bounded, cached listing of the workspace: the file names that path mapping, route finding and the YAML locator
// search. Per-file work (text, routes, YAML documents) is cached by path and validated by mtime+size, so mapping a
// 10,000-span trace reads each file at most once.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface WsFile {
  abs: string;
  rel: string;
  root: string;
  base: string;
}
export interface WorkspaceIndex {
  roots: string[];
  files: WsFile[];
  byBase: Map<string, WsFile[]>;
  truncated: boolean; // the scan stopped at maxFiles
}

export const SKIP_DIRS = new Set([
  'node_modules',
  'dist',
  'out',
  'build',
  'target',
  'coverage',
  'bower_components',
  'vendor',
  '__pycache__',
  'site-packages',
  'dist-packages',
]);
export const MAX_FILES = 50_000;
export const MAX_DEPTH = 24;
export const MAX_TEXT_BYTES = 1_000_000;
const INDEX_TTL_MS = 5_000;

const indexCache = new Map<string, { at: number; index: Promise<WorkspaceIndex> }>();

/** The listing of `roots`, rebuilt at most every few seconds (files come and go while the editor is open). */
export function workspaceIndex(roots: string[]): Promise<WorkspaceIndex> {
  const key = roots.join('\0');
  const hit = indexCache.get(key);
  const now = Date.now();
  if (hit && now - hit.at < INDEX_TTL_MS) return hit.index;
  const index = scan(roots);
  indexCache.set(key, { at: now, index });
  return index;
}

async function scan(roots: string[]): Promise<WorkspaceIndex> {
  const files: WsFile[] = [];
  let truncated = false;
  for (const root of roots) {
    const queue: [string, number][] = [[root, 0]];
    while (queue.length && !truncated) {
      const [dir, depth] = queue.shift()!;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        // Symlinks are not followed: they are how a workspace could point the mapper outside the allowed roots.
        if (e.isSymbolicLink()) continue;
        const abs = join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name.startsWith('.') || SKIP_DIRS.has(e.name) || depth >= MAX_DEPTH) continue;
          queue.push([abs, depth + 1]);
        } else if (e.isFile()) {
          if (files.length >= MAX_FILES) {
            truncated = true;
            break;
          }
          files.push({ abs, rel: relative(root, abs).split(sep).join('/'), root, base: e.name });
        }
      }
    }
  }
  const byBase = new Map<string, WsFile[]>();
  for (const f of files) {
    const list = byBase.get(f.base);
    if (list) list.push(f);
    else byBase.set(f.base, [f]);
  }
  return { roots, files, byBase, truncated };
}

interface TextEntry {
  mtimeMs: number;
  size: number;
  checkedAt: number;
  text: string | null;
  lines?: string[];
  derived: Map<string, unknown>;
}
const textCache = new Map<string, TextEntry>();
// Within one mapping run thousands of spans hit the same few files: re-stat a file at most this often.
const RECHECK_MS = 1_000;

async function entry(abs: string): Promise<TextEntry | null> {
  const hit = textCache.get(abs);
  const now = Date.now();
  if (hit && now - hit.checkedAt < RECHECK_MS) return hit;
  let st;
  try {
    st = await stat(abs);
  } catch {
    textCache.delete(abs);
    return null;
  }
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
    hit.checkedAt = now;
    return hit;
  }
  let text: string | null = null;
  if (st.isFile() && st.size <= MAX_TEXT_BYTES) {
    try {
      const buf = await readFile(abs);
      // A NUL in the first 8 KB means binary: nothing to show as source text.
      text = buf.subarray(0, 8192).includes(0) ? null : buf.toString('utf8');
    } catch {
      text = null;
    }
  }
  const e: TextEntry = { mtimeMs: st.mtimeMs, size: st.size, checkedAt: now, text, derived: new Map() };
  textCache.set(abs, e);
  return e;
}

/** The file's text, or null when missing, binary or bigger than MAX_TEXT_BYTES. */
export async function fileText(abs: string): Promise<string | null> {
  return (await entry(abs))?.text ?? null;
}

export async function fileLines(abs: string): Promise<string[] | null> {
  const e = await entry(abs);
  if (!e || e.text === null) return null;
  if (!e.lines) e.lines = e.text.split(/\r?\n/);
  return e.lines;
}

/** Something computed from a file's text (routes, YAML documents), cached with the text. */
export async function derived<T>(abs: string, kind: string, make: (text: string) => T): Promise<T | null> {
  const e = await entry(abs);
  if (!e || e.text === null) return null;
  if (!e.derived.has(kind)) e.derived.set(kind, make(e.text));
  return e.derived.get(kind) as T;
}

export function clearWorkspaceCaches(): void {
  indexCache.clear();
  textCache.clear();
}
