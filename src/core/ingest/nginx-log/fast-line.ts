// The common ingress-nginx line read by one regular expression: `upstreaminfo` with one upstream try, a request id
// and, optionally, `$upstream_connect_time $upstream_header_time $msec`, no escapes in its quoted fields. That is
// nearly every line of a real controller's log, and tokenizing it field by field was most of reading it. Anything
// else (retries, redirects, an X-Forwarded-For list, a $host prefix, escapes, odd fields) returns undefined and goes
// the general way (text-format.ts). The record is the one the general way makes, key for key and in the same order:
// test/unit/nginx-log-fast-line.test.ts compares the two on random and damaged lines.
import type { AccessLogRecord, ParseResult } from './types';
import { putUpstreams } from './upstreams';
import { isDash, parseSeconds, parseTimeLocal, parseUint, splitRequest } from './values';

// A bare word that the general tokenizer also reads as one bare word, and that no list rule joins or splits.
const WORD = String.raw`[^\s"\[,:][^\s,]*`;
const QUOTED = String.raw`"([^"\\]*)"`;
const LINE = new RegExp(
  String.raw`^(${WORD}) - (${WORD}) \[(\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] ${QUOTED} ` +
    String.raw`(\d{1,15}) (\d{1,15}) ${QUOTED} ${QUOTED} (\d{1,15}) (\d{1,12}(?:\.\d{1,9})?) ` +
    String.raw`\[([^\]]*)\] \[([^\]]*)\] (${WORD}) (${WORD}) (-|\d+\.\d+) (${WORD}) (${WORD})` +
    String.raw`(?: (-|\d+\.\d+) (-|\d+\.\d+) (\d{9,12}\.\d{3}))?$`,
);

export function fastLine(line: string): ParseResult | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, addr, user, time, request, status, bytes, referer, userAgent, reqLen, reqTime, name, alt] = m;
  const [upAddr, respLen, respTime, upStatus, reqId, connect, header, msec] = m.slice(13);
  const ms = parseTimeLocal(time);
  const st = parseUint(status);
  const len = parseUint(reqLen);
  // What the general way refuses, or reads as another format, it reads itself.
  if (ms === undefined || st === undefined || st > 999 || len === undefined) return undefined;
  const rec: AccessLogRecord = { format: 'combined', upstreams: [], extra: {}, vars: {}, warnings: [] };
  rec.vars.remote_addr = addr;
  rec.remoteAddr = addr;
  rec.vars.remote_user = user;
  if (!isDash(user)) rec.remoteUser = user;
  rec.timeLocal = time;
  rec.timeUnixMs = ms;
  rec.vars.time_local = time;
  rec.request = request;
  rec.vars.request = request;
  const parts = splitRequest(request);
  if (parts.method !== undefined) rec.method = parts.method;
  if (parts.uri !== undefined) rec.uri = parts.uri;
  if (parts.protocol !== undefined) rec.protocol = parts.protocol;
  rec.status = st;
  rec.vars.status = status;
  rec.bodyBytesSent = Number(bytes);
  rec.vars.body_bytes_sent = bytes;
  rec.vars.http_referer = referer;
  if (!isDash(referer)) rec.referer = referer;
  rec.vars.http_user_agent = userAgent;
  if (!isDash(userAgent)) rec.userAgent = userAgent;
  rec.requestLength = len;
  rec.vars.request_length = String(len);
  rec.requestTime = parseSeconds(reqTime);
  rec.vars.request_time = reqTime;
  rec.vars.proxy_upstream_name = name;
  if (!isDash(name)) rec.proxyUpstreamName = name;
  rec.vars.proxy_alternative_upstream_name = alt;
  if (!isDash(alt)) rec.proxyAlternativeUpstreamName = alt;
  if (msec !== undefined) {
    rec.msec = Number(msec);
    rec.vars.msec = msec;
    rec.vars.upstream_connect_time = connect;
    rec.vars.upstream_header_time = header;
  }
  rec.vars.req_id = reqId;
  if (!isDash(reqId)) rec.reqId = reqId;
  putUpstreams(rec, {
    addr: upAddr,
    responseLength: respLen,
    responseTime: respTime,
    status: upStatus,
    connectTime: connect,
    headerTime: header,
  });
  let format: AccessLogRecord['format'] = msec !== undefined ? 'ingress-nginx+timings' : 'ingress-nginx';
  if (format === 'ingress-nginx' && rec.uri?.includes(' ')) format = 'ingress-nginx-method-uri';
  rec.format = format;
  return { record: rec };
}
