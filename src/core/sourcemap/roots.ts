// Where jump-to-source may open files (docs/ARCHITECTURE.md): workspace folders, the nginx source cache,
// kubetrace.nginx.sourcePath, the sandbox's generated nginx config and the HAProxy source tree a probe mapped to.
// Every path the source mapper hands out passes through checkAllowed, and the VS Code adapter calls it again before
// opening anything, because a trace file is untrusted input.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';

export type AllowedCheck = { ok: true; real: string } | { ok: false; reason: string };

/** Virtual documents rendered from live objects (read-only); they are not files and never pass checkAllowed. */
export const LIVE_SCHEME = 'kubetrace-live:';
export const isLivePath = (p: string): boolean => p.startsWith(LIVE_SCHEME);

export interface RootInputs {
  workspaceFolders: string[];
  nginxSourceCache?: string; // the extension's storage folder holding downloaded nginx trees
  nginxSourcePath?: string; // kubetrace.nginx.sourcePath
  sandboxConfDir?: string; // the sandbox's generated nginx config (read-only)
  haproxySource?: string; // the HAProxy source tree the probe's HAProxy spans map to
}

/** The allowed roots as docs/ARCHITECTURE.md lists them, absolute and without duplicates. */
export function allowedRootsFor(r: RootInputs): string[] {
  const all = [...r.workspaceFolders, r.nginxSourceCache, r.nginxSourcePath, r.sandboxConfDir, r.haproxySource]
    .filter((p): p is string => typeof p === 'string' && p.length > 0 && isAbsolute(p))
    .map((p) => normalize(p));
  return [...new Set(all)];
}

/** True when `child` is `parent` or lies below it (both absolute and normalised). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

// Roots rarely change and realpath is a syscall per path component: remember them.
const rootReal = new Map<string, string | null>();
function realRoot(root: string): string | null {
  let r = rootReal.get(root);
  if (r === undefined) {
    try {
      r = realpathSync(root);
    } catch {
      r = null;
    }
    rootReal.set(root, r);
  }
  return r;
}

/** Forget cached root realpaths (tests that create roots, or the adapter after a settings change). */
export function clearRootCache(): void {
  rootReal.clear();
}

/**
 * May `path` be opened? Relative paths are taken against each root in turn and must stay inside it; absolute paths
 * must lie inside a root both as written (after normalising `..`) and after following symlinks.
 */
export function checkAllowed(path: string, roots: string[]): AllowedCheck {
  if (typeof path !== 'string' || path.length === 0) return { ok: false, reason: 'empty path' };
  if (path.includes('\0')) return { ok: false, reason: 'path contains a NUL byte' };
  if (isLivePath(path)) return { ok: false, reason: `${path} is a read-only view of a live object, not a file` };
  const usable = roots.filter((r) => typeof r === 'string' && isAbsolute(r)).map((r) => normalize(r));
  if (!usable.length) return { ok: false, reason: 'no allowed folders are configured (open a workspace folder)' };

  if (!isAbsolute(path)) {
    let lastReason = '';
    for (const root of usable) {
      const abs = resolve(root, path);
      if (!isInside(abs, root)) {
        lastReason = `${path} escapes ${root} through ".."`;
        continue;
      }
      const r = checkAbsolute(abs, [root]);
      if (r.ok) return r;
      lastReason = r.reason;
    }
    return { ok: false, reason: lastReason || `${path} is not inside an allowed folder` };
  }
  return checkAbsolute(normalize(path), usable);
}

function checkAbsolute(abs: string, roots: string[]): AllowedCheck {
  const lexical = roots.filter((r) => isInside(abs, r));
  if (!lexical.length) {
    return {
      ok: false,
      reason: `${abs} is outside the allowed folders (workspace folders, the nginx source, the sandbox nginx config)`,
    };
  }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return { ok: false, reason: `${abs} does not exist` };
  }
  for (const root of roots) {
    const rr = realRoot(root);
    if (rr && isInside(real, rr)) {
      try {
        if (!statSync(real).isFile()) return { ok: false, reason: `${abs} is not a regular file` };
      } catch {
        return { ok: false, reason: `${abs} cannot be read` };
      }
      return { ok: true, real };
    }
  }
  return { ok: false, reason: `${abs} is a symlink that leads outside the allowed folders (to ${real})` };
}
