// Envoy access lines: Envoy's default text format, Istio's default (the same with response code details,
// termination details and upstream fields added), and Envoy Gateway's default JSON (one object per line).
import { errorMessage } from '../../errors';
import { parseLogLine } from '../controller-log/classify';
import { dashToUndef, intOrUndef } from '../controller-log/span-kit';
import { tokenize, type Token } from '../nginx-log/tokenize';
import { splitRequest, unescapeNginx } from '../nginx-log/values';

export interface EnvoyRecord {
  format: 'envoy-text' | 'istio-text' | 'envoy-gateway-json';
  startTime: string;
  startUnixMs: number;
  method?: string;
  path?: string;
  protocol?: string;
  /** 0 when Envoy sent no response (e.g. a reset). */
  status: number;
  /** `-` or comma-separated short flags (`UH`, `NR`, `UF,URX` …). */
  responseFlags: string[];
  responseCodeDetails?: string;
  connectionTerminationDetails?: string;
  upstreamTransportFailureReason?: string;
  bytesReceived?: number;
  bytesSent?: number;
  /** `%DURATION%`: ms from the first request byte to the last response byte. */
  durationMs?: number;
  /** `x-envoy-upstream-service-time`: ms the upstream took, as Envoy measured it. */
  upstreamServiceTimeMs?: number;
  forwardedFor?: string;
  userAgent?: string;
  requestId?: string;
  authority?: string;
  upstreamHost?: string;
  upstreamCluster?: string;
  upstreamLocalAddress?: string;
  downstreamLocalAddress?: string;
  downstreamRemoteAddress?: string;
  requestedServerName?: string;
  routeName?: string;
}

type Result = { record: EnvoyRecord } | { error: string };

export function parseEnvoyLine(line: string): Result {
  return parseLogLine(line, 1 << 20, (raw) => {
    const body = raw.trim();
    return body.startsWith('{') ? parseJson(body) : parseText(body);
  });
}

const START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function parseText(body: string): Result {
  const tk = tokenize(body);
  if ('error' in tk) return tk;
  const t = tk.tokens;
  if (t[0]?.kind !== 'bracket' || !START.test(t[0].text)) return { error: 'expected [%START_TIME%] first' };
  if (t[1]?.kind !== 'quoted') return { error: 'expected "METHOD PATH PROTOCOL" after the start time' };
  const rec = base('envoy-text', t[0].text);
  if (rec === undefined) return { error: `[${t[0].text}] is not a valid time` };
  Object.assign(rec, pathParts(unescapeNginx(t[1].text)));
  const status = intOrUndef(bare(t[2]));
  if (status === undefined) return { error: `response code "${bare(t[2]) ?? ''}" is not a number` };
  rec.status = status;
  rec.responseFlags = flags(bare(t[3]));
  let i = 4;
  // Istio adds %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%".
  if (t[i + 2]?.kind === 'quoted' && t[i]?.kind === 'bare' && t[i + 1]?.kind === 'bare') {
    rec.format = 'istio-text';
    rec.responseCodeDetails = dashToUndef(t[i].text);
    rec.connectionTerminationDetails = dashToUndef(t[i + 1].text);
    rec.upstreamTransportFailureReason = dashToUndef(t[i + 2].text);
    i += 3;
  }
  const nums = [t[i], t[i + 1], t[i + 2], t[i + 3]].map(bare);
  if (nums.some((n) => n === undefined))
    return { error: 'expected BYTES_RECEIVED BYTES_SENT DURATION UPSTREAM_SERVICE_TIME' };
  for (const [k, n] of nums.entries()) {
    if (n !== '-' && intOrUndef(n) === undefined)
      return { error: `"${n}" in the byte/duration fields is not a number` };
    if (k < 3 && n === '-') return { error: 'bytes and duration cannot be "-"' };
  }
  rec.bytesReceived = intOrUndef(nums[0]);
  rec.bytesSent = intOrUndef(nums[1]);
  rec.durationMs = intOrUndef(nums[2]);
  rec.upstreamServiceTimeMs = intOrUndef(nums[3]);
  i += 4;
  const q = t.slice(i, i + 5);
  if (q.length < 5 || q.some((x) => x.kind !== 'quoted'))
    return { error: 'expected "X-FORWARDED-FOR" "USER-AGENT" "X-REQUEST-ID" "AUTHORITY" "UPSTREAM_HOST"' };
  [rec.forwardedFor, rec.userAgent, rec.requestId, rec.authority, rec.upstreamHost] = q.map((x) =>
    dashToUndef(unescapeNginx(x.text)),
  );
  i += 5;
  const rest = t.slice(i).map((x) => dashToUndef(x.text));
  [
    rec.upstreamCluster,
    rec.upstreamLocalAddress,
    rec.downstreamLocalAddress,
    rec.downstreamRemoteAddress,
    rec.requestedServerName,
    rec.routeName,
  ] = rest;
  return { record: rec };
}

function parseJson(body: string): Result {
  let o: unknown;
  try {
    o = JSON.parse(body);
  } catch (e) {
    return { error: `not valid JSON: ${errorMessage(e)}` };
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { error: 'not a JSON object' };
  const j = o as Record<string, unknown>;
  const str = (k: string) =>
    typeof j[k] === 'string' ? dashToUndef(j[k] as string) : typeof j[k] === 'number' ? String(j[k]) : undefined;
  const num = (k: string) => (typeof j[k] === 'number' ? (j[k] as number) : intOrUndef(str(k)));
  const start = str('start_time');
  if (!start) return { error: 'no "start_time"' };
  const rec = base('envoy-gateway-json', start);
  if (!rec) return { error: `start_time "${start}" is not a valid time` };
  const status = num('response_code');
  if (status === undefined || status < 0) return { error: 'no numeric "response_code"' };
  rec.status = status;
  rec.method = str('method');
  rec.path = str('x-envoy-origin-path') ?? str('path');
  rec.protocol = str('protocol');
  rec.responseFlags = flags(str('response_flags'));
  rec.responseCodeDetails = str('response_code_details');
  rec.connectionTerminationDetails = str('connection_termination_details');
  rec.upstreamTransportFailureReason = str('upstream_transport_failure_reason');
  rec.bytesReceived = num('bytes_received');
  rec.bytesSent = num('bytes_sent');
  rec.durationMs = num('duration');
  rec.upstreamServiceTimeMs = num('x-envoy-upstream-service-time');
  rec.forwardedFor = str('x-forwarded-for');
  rec.userAgent = str('user-agent');
  rec.requestId = str('x-request-id');
  rec.authority = str(':authority');
  rec.upstreamHost = str('upstream_host');
  rec.upstreamCluster = str('upstream_cluster');
  rec.upstreamLocalAddress = str('upstream_local_address');
  rec.downstreamLocalAddress = str('downstream_local_address');
  rec.downstreamRemoteAddress = str('downstream_remote_address');
  rec.requestedServerName = str('requested_server_name');
  rec.routeName = str('route_name');
  for (const k of Object.keys(rec) as (keyof EnvoyRecord)[]) if (rec[k] === undefined) delete rec[k];
  return { record: rec };
}

function base(format: EnvoyRecord['format'], startTime: string): EnvoyRecord | undefined {
  const ms = START.test(startTime) ? Date.parse(startTime) : NaN;
  if (!Number.isFinite(ms)) return undefined;
  return { format, startTime, startUnixMs: ms, status: 0, responseFlags: [] };
}

function pathParts(request: string) {
  const p = splitRequest(request);
  return { method: dashToUndef(p.method), path: dashToUndef(p.uri), protocol: dashToUndef(p.protocol) };
}

const bare = (t: Token | undefined) => (t?.kind === 'bare' ? t.text : undefined);
const flags = (s: string | undefined) => (s && s !== '-' ? s.split(',').filter(Boolean) : []);
