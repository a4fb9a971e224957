// Traefik access lines: the CLF default (`… "<Referer>" "<User-Agent>" <count> "<router>" "<server URL>" <N>ms`,
// status and size `-` when no response was written) and the JSON format (one object per line).
import { errorMessage } from '../../errors';
import { parseLogLine } from '../controller-log/classify';
import { dashToUndef, intOrUndef } from '../controller-log/span-kit';
import { tokenize } from '../nginx-log/tokenize';
import { parseIsoTime, parseTimeLocal, splitRequest, unescapeNginx } from '../nginx-log/values';

export interface TraefikRecord {
  format: 'traefik-clf' | 'traefik-json';
  client?: string;
  user?: string;
  /** When the request started (CLF: 1 s resolution; JSON StartUTC: ns). */
  startUnixMs: number;
  /** JSON StartUTC as written, so nanoseconds survive. */
  startUtc?: string;
  method?: string;
  path?: string;
  protocol?: string;
  host?: string;
  status?: number;
  originStatus?: number;
  size?: number;
  referer?: string;
  userAgent?: string;
  requestCount?: number;
  router?: string;
  service?: string;
  serviceUrl?: string;
  /** Nanoseconds (JSON) or ms * 1e6 (CLF). */
  durationNs: bigint;
  originDurationNs?: bigint;
  overheadNs?: bigint;
  retryAttempts?: number;
  traceId?: string;
  requestId?: string;
  /** `request_<Header>` / `downstream_<Header>` / `origin_<Header>` keys kept as given. */
  headers: Record<string, string>;
}

type Result = { record: TraefikRecord } | { error: string };

export function parseTraefikLine(line: string): Result {
  return parseLogLine(line, 1 << 20, (raw) => {
    const body = raw.trim();
    return body.startsWith('{') ? parseJson(body) : parseClf(body);
  });
}

function parseClf(body: string): Result {
  const tk = tokenize(body);
  if ('error' in tk) return tk;
  const t = tk.tokens;
  if (t.length !== 13) return { error: `expected 13 fields for Traefik's CLF, found ${t.length}` };
  const kinds = t.map((x) => x.kind[0]).join('');
  if (kinds !== 'bbbbqbbqqbqqb') return { error: 'fields are not in the order of Traefik CLF' };
  if (t[1].text !== '-') return { error: 'expected `<ClientHost> - <user> [date]` at the start' };
  const start = parseTimeLocal(t[3].text);
  if (start === undefined) return { error: `[${t[3].text}] is not a valid date` };
  const dur = /^(\d{1,15})ms$/.exec(t[12].text);
  if (!dur) return { error: `"${t[12].text}" is not a duration in ms` };
  const status = t[5].text === '-' ? undefined : intOrUndef(t[5].text);
  if (t[5].text !== '-' && (status === undefined || status > 999))
    return { error: `"${t[5].text}" is not an HTTP status` };
  const size = t[6].text === '-' ? undefined : intOrUndef(t[6].text);
  if (t[6].text !== '-' && size === undefined) return { error: `"${t[6].text}" is not a size` };
  const count = intOrUndef(t[9].text);
  if (count === undefined) return { error: `"${t[9].text}" is not a request count` };
  const req = splitRequest(unescapeNginx(t[4].text));
  return {
    record: {
      format: 'traefik-clf',
      client: t[0].text,
      user: dashToUndef(t[2].text),
      startUnixMs: start,
      method: req.method,
      path: req.uri,
      protocol: req.protocol,
      status,
      size,
      referer: dashToUndef(unescapeNginx(t[7].text)),
      userAgent: dashToUndef(unescapeNginx(t[8].text)),
      requestCount: count,
      router: dashToUndef(unescapeNginx(t[10].text)),
      serviceUrl: dashToUndef(unescapeNginx(t[11].text)),
      durationNs: BigInt(dur[1]) * 1_000_000n,
      headers: {},
    },
  };
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
  const str = (k: string) => (typeof j[k] === 'string' ? dashToUndef(j[k] as string) : undefined);
  const num = (k: string) => (typeof j[k] === 'number' && Number.isFinite(j[k]) ? (j[k] as number) : undefined);
  const ns = (k: string) => {
    const v = num(k);
    return v !== undefined && v >= 0 && Number.isSafeInteger(v) ? BigInt(v) : undefined;
  };
  const startUtc = str('StartUTC') ?? str('StartLocal') ?? str('time');
  const start = startUtc !== undefined ? parseIsoTime(startUtc) : undefined;
  if (start === undefined) return { error: 'no valid "StartUTC"' };
  const duration = ns('Duration');
  if (duration === undefined) return { error: 'no "Duration" in nanoseconds' };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(j))
    if (/^(request|downstream|origin)_/.test(k) && typeof v === 'string') headers[k] = v;
  const rec: TraefikRecord = {
    format: 'traefik-json',
    client: str('ClientHost'),
    user: str('ClientUsername'),
    startUnixMs: start,
    startUtc,
    method: str('RequestMethod'),
    path: str('RequestPath'),
    protocol: str('RequestProtocol'),
    host: str('RequestHost'),
    status: num('DownstreamStatus'),
    originStatus: num('OriginStatus'),
    size: num('DownstreamContentSize'),
    requestCount: num('RequestCount'),
    router: str('RouterName'),
    service: str('ServiceName'),
    serviceUrl: str('ServiceURL') ?? str('ServiceAddr'),
    durationNs: duration,
    originDurationNs: ns('OriginDuration'),
    overheadNs: ns('Overhead'),
    retryAttempts: num('RetryAttempts'),
    traceId: str('TraceId') ?? str('trace_id'),
    requestId: headers['request_X-Request-Id'] ?? headers['request_X-Request-ID'],
    headers,
  };
  rec.userAgent = headers['request_User-Agent'];
  rec.referer = headers['request_Referer'];
  for (const k of Object.keys(rec) as (keyof TraefikRecord)[]) if (rec[k] === undefined) delete rec[k];
  return { record: rec };
}
