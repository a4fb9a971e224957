// Small text helpers for the summary: durations, safe one-line text, and source references as an agent reads them.
import { isAbsolute, relative, sep } from 'node:path';
import { redact } from '../redact';
import type { SourceRef } from '../trace/model';

export function fmtMs(ns: number): string {
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 1 : 0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export const pct = (part: number, total: number): string => `${total > 0 ? Math.round((part / total) * 100) : 0}%`;

const MAX_LINE = 220;

/** One line of summary text: secrets redacted, control characters (bidi overrides too, which reorder what an agent
 *  or a terminal shows) as spaces, long text cut. */
export function clean(text: string, max = MAX_LINE): string {
  const flat = redact(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** `path:line function`: app files relative to the workspace folder holding them, nginx files as nginx-<version>/src/… */
export function sourceText(ref: SourceRef, workspaceFolders: string[] = []): string {
  const where = `${displayPath(ref, workspaceFolders)}${ref.line ? `:${ref.line}` : ''}`;
  return ref.function ? `${where} ${ref.function}` : where;
}

function displayPath(ref: SourceRef, folders: string[]): string {
  const p = ref.path;
  if (ref.kind === 'nginx') {
    const versioned = /(?:^|\/)(nginx-[^/]+\/src\/.+)$/.exec(p);
    if (versioned) return versioned[1];
    const bare = /(?:^|\/)(src\/(?:core|event|http|os|stream|mail)\/.+)$/.exec(p);
    if (bare) return `nginx/${bare[1]}`;
  }
  if (ref.kind === 'haproxy') {
    // A release tree (haproxy-2.6.12/src/…) or scripts/fetch-haproxy-source.sh's layout (2.6.12/src/…).
    const versioned = /(?:^|\/)(?:haproxy-)?(\d+\.\d+[^/]*)\/(src\/.+)$/.exec(p);
    if (versioned) return `haproxy-${versioned[1]}/${versioned[2]}`;
  }
  for (const f of folders) {
    if (!isAbsolute(p)) break;
    const r = relative(f, p);
    if (r && !r.startsWith('..') && !isAbsolute(r)) return r.split(sep).join('/');
  }
  return p;
}

/** A URL as a summary shows it: no user info, query values hidden (they may carry keys). */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    const keys = [...new Set([...u.searchParams.keys()])];
    const query = keys.length ? '?' + keys.map((k) => `${encodeURIComponent(k)}=…`).join('&') : '';
    return `${u.protocol}//${u.host}${u.pathname}${query}`;
  } catch {
    return raw.replace(/[?#].*$/, '');
  }
}
