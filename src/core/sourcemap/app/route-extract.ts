// Route definitions found by reading source text (no parsing of the languages): express/fastify/koa, plain node:http
// handlers, Flask, FastAPI, Spring and Go's net/http + gin-style routers. What this misses is found later by suffix
// matching against the request path, with a lower confidence.

export interface RouteDef {
  method: string; // upper case, or "*" for any
  pattern: string; // as written, with any same-file prefix (Blueprint, APIRouter, class @RequestMapping)
  match: 'template' | 'prefix' | 'regex';
  regex?: RegExp;
  line: number; // 1-based
  framework: string;
  function?: string;
}

const JS_EXT = /\.(m|c)?[jt]sx?$/;
export const ROUTE_FILE = /\.((m|c)?[jt]sx?|py|java|kt|go)$/;
const HTTP_METHODS = 'get|post|put|patch|delete|head|options|all';
// Receivers that make requests rather than serve them: `axios.get('/x')` is not a route.
const HTTP_CLIENTS = /^(axios|https?|got|ky|superagent|supertest|request|agent|client|fetch|undici|needle)$/i;

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}
function lineAt(starts: number[], offset: number): number {
  let lo = 0,
    hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function extractRoutes(file: string, text: string): RouteDef[] {
  try {
    if (JS_EXT.test(file)) return jsRoutes(text);
    if (file.endsWith('.py')) return pyRoutes(text);
    if (file.endsWith('.java') || file.endsWith('.kt')) return springRoutes(text);
    if (file.endsWith('.go')) return goRoutes(text);
  } catch {
    /* a pathological file yields no routes rather than failing the mapping */
  }
  return [];
}

function jsRoutes(text: string): RouteDef[] {
  const starts = lineStarts(text);
  const out: RouteDef[] = [];
  const lines = text.split('\n');
  const methodOnLine = (ln: number): string => {
    const l = lines[ln - 1] ?? '';
    const m =
      /method\s*===?\s*['"`](\w+)['"`]|['"`](GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)['"`]\s*===?\s*\w*\.?method/.exec(
        l,
      );
    return (m?.[1] ?? m?.[2] ?? '*').toUpperCase();
  };
  const push = (r: Omit<RouteDef, 'line'>, at: number) => out.push({ ...r, line: lineAt(starts, at) });

  const call = new RegExp(
    `\\b(\\w+)\\.(${HTTP_METHODS})\\(\\s*(['"\`])(\\/[^'"\`\\n]*)\\3\\s*(?:,\\s*([A-Za-z_$][\\w$]*)\\s*\\))?`,
    'g',
  );
  for (const m of text.matchAll(call)) {
    if (HTTP_CLIENTS.test(m[1])) continue;
    const fw = /fastify/i.test(m[1]) ? 'fastify' : /router/i.test(m[1]) ? 'router' : 'express';
    push(
      {
        method: m[2] === 'all' ? '*' : m[2].toUpperCase(),
        pattern: m[4],
        match: 'template',
        framework: fw,
        ...(m[5] ? { function: m[5] } : {}),
      },
      m.index!,
    );
  }
  for (const m of text.matchAll(/\.route\(\s*(['"`])(\/[^'"`\n]*)\1\s*\)/g)) {
    // app.route('/x').get(...).post(...): the chained methods follow within the same statement.
    const tail = text.slice(m.index! + m[0].length, m.index! + m[0].length + 400).split(/;|\.route\(/)[0];
    const methods = [...tail.matchAll(new RegExp(`\\.\\s*(${HTTP_METHODS})\\(`, 'g'))].map((x) => x[1]);
    for (const meth of methods.length ? methods : ['all'])
      push(
        { method: meth === 'all' ? '*' : meth.toUpperCase(), pattern: m[2], match: 'template', framework: 'express' },
        m.index!,
      );
  }
  for (const m of text.matchAll(/\burl\s*:\s*(['"`])(\/[^'"`\n]*)\1/g)) {
    const around = text.slice(Math.max(0, m.index! - 200), m.index! + 200);
    const meth = /method\s*:\s*['"`](\w+)['"`]/.exec(around);
    if (!meth && !/\.route\(\s*\{/.test(around)) continue;
    push(
      { method: (meth?.[1] ?? '*').toUpperCase(), pattern: m[2], match: 'template', framework: 'fastify' },
      m.index!,
    );
  }
  // Route tables: { method: 'GET', pattern: /^\/x$/, route: '/x', handler: fn } — one object per line.
  for (const m of text.matchAll(/\b(?:route|path)\s*:\s*(['"`])(\/[^'"`\n]*)\1/g)) {
    const ln = lineAt(starts, m.index!);
    const l = lines[ln - 1] ?? '';
    if (!/\b(handler|method)\s*:/.test(l)) continue;
    const meth = /\bmethod\s*:\s*['"`](\w+)['"`]/.exec(l)?.[1];
    const fn = /\bhandler\s*:\s*([A-Za-z_$][\w$]*)\s*[,}]/.exec(l)?.[1];
    out.push({
      method: (meth ?? '*').toUpperCase(),
      pattern: m[2],
      match: 'template',
      line: ln,
      framework: 'route-table',
      ...(fn ? { function: fn } : {}),
    });
  }
  // node:http: comparisons on the pathname / url, switch cases, startsWith, and anchored regex literals.
  const add = (pattern: string, match: RouteDef['match'], at: number, regex?: RegExp) => {
    const line = lineAt(starts, at);
    out.push({ method: methodOnLine(line), pattern, match, line, framework: 'node:http', ...(regex ? { regex } : {}) });
  };
  for (const m of text.matchAll(/\b(?:pathname|url|path)\s*===?\s*(['"`])(\/[^'"`\n]*)\1/g))
    add(m[2], 'template', m.index!);
  for (const m of text.matchAll(/(['"`])(\/[^'"`\n]*)\1\s*===?\s*[\w.]*\b(?:pathname|url|path)\b/g))
    add(m[2], 'template', m.index!);
  for (const m of text.matchAll(/\bcase\s+(['"`])(\/[^'"`\n]*)\1\s*:/g)) add(m[2], 'template', m.index!);
  for (const m of text.matchAll(/\.startsWith\(\s*(['"`])(\/[^'"`\n]*)\1\s*\)/g)) add(m[2], 'prefix', m.index!);
  const reLit = /(\/\^\\\/(?:[^/\\\n]|\\.)*\/[dgimsuy]*)/;
  for (const m of text.matchAll(
    new RegExp(`(?:\\.match\\(\\s*${reLit.source}|${reLit.source}\\s*\\.(?:test|exec)\\()`, 'g'),
  )) {
    const lit = m[1] ?? m[2];
    const parts = /^\/(.*)\/([a-z]*)$/.exec(lit);
    if (!parts) continue;
    let regex: RegExp;
    try {
      regex = new RegExp(parts[1], parts[2].replace(/[gy]/g, ''));
    } catch {
      continue;
    }
    add(lit, 'regex', m.index!, regex);
  }
  return out;
}

function nextDef(lines: string[], from: number, re: RegExp, limit = 8): string | undefined {
  for (let i = from; i < Math.min(lines.length, from + limit); i++) {
    const m = re.exec(lines[i]);
    if (m) return m[1];
  }
  return undefined;
}

function pyRoutes(text: string): RouteDef[] {
  const lines = text.split('\n');
  const prefixes = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(\w+)\s*=\s*(?:\w+\.)?(Blueprint|APIRouter)\(([^\n]*)/gm)) {
    const p = /(?:url_prefix|prefix)\s*=\s*['"](\/[^'"]*)['"]/.exec(m[3]);
    if (p) prefixes.set(m[1], p[1].replace(/\/$/, ''));
  }
  const isFastapi = /\b(from|import)\s+fastapi\b/.test(text);
  const out: RouteDef[] = [];
  lines.forEach((l, i) => {
    const m = /^\s*@(\w+)\.(route|get|post|put|patch|delete|head|options|api_route)\(\s*[rbuf]?(['"])(.*?)\3(.*)$/.exec(
      l,
    );
    if (!m) return;
    const fn = nextDef(lines, i + 1, /^\s*(?:async\s+)?def\s+(\w+)/);
    const base = {
      pattern: (prefixes.get(m[1]) ?? '') + m[4],
      match: 'template' as const,
      line: i + 1,
      ...(fn ? { function: fn } : {}),
    };
    if (m[2] === 'route' || m[2] === 'api_route') {
      const ms = /methods\s*=\s*[[(]([^\])]*)[\])]/.exec(m[5]);
      const methods = ms
        ? [...ms[1].matchAll(/['"](\w+)['"]/g)].map((x) => x[1].toUpperCase())
        : [m[2] === 'route' ? 'GET' : '*'];
      for (const meth of methods) out.push({ ...base, method: meth, framework: isFastapi ? 'fastapi' : 'flask' });
    } else {
      out.push({ ...base, method: m[2].toUpperCase(), framework: isFastapi ? 'fastapi' : 'flask' });
    }
  });
  return out;
}

function springRoutes(text: string): RouteDef[] {
  const lines = text.split('\n');
  const out: RouteDef[] = [];
  let classPrefix = '';
  lines.forEach((l, i) => {
    const m = /@(Get|Post|Put|Delete|Patch|Request)Mapping\b\s*(?:\((.*))?$/.exec(l);
    if (!m) return;
    const args = m[2] ?? '';
    const path = /(?:(?:value|path)\s*=\s*\{?\s*)?"([^"]*)"/.exec(args)?.[1] ?? '';
    // What follows the annotation decides: a class declaration makes it the prefix of every method below.
    let j = i + 1;
    while (j < lines.length && /^\s*(@|$|\/\/|\*)/.test(lines[j])) j++;
    const target = lines[j] ?? '';
    if (/\b(class|interface|object)\s+\w+/.test(target) || /\b(class|interface)\s+\w+/.test(l)) {
      classPrefix = path.replace(/\/$/, '');
      return;
    }
    const fn = /(?:fun\s+)?(\w+)\s*\(/.exec(
      target.replace(/^\s*(public|private|protected|static|final|suspend|override|\s)+/, ''),
    )?.[1];
    const method = m[1] === 'Request' ? (/RequestMethod\.(\w+)/.exec(args)?.[1] ?? '*') : m[1].toUpperCase();
    const pattern = classPrefix + (path && !path.startsWith('/') ? '/' + path : path);
    out.push({
      method,
      pattern: pattern || '/',
      match: 'template',
      line: i + 1,
      framework: 'spring',
      ...(fn ? { function: fn } : {}),
    });
  });
  return out;
}

function goRoutes(text: string): RouteDef[] {
  const starts = lineStarts(text);
  const out: RouteDef[] = [];
  for (const m of text.matchAll(
    /\.(?:HandleFunc|Handle)\(\s*"(?:(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+)?(\/[^"]*)"\s*,\s*([\w.]+)?/g,
  )) {
    const p = m[2];
    out.push({
      method: m[1] ?? '*',
      pattern: p,
      match: p.endsWith('/') && p !== '/' ? 'prefix' : 'template',
      line: lineAt(starts, m.index!),
      framework: 'net/http',
      ...(m[3] ? { function: m[3] } : {}),
    });
  }
  for (const m of text.matchAll(/\.(GET|POST|PUT|DELETE|PATCH|Get|Post|Put|Delete|Patch)\(\s*"(\/[^"]*)"/g)) {
    out.push({
      method: m[1].toUpperCase(),
      pattern: m[2],
      match: 'template',
      line: lineAt(starts, m.index!),
      framework: 'go-router',
    });
  }
  return out;
}
