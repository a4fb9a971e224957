// A local HAProxy source tree: the folder that holds `src/http_ana.c`, its version from the tarball's VERSION file,
// and cached reads of its files. Where the version comes from: `haproxy -v` through pod exec (`haproxyVersionFromV`).
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { scanFunctions, type HaproxyFunction } from './scan';

export interface HaproxySourceTree {
  root: string;
  version?: string;
}

/** `HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/` -> 2.6.12 (older builds print HA-Proxy). */
export function haproxyVersionFromV(output: string | undefined): string | undefined {
  return output ? /\bHA-?Proxy version (\d+\.\d+(?:\.\d+)?)/i.exec(output)?.[1] : undefined;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export function isHaproxySourceTree(dir: string): boolean {
  return isFile(join(dir, 'src', 'http_ana.c')) && isFile(join(dir, 'src', 'backend.c'));
}

export function haproxyTreeVersion(dir: string): string | undefined {
  try {
    return /^(\d+\.\d+(?:\.\d+)?)/.exec(readFileSync(join(dir, 'VERSION'), 'latin1').trim())?.[1];
  } catch {
    return undefined;
  }
}

const branch = (v: string | undefined) => (v ? /^\d+\.\d+/.exec(v)?.[0] : undefined);

/**
 * The tree to map HAProxy spans into: among each candidate, its `<version>/` or `haproxy-<version>/` subfolders
 * (how scripts/fetch-haproxy-source.sh and the release tarballs unpack), the exact version first, else one of the
 * same branch (2.6.x: the functions are the same, a few lines may move). No version asked: the first tree found.
 */
export function findHaproxySourceTree(candidates: string[], wantVersion?: string): HaproxySourceTree | undefined {
  let sameBranch: HaproxySourceTree | undefined;
  for (const c of candidates) {
    if (!c) continue;
    const dirs = [c];
    try {
      for (const e of readdirSync(c).sort()) if (/^(haproxy-)?\d+\.\d+(\.\d+)?$/.test(e)) dirs.push(join(c, e));
    } catch {
      /* not a folder */
    }
    for (const d of dirs) {
      if (!isHaproxySourceTree(d)) continue;
      const tree = { root: resolve(d), version: haproxyTreeVersion(d) };
      if (!wantVersion || tree.version === wantVersion) return tree;
      if (branch(tree.version) && branch(tree.version) === branch(wantVersion)) sameBranch ??= tree;
    }
  }
  return sameBranch;
}

const scanned = new Map<string, Map<string, HaproxyFunction> | null>();

/** Where `fn` is defined in `file` (tree-relative), found by scanning that file of this tree; read once per file. */
export function haproxyFunction(tree: HaproxySourceTree, file: string, fn: string): HaproxyFunction | undefined {
  if (isAbsolute(file)) return undefined;
  const root = resolve(tree.root);
  const full = resolve(root, file);
  if (!full.startsWith(root + sep)) return undefined;
  let defs = scanned.get(full);
  if (defs === undefined) {
    let text: string | undefined;
    try {
      text = readFileSync(full, 'latin1');
    } catch {
      text = undefined;
    }
    defs = text === undefined ? null : scanFunctions(text);
    if (scanned.size > 200) scanned.clear();
    scanned.set(full, defs);
  }
  return defs?.get(fn);
}

/** Forget scanned files (tests that rewrite a tree). */
export function forgetHaproxyScans(): void {
  scanned.clear();
}
