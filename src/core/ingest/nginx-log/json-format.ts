// User JSON formats (`log-format-escape-json` + a JSON `log-format-upstream`). Keys are matched loosely
// (case, `_`/`-`/`.` ignored) against the names people commonly give nginx variables.
import type { AccessLogRecord, ParseResult } from './types';
import { buildUpstreams } from './upstreams';
import {
  clip,
  isDash,
  parseIsoTime,
  parseSeconds,
  parseTimeLocal,
  parseUint,
  splitRequest,
  unescapeNginx,
} from './values';

type Field =
  | 'time'
  | 'remote_addr'
  | 'remote_user'
  | 'request'
  | 'method'
  | 'uri'
  | 'args'
  | 'protocol'
  | 'status'
  | 'body_bytes_sent'
  | 'http_referer'
  | 'http_user_agent'
  | 'request_length'
  | 'request_time'
  | 'duration'
  | 'proxy_upstream_name'
  | 'proxy_alternative_upstream_name'
  | 'upstream_addr'
  | 'upstream_status'
  | 'upstream_response_time'
  | 'upstream_connect_time'
  | 'upstream_header_time'
  | 'upstream_response_length'
  | 'req_id'
  | 'msec'
  | 'namespace'
  | 'ingress_name'
  | 'service_name'
  | 'service_port';

const ALIASES: Record<Field, string[]> = {
  time: ['time', 'time_local', 'time_iso8601', 'timestamp', '@timestamp', 'ts', 'datetime'],
  remote_addr: ['remote_addr', 'remote_ip', 'client_ip', 'clientip', 'the_real_ip', 'real_ip', 'proxy_protocol_addr'],
  remote_user: ['remote_user'],
  request: ['request', 'request_line'],
  method: ['request_method', 'method'],
  uri: ['uri', 'path', 'request_uri', 'url'],
  args: ['args', 'query', 'request_query', 'query_string'],
  protocol: ['server_protocol', 'protocol', 'request_proto'],
  status: ['status', 'status_code', 'response_status'],
  body_bytes_sent: ['body_bytes_sent', 'bytes_sent'],
  http_referer: ['http_referer', 'http_referrer', 'referer', 'referrer'],
  http_user_agent: ['http_user_agent', 'user_agent', 'useragent', 'agent'],
  request_length: ['request_length'],
  request_time: ['request_time'],
  duration: ['duration'],
  proxy_upstream_name: ['proxy_upstream_name', 'upstream_name'],
  proxy_alternative_upstream_name: ['proxy_alternative_upstream_name'],
  upstream_addr: ['upstream_addr', 'upstream'],
  upstream_status: ['upstream_status'],
  upstream_response_time: ['upstream_response_time'],
  upstream_connect_time: ['upstream_connect_time'],
  upstream_header_time: ['upstream_header_time'],
  upstream_response_length: ['upstream_response_length'],
  req_id: ['req_id', 'request_id', 'x_request_id', 'http_x_request_id', 'requestid'],
  msec: ['msec'],
  namespace: ['namespace'],
  ingress_name: ['ingress_name', 'ingress'],
  service_name: ['service_name', 'service'],
  service_port: ['service_port'],
};

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9@]/g, '');
const BY_KEY = new Map<string, Field>();
for (const [field, names] of Object.entries(ALIASES) as [Field, string[]][]) {
  for (const name of names) if (!BY_KEY.has(norm(name))) BY_KEY.set(norm(name), field);
}

export function parseJsonLine(line: string): ParseResult {
  const obj = parseObject(line);
  if ('error' in obj) return obj;
  const got: Partial<Record<Field, string>> = {};
  const rec: AccessLogRecord = { format: 'json', upstreams: [], extra: {}, vars: {}, warnings: [] };
  for (const [key, value] of Object.entries(obj.fields)) {
    const field = BY_KEY.get(norm(key));
    if (field && got[field] === undefined) got[field] = value;
    else rec.extra[key] = value;
  }
  if (got.status === undefined && got.request === undefined && got.uri === undefined) {
    return { error: 'JSON object has none of the access-log keys status, request, uri/path' };
  }
  for (const [k, v] of Object.entries(got)) if (k !== 'time' && k !== 'duration') rec.vars[k] = v;
  const val = (f: Field) => (isDash(got[f]) ? undefined : got[f]);

  if (val('time')) {
    const t = val('time')!;
    rec.timeLocal = t;
    rec.timeUnixMs = parseTimeLocal(t) ?? parseIsoTime(t) ?? epochMs(t);
    if (rec.timeUnixMs === undefined) rec.warnings.push(`time "${clip(t)}" is not a recognised date`);
  }
  rec.remoteAddr = val('remote_addr');
  rec.remoteUser = val('remote_user');
  if (val('request')) {
    rec.request = val('request');
    Object.assign(rec, stripUndefined(splitRequest(rec.request!)));
  }
  rec.method = val('method') ?? rec.method;
  if (val('uri')) rec.uri = val('args') ? `${val('uri')}?${val('args')}` : val('uri');
  rec.protocol = val('protocol') ?? rec.protocol;
  rec.status = num(rec, got, 'status', parseUint);
  if (rec.status !== undefined && rec.status > 999) {
    rec.warnings.push(`status ${rec.status} is not an HTTP status`);
    rec.status = undefined;
  }
  rec.bodyBytesSent = num(rec, got, 'body_bytes_sent', parseUint);
  rec.referer = val('http_referer');
  rec.userAgent = val('http_user_agent');
  rec.requestLength = num(rec, got, 'request_length', parseUint);
  rec.requestTime = num(rec, got, 'request_time', parseSeconds) ?? num(rec, got, 'duration', parseSeconds);
  if (got.request_time === undefined && rec.requestTime !== undefined) rec.vars.request_time = got.duration!;
  rec.proxyUpstreamName = val('proxy_upstream_name');
  rec.proxyAlternativeUpstreamName = val('proxy_alternative_upstream_name');
  rec.reqId = val('req_id');
  rec.msec = num(rec, got, 'msec', parseSeconds);
  if (rec.msec === undefined && got.time && /^\d{9,12}\.\d{1,9}$/.test(got.time)) {
    rec.msec = Number(got.time);
    rec.vars.msec = got.time;
  }
  rec.namespace = val('namespace');
  rec.ingressName = val('ingress_name');
  rec.serviceName = val('service_name');
  rec.servicePort = val('service_port');
  rec.upstreams = buildUpstreams(
    {
      addr: got.upstream_addr,
      status: got.upstream_status,
      responseTime: got.upstream_response_time,
      connectTime: got.upstream_connect_time,
      headerTime: got.upstream_header_time,
      responseLength: got.upstream_response_length,
    },
    rec.warnings,
  );
  for (const k of Object.keys(rec) as (keyof AccessLogRecord)[]) if (rec[k] === undefined) delete rec[k];
  return { record: rec };
}

function num(
  rec: AccessLogRecord,
  got: Partial<Record<Field, string>>,
  f: Field,
  parse: (s: string) => number | undefined,
) {
  const raw = got[f];
  if (isDash(raw)) return undefined;
  const v = parse(raw!.trim());
  if (v === undefined) rec.warnings.push(`${f} "${clip(raw!)}" is not a number`);
  return v;
}

function epochMs(s: string): number | undefined {
  if (!/^\d{9,16}(\.\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return n < 1e11 ? n * 1000 : n; // seconds (msec-like) or milliseconds
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Flat string fields of a JSON object line. Falls back to a lenient reader for lines nginx made invalid JSON by
 * logging a variable unquoted (`"upstream_status": 502, 200` or `"request_time": -`). */
function parseObject(line: string): { fields: Record<string, string> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    const lenient = parseLenient(line);
    if (lenient) return { fields: lenient };
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'JSON line is not an object' };
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    fields[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return { fields };
}

// A hand-written scanner, linear in the line length whatever the input (no regex backtracking).
function parseLenient(line: string): Record<string, string> | undefined {
  const s = line.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
  const out: Record<string, string> = {};
  const ws = (i: number) => {
    while (i < s.length && /\s/.test(s[i])) i++;
    return i;
  };
  const str = (i: number): [string, number] | undefined => {
    let j = i + 1;
    while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    if (j >= s.length) return undefined;
    const v = unjson(s.slice(i + 1, j));
    return v === undefined ? undefined : [v, j + 1];
  };
  let i = ws(1);
  if (i === s.length - 1) return out;
  for (;;) {
    if (s[i] !== '"') return undefined;
    const key = str(i);
    if (!key) return undefined;
    i = ws(key[1]);
    if (s[i] !== ':') return undefined;
    i = ws(i + 1);
    let value: string;
    if (s[i] === '"') {
      const v = str(i);
      if (!v) return undefined;
      [value, i] = v;
    } else {
      let j = i;
      for (;;) {
        if (j >= s.length || s[j] === '"' || s[j] === '{' || s[j] === '[') return undefined;
        if (s[j] === '}' && j === s.length - 1) break;
        if (s[j] === ',') {
          const k = ws(j + 1);
          if (s[k] === '"') break;
          j = k;
          continue;
        }
        j++;
      }
      value = s.slice(i, j).trim();
      i = j;
    }
    out[key[0]] = value;
    i = ws(i);
    if (s[i] === '}' && i === s.length - 1) return out;
    if (s[i] !== ',') return undefined;
    i = ws(i + 1);
  }
}

// With `log-format-escape-json` off nginx writes `\x22` inside JSON strings, which JSON.parse rejects.
function unjson(inner: string): string | undefined {
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return unescapeNginx(inner);
  }
}
