// The ngx_log_error() (and ngx_ssl_error()) call that printed an nginx error-log line, found in the source of the
// detected nginx version: every call site's format is compiled the way the debug-line matcher compiles
// ngx_log_debug formats (c-scan.ts, format.ts), never taken from a fixed list of messages.
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { SourceRef, Trace } from '../../trace/model';
import { scanDebugCalls } from './c-scan';
import { enclosingDefinition, sourceFiles } from './debug-index';
import { compileFormat, literalWeight, matchTokens, type Tok } from './format';
import { treeFile, type NginxSourceTree } from './source-tree';

export interface ErrorSite {
  file: string;
  line: number;
  function?: string;
  format: string;
  toks: Tok[];
  weight: number;
  prefix: string;
  /** 0: http, 1: core and event, 2: stream and mail (which an HTTP request never runs). */
  rank: number;
}

const cache = new Map<string, Promise<ErrorSite[]>>();

// ngx_log_error, ngx_ssl_error and ngx_ssl_connection_error take the format where ngx_log_debug does (level, log,
// err, fmt, ...), and ngx_connection_error(c, err, text) one place earlier. Renaming the calls to ngx_log_debug
// (and the real debug calls to something else) keeps every line where it was, so the debug call scanner finds
// exactly the error calls.
const ERROR_CALL = /\b(?:ngx_log_error|ngx_ssl_error|ngx_ssl_connection_error)(?=\s*\()/g;
const CONNECTION_ERROR = /\bngx_connection_error\s*\(/g;
const DEBUG_CALL = /\bngx_log_debug(?=[0-8]?\s*\()/g;
/** Formats with less literal text than this (`"%s %V"`) fit almost any message. */
const MIN_WEIGHT = 6;

export function errorSites(tree: NginxSourceTree): Promise<ErrorSite[]> {
  const root = resolve(tree.root);
  let p = cache.get(root);
  if (!p) {
    p = build(root);
    cache.set(root, p);
    p.catch(() => cache.delete(root));
  }
  return p;
}

async function build(root: string): Promise<ErrorSite[]> {
  const files = (await sourceFiles(join(root, 'src'), [])).sort();
  const sites: ErrorSite[] = [];
  for (const full of files) {
    const text = await readFile(full, 'latin1');
    if (!/ngx_log_error|ngx_ssl_error|ngx_ssl_connection_error|ngx_connection_error/.test(text)) continue;
    const renamed = text
      .replace(DEBUG_CALL, 'ngx_log_DEBUG')
      .replace(ERROR_CALL, 'ngx_log_debug')
      .replace(CONNECTION_ERROR, 'ngx_log_debug(0, ');
    const rel = relative(root, full).split(sep).join('/');
    const lines = text.split('\n');
    for (const c of scanDebugCalls(renamed)) {
      const toks = compileFormat(c.format);
      sites.push({
        file: rel,
        line: c.line,
        function: enclosingDefinition(lines, c.line),
        format: c.format,
        toks,
        weight: literalWeight(toks),
        prefix: toks[0]?.t === 'lit' ? toks[0].s : '',
        rank: rankOf(rel),
      });
    }
  }
  return sites;
}

// A line attached to an HTTP request is most likely from the http module; shared code comes next.
const rankOf = (file: string) => (file.startsWith('src/http/') ? 0 : /^src\/(stream|mail)\//.test(file) ? 2 : 1);

/**
 * What the format printed, without what ngx_log_error_core adds after it: ` (110: Connection timed out)` for the
 * errno, ` (SSL: …)` for ngx_ssl_error, and ` while <action>` from the connection's log handler.
 */
export function formatPart(message: string): string {
  let m = message;
  const w = m.lastIndexOf(' while ');
  if (w >= 0) m = m.slice(0, w);
  const ssl = m.indexOf(' (SSL:');
  if (ssl >= 0) m = m.slice(0, ssl);
  return m.replace(/ \(\d+: [^()]*\)$/, '');
}

/** The call sites that fit the message, most literal text first; ties stay (the caller says which are ambiguous). */
export function matchErrorSites(sites: ErrorSite[], message: string): ErrorSite[] {
  const text = formatPart(message);
  let hits = sites.filter((s) => s.weight >= MIN_WEIGHT && text.startsWith(s.prefix) && matchTokens(s.toks, text));
  if (hits.length <= 1) return hits;
  const rank = Math.min(...hits.map((s) => s.rank));
  hits = hits.filter((s) => s.rank === rank);
  const best = Math.max(...hits.map((s) => s.weight));
  return hits.filter((s) => s.weight === best);
}

/** Gives each `nginx.error`/`nginx.warn` event its call site (`code.*` attributes); returns how many were found. */
export async function resolveErrorEventSources(trace: Trace, tree: NginxSourceTree): Promise<number> {
  let found = 0;
  let sites: ErrorSite[] | undefined;
  for (const span of trace.spans) {
    for (const ev of span.events) {
      if (ev.name !== 'nginx.error' && ev.name !== 'nginx.warn') continue;
      sites ??= await errorSites(tree);
      const hits = matchErrorSites(sites, String(ev.attributes.message ?? ''));
      if (!hits.length) {
        ev.attributes['kubetrace.source.reason'] = 'no ngx_log_error call in this nginx source prints this message';
        continue;
      }
      const ref = sourceRef(tree, hits[0]);
      ev.attributes['code.file.path'] = ref.path;
      ev.attributes['code.line.number'] = hits[0].line;
      if (hits[0].function) ev.attributes['code.function.name'] = hits[0].function;
      if (hits.length > 1)
        ev.attributes['kubetrace.source.alternatives'] = hits.slice(1, 6).map((h) => `${h.file}:${h.line}`);
      found++;
    }
  }
  return found;
}

export function sourceRef(tree: NginxSourceTree, s: ErrorSite): SourceRef {
  const r: SourceRef = { kind: 'nginx', path: treeFile(tree, s.file) ?? s.file, line: s.line };
  if (s.function) r.function = s.function;
  return r;
}
