// A local nginx source tree and cached reads of its files. Paths inside the tree are the
// upstream layout (`src/http/ngx_http_request.c`), so one index serves every version.
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

export interface NginxSourceTree {
  /** The folder that holds `src/http/...`. */
  root: string;
  version?: string;
  /** What the tree is when it is not a plain release, e.g. `nginx-1.27.1 + ingress-nginx v1.13.0 patches`. */
  label?: string;
}

const texts = new Map<string, Promise<string | undefined>>();
const textsSync = new Map<string, string | undefined>();
const paths = new Map<string, string | null>(); // path.resolve is slow enough to matter per span

/** Absolute path of `rel` inside the tree; undefined when `rel` would leave it. */
export function treeFile(tree: NginxSourceTree, rel: string): string | undefined {
  const key = `${tree.root}\0${rel}`;
  const hit = paths.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let full: string | undefined;
  if (!isAbsolute(rel)) {
    const root = resolve(tree.root);
    full = resolve(root, rel);
    if (!full.startsWith(root + sep)) full = undefined;
  }
  if (paths.size > 10_000) paths.clear();
  paths.set(key, full ?? null);
  return full;
}

/** File text, read once per path. Missing files give undefined, never an error. */
export function readTreeFile(tree: NginxSourceTree, rel: string): Promise<string | undefined> {
  const full = treeFile(tree, rel);
  if (!full) return Promise.resolve(undefined);
  let p = texts.get(full);
  if (!p) {
    const known = textsSync.get(full);
    p =
      known !== undefined
        ? Promise.resolve(known)
        : readFile(full, 'latin1').then(
            (t) => t,
            () => undefined,
          );
    texts.set(full, p);
    void p.then((t) => {
      if (t !== undefined) textsSync.set(full, t);
    });
  }
  return p;
}

/** The same, synchronously: for span mapping, which must stay synchronous and fast once warm. */
export function readTreeFileSync(tree: NginxSourceTree, rel: string): string | undefined {
  const full = treeFile(tree, rel);
  if (!full) return undefined;
  if (textsSync.has(full)) return textsSync.get(full);
  let t: string | undefined;
  try {
    t = readFileSync(full, 'latin1');
  } catch {
    t = undefined;
  }
  textsSync.set(full, t);
  if (t !== undefined) texts.set(full, Promise.resolve(t));
  return t;
}

/** Forget cached files under `root` (e.g. after a fresh download replaced the tree). */
export function forgetTree(root: string): void {
  const r = resolve(root) + sep;
  for (const k of [...texts.keys()]) if (k.startsWith(r)) texts.delete(k);
  for (const k of [...textsSync.keys()]) if (k.startsWith(r)) textsSync.delete(k);
}

/** True when `dir` looks like an nginx source tree (the request handler is where we expect it). */
export async function isNginxSourceTree(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'src', 'http', 'ngx_http_request.c'))).isFile();
  } catch {
    return false;
  }
}

/** Reads the version from `src/core/nginx.h` (`#define NGINX_VERSION "1.22.1"`). */
export async function treeVersion(dir: string): Promise<string | undefined> {
  try {
    const h = await readFile(join(dir, 'src', 'core', 'nginx.h'), 'latin1');
    return /#define\s+NGINX_VERSION\s+"(\d+\.\d+\.\d+)"/.exec(h)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The first candidate folder that holds nginx source: the folder itself, or an `nginx-<version>`
 * folder inside it (how release tarballs unpack). Candidates are workspace folders and
 * `kubetrace.nginx.sourcePath`, in the caller's order of preference.
 */
export async function findNginxSourceTree(
  candidates: string[],
  wantVersion?: string,
): Promise<NginxSourceTree | undefined> {
  let fallback: NginxSourceTree | undefined;
  for (const c of candidates) {
    const dirs = [c];
    if (wantVersion) dirs.push(join(c, `nginx-${wantVersion}`));
    // A workspace often holds the source one level down (nginx-1.22.1/): any version is better than none.
    try {
      for (const e of await readdir(c))
        if (/^nginx-\d+\.\d+\.\d+$/.test(e) && !dirs.includes(join(c, e))) dirs.push(join(c, e));
    } catch {
      /* not a folder */
    }
    for (const d of dirs) {
      if (!(await isNginxSourceTree(d))) continue;
      const tree = { root: resolve(d), version: await treeVersion(d) };
      if (!wantVersion || tree.version === wantVersion) return tree;
      fallback ??= tree;
    }
  }
  return fallback;
}
