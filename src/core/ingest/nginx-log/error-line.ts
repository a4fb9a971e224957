// One nginx error-log line: `2023/03/08 16:02:40 [error] 31#31: *569 upstream timed out (110: Connection timed out)
// while connecting to upstream, client: 10.0.0.1, server: shop, request: "GET / HTTP/1.1", upstream: "http://…", host: "…"`.
// The trailing `, name: value` context is what ngx_http_log_error() appends (client, server, request, upstream, host,
// referrer); it is split off so the message stays the text of the ngx_log_error() call.

export type ErrorLevel = 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';

export interface NginxErrorLine {
  /** Local time as written (`2023/03/08 16:02:40`), read as UTC (containers log in UTC). */
  timeUnixMs: number;
  level: ErrorLevel;
  pid: number;
  tid: number;
  connection?: number;
  message: string;
  client?: string;
  server?: string;
  request?: string;
  upstream?: string;
  host?: string;
  referrer?: string;
}

const HEAD =
  /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[(debug|info|notice|warn|error|crit|alert|emerg)\] (\d+)#(\d+): (?:\*(\d+) )?/;
const CONTEXT_NAMES = ['client', 'server', 'request', 'upstream', 'host', 'referrer'] as const;

export function parseNginxErrorLine(line: string): NginxErrorLine | undefined {
  const m = HEAD.exec(line);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const rec: NginxErrorLine = {
    timeUnixMs: Date.UTC(y, mo - 1, d, h, mi, s),
    level: m[7] as ErrorLevel,
    pid: Number(m[8]),
    tid: Number(m[9]),
    message: '',
  };
  if (m[10] !== undefined) rec.connection = Number(m[10]);
  let rest = line.slice(m[0].length).replace(/\r$/, '');
  // The context starts at the first `, client: ` (ngx_http_log_error always writes client first); the message
  // itself may hold commas.
  const at = rest.indexOf(', client: ');
  if (at >= 0) {
    const ctx = rest.slice(at + 2);
    rest = rest.slice(0, at);
    for (const [name, value] of splitContext(ctx)) {
      if ((CONTEXT_NAMES as readonly string[]).includes(name)) rec[name as (typeof CONTEXT_NAMES)[number]] = value;
    }
  }
  rec.message = rest;
  return rec;
}

/** `client: 1.2.3.4, server: x, request: "GET / HTTP/1.1", host: "h"` → pairs; quoted values may hold `, `. */
function splitContext(ctx: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < ctx.length) {
    const colon = ctx.indexOf(': ', i);
    if (colon < 0) break;
    const name = ctx.slice(i, colon);
    let j = colon + 2;
    let value: string;
    if (ctx[j] === '"') {
      let k = j + 1;
      while (k < ctx.length && ctx[k] !== '"') k += ctx[k] === '\\' ? 2 : 1;
      value = ctx.slice(j + 1, Math.min(k, ctx.length));
      j = k + 1;
    } else {
      const comma = ctx.indexOf(', ', j);
      value = ctx.slice(j, comma < 0 ? ctx.length : comma);
      j = comma < 0 ? ctx.length : comma;
    }
    out.push([name, value]);
    if (ctx.startsWith(', ', j)) j += 2;
    else break;
    i = j;
  }
  return out;
}
