// The nginx `location` a request went through, read from the generated nginx.conf (and what it includes inside the
// same folder): the server block by server_name (exact, wildcard, regex, default_server), then nginx's location
// choice (= exact, longest prefix unless ^~, first regex in order, else the longest prefix). When ingress-nginx's
// `set $proxy_upstream_name` in the chosen block disagrees with the logged upstream, a matching block that agrees wins.
import { readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { isInside } from '../roots';
import { derived } from '../app/workspace';
import { linearRegex } from './linear-regex';

export interface Directive {
  name: string;
  args: string[];
  file: string;
  line: number;
  endLine?: number;
  block?: Directive[];
}
export interface ConfLocation {
  file: string;
  line: number;
  endLine?: number;
  match: string;
  upstream?: string;
}

const MAX_INCLUDE_DEPTH = 8;

// ngx_conf_file.c unescapes only \" \' \\ \t \r \n; any other backslash stays (regexes keep their \.).
const unescape = (c: string): string =>
  c === '"' || c === "'" || c === '\\' ? c : c === 't' ? '\t' : c === 'r' ? '\r' : c === 'n' ? '\n' : '\\' + c;

/** nginx config tokens -> directive tree. Unbalanced input yields what could be read (never throws). */
export function parseNginxConf(text: string, file: string): Directive[] {
  const root: Directive[] = [];
  const stack: { list: Directive[]; owner?: Directive }[] = [{ list: root }];
  let words: string[] = [];
  let startLine = 0;
  let line = 1;
  let i = 0;
  const n = text.length;
  const emit = (block: boolean) => {
    if (!words.length) {
      if (block) stack.push({ list: [] });
      return;
    }
    const d: Directive = { name: words[0], args: words.slice(1), file, line: startLine };
    stack[stack.length - 1].list.push(d);
    if (block) {
      d.block = [];
      stack.push({ list: d.block, owner: d });
    }
    words = [];
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === ';') {
      emit(false);
      i++;
      continue;
    }
    if (c === '{') {
      emit(true);
      i++;
      continue;
    }
    if (c === '}') {
      if (words.length) emit(false);
      if (stack.length > 1) {
        const top = stack.pop()!;
        if (top.owner) top.owner.endLine = line;
      }
      i++;
      continue;
    }
    if (!words.length) startLine = line;
    let w = '';
    if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < n) {
          w += unescape(text[i + 1]);
          if (text[i + 1] === '\n') line++;
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        w += text[i++];
      }
      i++;
    } else {
      while (i < n && !/[\s;{}]/.test(text[i])) {
        if (text[i] === '$' && text[i + 1] === '{') {
          const end = text.indexOf('}', i);
          if (end === -1) {
            w += text.slice(i);
            i = n;
            break;
          }
          w += text.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        if (text[i] === '\\' && i + 1 < n) {
          if (text[i + 1] === '\n') line++;
          w += unescape(text[i + 1]);
          i += 2;
          continue;
        }
        w += text[i++];
      }
    }
    words.push(w);
  }
  return root;
}

async function loadConf(file: string, confDir: string, depth: number): Promise<Directive[]> {
  const tree = await derived(file, 'nginx-conf', (text) => parseNginxConf(text, file));
  if (!tree) return [];
  return depth >= MAX_INCLUDE_DEPTH ? tree : expandIncludes(tree, confDir, depth);
}

async function expandIncludes(list: Directive[], confDir: string, depth: number): Promise<Directive[]> {
  const out: Directive[] = [];
  for (const d of list) {
    if (d.name === 'include' && d.args[0]) {
      for (const f of await includeFiles(d.args[0], confDir)) out.push(...(await loadConf(f, confDir, depth + 1)));
    } else if (d.block) {
      out.push({ ...d, block: await expandIncludes(d.block, confDir, depth) });
    } else out.push(d);
  }
  return out;
}

async function includeFiles(pattern: string, confDir: string): Promise<string[]> {
  const abs = normalize(isAbsolute(pattern) ? pattern : join(confDir, pattern));
  // Includes that leave the config folder (mime.types in /etc/nginx ...) are not ours to open.
  if (!isInside(abs, confDir)) return [];
  if (!abs.includes('*')) return [abs];
  const dir = dirname(abs);
  if (dir.includes('*')) return [];
  const re = new RegExp(
    '^' +
      abs
        .slice(dir.length + 1)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  try {
    return (await readdir(dir))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function collectServers(list: Directive[], out: Directive[] = []): Directive[] {
  for (const d of list) {
    if (d.name === 'server' && d.block) out.push(d);
    else if ((d.name === 'http' || d.name === 'include') && d.block) collectServers(d.block, out);
  }
  return out;
}

function chooseServer(servers: Directive[], host: string): Directive | undefined {
  const h = host.toLowerCase();
  let best: { s: Directive; rank: number; len: number } | undefined;
  const consider = (s: Directive, rank: number, len: number) => {
    if (!best || rank > best.rank || (rank === best.rank && len > best.len)) best = { s, rank, len };
  };
  for (const s of servers) {
    for (const d of s.block!) {
      if (d.name === 'server_name') {
        for (const raw of d.args) {
          const name = raw.toLowerCase();
          if (name === h) consider(s, 5, name.length);
          else if (name.startsWith('*.') && h.endsWith(name.slice(1))) consider(s, 4, name.length);
          else if (name.startsWith('.') && (h === name.slice(1) || h.endsWith(name))) consider(s, 4, name.length);
          else if (name.endsWith('.*') && h.startsWith(name.slice(0, -1))) consider(s, 3, name.length);
          else if (name.startsWith('~')) {
            if (regexTest(raw.slice(1), true, host)) consider(s, 2, 0);
          }
        }
      }
      if (d.name === 'listen' && d.args.some((a) => a === 'default_server' || a === 'default')) consider(s, 1, 0);
    }
  }
  return best?.s ?? servers[0];
}

interface Loc {
  d: Directive;
  mod: string;
  uri: string;
}
function locationsOf(list: Directive[]): Loc[] {
  const out: Loc[] = [];
  for (const d of list) {
    if (d.name !== 'location' || !d.block || !d.args.length) continue;
    let [mod, uri] = d.args.length > 1 ? [d.args[0], d.args[1]] : ['', d.args[0]];
    const glued = /^(=|\^~|~\*|~)(.+)$/.exec(mod === '' ? uri : '');
    if (glued) {
      mod = glued[1];
      uri = glued[2];
    }
    if (uri.startsWith('@')) continue;
    out.push({ d, mod, uri });
  }
  return out;
}

function regexMatches(l: Loc, path: string): boolean {
  return regexTest(l.uri, l.mod === '~*', path);
}

// The config is generated from every tenant's Ingress: its regexes run in linear time, and one that cannot be
// evaluated (lookaround, over the work budget) does not match rather than stall the caller.
const compiledRegex = new Map<string, ReturnType<typeof linearRegex>>();
function regexTest(pattern: string, ignoreCase: boolean, input: string): boolean {
  const key = `${ignoreCase ? 'i' : '-'}${pattern}`;
  let re = compiledRegex.get(key);
  if (!re) {
    if (compiledRegex.size > 1000) compiledRegex.clear();
    re = linearRegex(pattern, { ignoreCase });
    compiledRegex.set(key, re);
  }
  return 'test' in re && re.test(input) === true;
}
function locMatches(l: Loc, path: string): boolean {
  if (l.mod === '=') return path === l.uri;
  if (l.mod === '~' || l.mod === '~*') return regexMatches(l, path);
  return path.startsWith(l.uri);
}

/** nginx's location choice inside one block (nested locations are followed). */
export function chooseLocation(list: Directive[], path: string): Loc | undefined {
  const locs = locationsOf(list);
  const exact = locs.find((l) => l.mod === '=' && l.uri === path);
  if (exact) return exact;
  let prefix: Loc | undefined;
  for (const l of locs)
    if ((l.mod === '' || l.mod === '^~') && path.startsWith(l.uri) && (!prefix || l.uri.length > prefix.uri.length))
      prefix = l;
  const inner = (l: Loc | undefined) =>
    l?.d.block && locationsOf(l.d.block).length ? (chooseLocation(l.d.block, path) ?? l) : l;
  if (prefix?.mod === '^~') return inner(prefix);
  const re = locs.find((l) => (l.mod === '~' || l.mod === '~*') && regexMatches(l, path));
  return inner(re ?? prefix);
}

const upstreamOf = (d: Directive): string | undefined =>
  d.block?.find((x) => x.name === 'set' && x.args[0] === '$proxy_upstream_name')?.args[1];

function allLocations(list: Directive[], out: Loc[] = []): Loc[] {
  for (const l of locationsOf(list)) {
    out.push(l);
    if (l.d.block) allLocations(l.d.block, out);
  }
  return out;
}

const confCache = new Map<string, { at: number; tree: Promise<Directive[]> }>();

/** The location block (or, failing that, the server block) that served host+path under `confDir/nginx.conf`. */
export async function findNginxLocation(
  confDir: string,
  host: string | undefined,
  path: string,
  upstream?: string,
): Promise<ConfLocation | null> {
  const dir = normalize(confDir);
  const main = join(dir, 'nginx.conf');
  const now = Date.now();
  let c = confCache.get(main);
  if (!c || now - c.at > 1_000) {
    c = { at: now, tree: loadConf(main, dir, 0) };
    confCache.set(main, c);
  }
  const servers = collectServers(await c.tree);
  if (!servers.length) return null;
  const bareHost = (host ?? '').replace(/:\d+$/, '');
  let server = chooseServer(servers, bareHost);
  if (!server?.block) return null;
  const reqPath = (path || '/').split('?')[0];
  let loc = chooseLocation(server.block, reqPath);
  const want = upstream && upstream !== '-' ? upstream : undefined;
  if (want && (!loc || upstreamOf(loc.d) !== want)) {
    // Without a host the server is a guess: then any server's block that agrees on the upstream will do.
    for (const s of bareHost ? [server] : [server, ...servers.filter((x) => x !== server)]) {
      const agree = allLocations(s.block!).filter((l) => upstreamOf(l.d) === want && locMatches(l, reqPath));
      if (agree.length) {
        loc = agree.sort((a, b) => b.uri.length - a.uri.length)[0];
        server = s;
        break;
      }
    }
  }
  if (!loc)
    return {
      file: server.file,
      line: server.line,
      ...(server.endLine ? { endLine: server.endLine } : {}),
      match: 'server',
    };
  const up = upstreamOf(loc.d);
  return {
    file: loc.d.file,
    line: loc.d.line,
    ...(loc.d.endLine ? { endLine: loc.d.endLine } : {}),
    match: `location ${loc.mod ? loc.mod + ' ' : ''}${loc.uri}`,
    ...(up ? { upstream: up } : {}),
  };
}
