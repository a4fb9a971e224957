// One app-log line: logfmt, JSON, or plain text that merely mentions an id. Never throws.
import { isSpanId, isTraceId, parseTraceparent } from '../../ids';
import { parseLogTime } from './timestamp';
import type { AppLogLine } from './types';

export type { AppLogLine } from './types';

const MAX_LINE = 1 << 20;

export function parseAppLogLine(line: string): AppLogLine | undefined {
  try {
    if (typeof line !== 'string') return undefined;
    const raw = line.replace(/\r?\n$/, '');
    if (!raw.trim() || raw.length > MAX_LINE) return undefined;
    const body = raw.trim();
    let fields: Record<string, string> | undefined;
    if (body.startsWith('{')) fields = jsonFields(body);
    if (!fields) {
      // Two real key=value pairs make it logfmt; fewer is prose that happens to hold an '='.
      const kv = logfmtPairs(body);
      if (kv.pairs >= 2) fields = kv.fields;
    }
    return fields ? fromFields(raw, fields) : fromText(raw);
  } catch {
    return { raw: line, fields: {} };
  }
}

/** logfmt: `key=value key="quoted \" value" flag`. Bare keys count as `true`; stray text is ignored. */
export function logfmt(s: string): Record<string, string> {
  return logfmtPairs(s).fields;
}

function logfmtPairs(s: string): { fields: Record<string, string>; pairs: number } {
  const out: Record<string, string> = {};
  let pairs = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && s[i] <= ' ') i++;
    const k0 = i;
    while (i < n && s[i] > ' ' && s[i] !== '=' && s[i] !== '"') i++;
    const key = s.slice(k0, i);
    if (!key) {
      i++;
      continue;
    }
    if (s[i] !== '=') {
      if (s[i] === undefined || s[i] <= ' ') out[key] ??= 'true';
      continue;
    }
    i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < n && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < n) {
          const e = s[i + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          i += 2;
        } else value += s[i++];
      }
      i++;
    } else {
      const v0 = i;
      while (i < n && s[i] > ' ') i++;
      value = s.slice(v0, i);
    }
    out[key] = value;
    pairs++;
  }
  return { fields: out, pairs };
}

function jsonFields(s: string): Record<string, string> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  // One level of nesting is common (`{"http": {"route": ...}}`): flatten it with dots.
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === null || val === undefined) continue;
    if (typeof val === 'object' && !Array.isArray(val)) {
      for (const [k2, v2] of Object.entries(val as Record<string, unknown>)) {
        if (v2 !== null && v2 !== undefined)
          out[`${k}.${k2}`] = typeof v2 === 'object' ? JSON.stringify(v2) : String(v2);
      }
    } else out[k] = Array.isArray(val) ? JSON.stringify(val) : String(val);
  }
  return out;
}

const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
const KEYS = {
  requestId: ['request_id', 'requestId', 'x_request_id', 'x-request-id', 'req_id', 'http.request.header.x-request-id'],
  traceId: ['trace_id', 'traceId', 'trace.id', 'otel.trace_id', 'dd.trace_id'],
  spanId: ['span_id', 'spanId', 'span.id', 'otel.span_id'],
  traceparent: ['traceparent'],
  time: ['time', 'timestamp', 'ts', '@timestamp', 'datetime', 'asctime', 'date'],
  durationMs: ['duration_ms', 'durationMs', 'elapsed_ms', 'latency_ms', 'took_ms', 'response_time_ms'],
  durationS: ['duration_s', 'duration_seconds', 'elapsed_s', 'request_time'],
  route: ['route', 'http.route', 'http_route'],
  method: ['method', 'http_method', 'http.method', 'http.request.method', 'request_method'],
  path: ['path', 'url.path', 'url_path', 'uri', 'request_path'],
  status: ['status', 'status_code', 'statusCode', 'http.status_code', 'http.response.status_code', 'http_status'],
  level: ['level', 'lvl', 'severity', 'levelname', 'log.level'],
  message: ['msg', 'message', 'event'],
};
type Key = keyof typeof KEYS;
const LOOKUP = new Map<string, Key>();
for (const [k, names] of Object.entries(KEYS) as [Key, string[]][]) for (const n of names) LOOKUP.set(norm(n), k);

function fromFields(raw: string, fields: Record<string, string>): AppLogLine {
  const got: Partial<Record<Key, string>> = {};
  for (const [k, v] of Object.entries(fields)) {
    const key = LOOKUP.get(norm(k));
    if (key && got[key] === undefined && v !== '' && v !== '-') got[key] = v;
  }
  const out: AppLogLine = { fields, raw };
  if (got.requestId) out.requestId = got.requestId;
  const tp = got.traceparent ? parseTraceparent(got.traceparent) : undefined;
  if (got.traceparent) out.traceparent = got.traceparent;
  const tid = got.traceId?.toLowerCase();
  if (tid && isTraceId(tid)) out.traceId = tid;
  else if (tp) out.traceId = tp.traceId;
  const sid = got.spanId?.toLowerCase();
  if (sid && isSpanId(sid)) out.spanId = sid;
  if (got.time) {
    const t = parseLogTime(got.time);
    if (t !== undefined) out.timeUnixNano = t;
  }
  const dur = num(got.durationMs) ?? mul(num(got.durationS), 1000);
  if (dur !== undefined && dur >= 0) out.durationMs = dur;
  if (got.route) out.route = got.route;
  if (got.method) out.method = got.method.toUpperCase();
  if (got.path) out.path = got.path;
  const st = num(got.status);
  if (st !== undefined && Number.isInteger(st) && st >= 100 && st <= 999) out.status = st;
  if (got.level) out.level = got.level;
  if (got.message) out.message = got.message;
  return out;
}

const num = (s: string | undefined) =>
  s !== undefined && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s.trim()) ? Number(s) : undefined;
const mul = (x: number | undefined, k: number) => (x === undefined ? undefined : x * k);

const TRACEPARENT = /\b00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}\b/;
const REQUEST_ID = /\b(?:x[-_]?)?request[-_ ]?id["']?\s*[=:]\s*["']?([A-Za-z0-9._~:/+-]{1,200})/i;
const TRACE_ID = /\btrace[-_ ]?id["']?\s*[=:]\s*["']?([0-9a-fA-F]{32})\b/i;
const LEAD_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\]?\s*/;
const LEVEL = /\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\b/;

// Plain text (e.g. a framework's default access line): pick out what can be recognised.
function fromText(raw: string): AppLogLine {
  const out: AppLogLine = { fields: {}, raw };
  const head = raw.length > 8192 ? raw.slice(0, 8192) : raw;
  const t = LEAD_TIME.exec(head);
  if (t) {
    const ns = parseLogTime(t[1]);
    if (ns !== undefined) out.timeUnixNano = ns;
  }
  const tp = TRACEPARENT.exec(head);
  if (tp) {
    out.traceparent = tp[0];
    out.traceId = tp[1];
  }
  const tid = TRACE_ID.exec(head);
  if (tid && isTraceId(tid[1].toLowerCase())) out.traceId = tid[1].toLowerCase();
  const rid = REQUEST_ID.exec(head);
  if (rid) out.requestId = rid[1];
  const lv = LEVEL.exec(head);
  if (lv) out.level = lv[1].toLowerCase();
  const msg = raw.slice(t ? t[0].length : 0).trim();
  if (msg) out.message = msg;
  return out;
}
