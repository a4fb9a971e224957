// The text formats: ingress-nginx's `upstreaminfo` (default, +timings, method/uri, legacy) and nginx `combined`.
import { fastLine } from './fast-line';
import { joinLists, tokenize, type Token } from './tokenize';
import type { AccessLogFormat, AccessLogRecord, ParseResult } from './types';
import { putUpstreams, TIME_LIST } from './upstreams';
import { clip, isDash, parseSeconds, parseTimeLocal, parseUint, splitRequest, unescapeNginx } from './values';

const fail = (error: string): ParseResult => ({ error });
const MSEC = /^\d{9,12}\.\d{3}$/;

export function parseTextLine(line: string): ParseResult {
  const fast = fastLine(line);
  if (fast) return fast;
  return parseTokens(line);
}

/** Any text format, field by field (parseTextLine takes the common line the fast way first). */
export function parseTokens(line: string): ParseResult {
  const tk = tokenize(line);
  if ('error' in tk) return tk;
  const t = tk.tokens;
  if (t.length < 7) return fail(`too few fields (${t.length}) for an access-log line`);
  const rec: AccessLogRecord = { format: 'combined', upstreams: [], extra: {}, vars: {}, warnings: [] };

  const start = readStart(t, rec);
  if ('error' in start) return start;
  const { i, legacy } = start;
  const user = t[i].text;
  rec.vars.remote_user = user;
  if (!isDash(user)) rec.remoteUser = user;

  const time = t[i + 1];
  if (time?.kind !== 'bracket') return fail(`expected [$time_local] at column ${time?.col ?? line.length}`);
  const ms = parseTimeLocal(time.text);
  if (ms === undefined)
    return fail(`[${clip(time.text)}] is not a valid $time_local (want 27/Nov/2026:10:00:00 +0000)`);
  rec.timeLocal = time.text;
  rec.timeUnixMs = ms;
  rec.vars.time_local = time.text;

  const req = t[i + 2];
  if (req?.kind !== 'quoted') return fail(`expected "$request" at column ${req?.col ?? line.length}`);
  rec.request = unescapeNginx(req.text);
  rec.vars.request = rec.request;
  const parts = splitRequest(rec.request);
  if (parts.method !== undefined) rec.method = parts.method;
  if (parts.uri !== undefined) rec.uri = parts.uri;
  if (parts.protocol !== undefined) rec.protocol = parts.protocol;

  const status = parseUint(text(t[i + 3]));
  if (status === undefined || status > 999) return fail(`status field "${clip(text(t[i + 3]))}" is not an HTTP status`);
  rec.status = status;
  rec.vars.status = text(t[i + 3]);
  const bytes = parseUint(text(t[i + 4]));
  if (bytes === undefined) return fail(`body_bytes_sent field "${clip(text(t[i + 4]))}" is not a number`);
  rec.bodyBytesSent = bytes;
  rec.vars.body_bytes_sent = text(t[i + 4]);

  // nginx `common` ends here; `combined` adds referer and user agent.
  if (t.length === i + 5) return { record: rec };
  const ref = t[i + 5];
  const ua = t[i + 6];
  if (ref?.kind !== 'quoted' || ua?.kind !== 'quoted')
    return fail('expected "$http_referer" "$http_user_agent" after body_bytes_sent');
  const referer = unescapeNginx(ref.text);
  rec.vars.http_referer = referer;
  if (!isDash(referer)) rec.referer = referer;
  const userAgent = unescapeNginx(ua.text);
  rec.vars.http_user_agent = userAgent;
  if (!isDash(userAgent)) rec.userAgent = userAgent;

  const rest = t.slice(i + 7);
  // ingress-nginx's formats put [$proxy_upstream_name] after $request_length $request_time.
  if (rest.length >= 3 && rest[2].kind === 'bracket') return parseUpstreamInfo(rec, rest, legacy);
  // 0.8-era formats: the upstream fields with no [$proxy_upstream_name], after $request_length $request_time or not.
  if (legacy && rest.length) return parseUpstreamInfo(rec, rest, legacy, false);
  if (legacy) {
    rec.format = 'ingress-nginx-legacy';
    return { record: rec };
  }
  // F5 NGINX Ingress Controller's `main` = combined + "$http_x_forwarded_for".
  if (rest.length === 1 && rest[0].kind === 'quoted') {
    rec.format = 'nic-main';
    rec.vars.http_x_forwarded_for = unescapeNginx(rest[0].text);
    return { record: rec };
  }
  rest.forEach((tok, k) => {
    rec.extra[`field${i + 8 + k}`] = tok.kind === 'quoted' ? unescapeNginx(tok.text) : tok.text;
  });
  return { record: rec };
}

function parseUpstreamInfo(rec: AccessLogRecord, all: Token[], legacy: boolean, named = true): ParseResult {
  if (!named) {
    // `$request_length $request_time` are there when the fourth field is no time list (it would be the
    // upstream response time if the line began with $upstream_addr).
    const timed = all.length >= 6 && parseUint(text(all[0])) !== undefined && parseSeconds(text(all[1])) !== undefined;
    return timed
      ? (readLengthAndTime(rec, all) ?? upstreamFields(rec, all.slice(2), legacy))
      : upstreamFields(rec, all, legacy);
  }
  const rest = all;
  const bad = readLengthAndTime(rec, rest);
  if (bad) return bad;
  const name = rest[2].text;
  rec.vars.proxy_upstream_name = name;
  if (!isDash(name)) rec.proxyUpstreamName = name;
  let k = 3;
  if (rest[k]?.kind === 'bracket') {
    const alt = rest[k].text;
    rec.vars.proxy_alternative_upstream_name = alt;
    if (!isDash(alt)) rec.proxyAlternativeUpstreamName = alt;
    k++;
  }
  return upstreamFields(rec, rest.slice(k), legacy);
}

function readLengthAndTime(rec: AccessLogRecord, rest: Token[]): ParseResult | undefined {
  const reqLen = parseUint(text(rest[0]));
  if (reqLen === undefined) return fail(`request_length field "${clip(text(rest[0]))}" is not a number`);
  rec.requestLength = reqLen;
  rec.vars.request_length = String(reqLen);
  const rt = parseSeconds(text(rest[1]));
  if (rt === undefined) return fail(`request_time field "${clip(text(rest[1]))}" is not a time in seconds`);
  rec.requestTime = rt;
  rec.vars.request_time = text(rest[1]);
  return undefined;
}

function upstreamFields(rec: AccessLogRecord, tail: Token[], legacy: boolean): ParseResult {
  const odd = tail.find((tok) => tok.kind !== 'bare');
  if (odd) return fail(`unexpected ${odd.kind} field at column ${odd.col} among the upstream fields`);
  const f = joinLists(tail.map((tok) => tok.text));
  if (f.length < 4)
    return fail(
      `expected $upstream_addr $upstream_response_length $upstream_response_time $upstream_status, found ${f.length} field(s)`,
    );
  const [addr, respLen, respTime, upStatus] = f;
  if (!TIME_LIST.test(respTime)) return fail(`upstream_response_time "${clip(respTime)}" is not a list of times`);
  let format: AccessLogFormat = legacy ? 'ingress-nginx-legacy' : 'ingress-nginx';
  let connect: string | undefined;
  let header: string | undefined;
  let reqIdWords = f.slice(4);
  // `... $req_id $upstream_connect_time $upstream_header_time $msec`: a client-chosen X-Request-ID may hold
  // spaces, so the timings are taken from the end and everything between is the request id.
  const n = f.length;
  if (n >= 8 && MSEC.test(f[n - 1]) && TIME_LIST.test(f[n - 2]) && TIME_LIST.test(f[n - 3])) {
    connect = f[n - 3];
    header = f[n - 2];
    rec.msec = Number(f[n - 1]);
    rec.vars.msec = f[n - 1];
    rec.vars.upstream_connect_time = connect;
    rec.vars.upstream_header_time = header;
    reqIdWords = f.slice(4, n - 3);
    if (!legacy) format = 'ingress-nginx+timings';
  } else if (reqIdWords.length > 1 && /^[0-9a-f]{32}$/.test(reqIdWords[0])) {
    // nginx's own $request_id is one 32-hex word, so what follows it was added to the format by the user.
    reqIdWords.slice(1).forEach((w, j) => {
      rec.extra[`trailing${j + 1}`] = w;
    });
    reqIdWords = reqIdWords.slice(0, 1);
  } // else: $req_id ends the documented formats, so several words are one client-chosen X-Request-ID.

  if (reqIdWords.length) {
    const id = reqIdWords.join(' ');
    rec.vars.req_id = id;
    if (!isDash(id)) rec.reqId = id;
  }
  putUpstreams(rec, {
    addr,
    responseLength: respLen,
    responseTime: respTime,
    status: upStatus,
    connectTime: connect,
    headerTime: header,
  });
  // `$uri` is decoded and may hold spaces, which `$request` (raw, rejected by nginx ≥ 1.21.1) cannot.
  if (format === 'ingress-nginx' && rec.uri?.includes(' ')) format = 'ingress-nginx-method-uri';
  rec.format = format;
  return { record: rec };
}

/**
 * The fields before `$remote_user [$time_local]`: `$remote_addr -` in the documented formats, and what is seen in
 * the wild: an X-Forwarded-For list in place of the address (`10.0.0.2, 10.0.0.1 - - [...]`), a `$host` before it
 * (`shop.example.com 10.0.0.1 - - [...]`), ingress-nginx 0.8-0.21's `%v - [$the_real_ip] -`,
 * `$remote_addr - [$proxy_add_x_forwarded_for] -` and `[$the_real_ip] -`.
 */
function readStart(t: Token[], rec: AccessLogRecord): { i: number; legacy: boolean } | { error: string } {
  if (isBare(t[1], '-') && t[2].kind === 'bracket' && isBare(t[3], '-') && t[4]?.kind === 'bare') {
    const realIp = t[2].text;
    const first = realIp.split(',')[0].trim();
    rec.remoteAddr = t[0].text === '%v' || isDash(t[0].text) ? first : t[0].text;
    rec.extra.the_real_ip = realIp;
    rec.vars.the_real_ip = realIp;
    rec.vars.remote_addr = rec.remoteAddr;
    return { i: 4, legacy: true };
  }
  if (t[0].kind === 'bracket' && isBare(t[1], '-') && t[2]?.kind === 'bare' && t[3]?.kind === 'bracket') {
    rec.remoteAddr = t[0].text;
    rec.extra.the_real_ip = t[0].text;
    rec.vars.the_real_ip = t[0].text;
    rec.vars.remote_addr = t[0].text;
    return { i: 2, legacy: true };
  }
  // The first `- <user> [` decides where the address ends; real prefixes are a few words.
  let j = 1;
  while (j < MAX_PREFIX && !(isBare(t[j], '-') && t[j + 1]?.kind === 'bare' && t[j + 2]?.kind === 'bracket')) j++;
  if (j >= MAX_PREFIX || t.slice(0, j).some((tok) => tok.kind !== 'bare'))
    return { error: 'expected `$remote_addr - $remote_user [$time_local]` at the start of the line' };
  const words = t.slice(0, j).map((tok) => tok.text);
  // Every word but the last of an address list ends with ','; a word before the list that does not is the host.
  let k = words.length - 1;
  while (k > 0 && words[k - 1].endsWith(',')) k--;
  if (k > 1) return { error: `${k} words before the client address: expected at most a $host prefix` };
  if (k === 1) {
    rec.vars.host = words[0];
    rec.extra.host = words[0];
  }
  const list = words.slice(k).join(' ');
  rec.vars.remote_addr = list;
  rec.remoteAddr = list.split(',')[0].trim();
  if (j - k > 1) rec.extra.forwarded_for = list;
  return { i: j + 1, legacy: false };
}

const MAX_PREFIX = 12;

const isBare = (tok: Token | undefined, value: string) => tok?.kind === 'bare' && tok.text === value;
const text = (tok: Token | undefined) => tok?.text ?? '';
