// The trace store's query port: Jaeger's query API v3 (HTTP/JSON) and the classic UI API, answering byte for
// byte as Jaeger v2 does for the routes Kubetrace uses.
//
// Source: jaegertracing/jaeger cmd/query/app/apiv3/http_gateway.go (v2, querysvc/v2):
//  - getTrace parses the id with model.TraceIDFromString (up to 32 hex digits, shorter ones are zero-padded);
//    a bad id is 400 with "malformed parameter trace_id: <err>".
//  - found: jsonpb-marshals GRPCGatewayWrapper{Result: TracesData} -> {"result":{"resourceSpans":[...]}}, the
//    traces written by pdata's ptrace.JSONMarshaler, i.e. OTLP/JSON: ids in lowercase HEX (not base64),
//    int64 as strings, enums as numbers (see cmd/query/app/apiv3/snapshots/GetTrace.json, which also shows
//    `"parentSpanId": ""` on roots and empty `{}` resource/scope). No Content-Type is set, so Go's sniffing
//    sends text/plain; charset=utf-8.
//  - missing: returnTraces sees no traces and answers http.Error(w, `{"error":{"httpCode":404,"message":"No traces found"}}`, 404)
//    (json.Marshal of api_v3.GRPCGatewayError; grpcCode/httpStatus are omitempty), which adds a newline,
//    text/plain; charset=utf-8 and X-Content-Type-Options: nosniff.
//  - getServices: jsonpb of GetServicesResponse -> {"services":[...]} ({} when empty: jsonpb omits empty lists).
// Classic API (cmd/query/app/http_handler.go): structuredResponse {data,total,limit,offset,errors}, application/json.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OtlpResourceSpans } from '../../core/ingest/otlp/types';
import { toJaegerTrace } from './jaeger-ui';
import type { TraceStore } from './store';
import { errorMessage } from '../../core/errors';

const SPAN_KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

export function createQueryHandler(store: TraceStore): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      route(store, req, res);
    } catch (e) {
      if (!res.headersSent) httpError(res, JSON.stringify({ error: { httpCode: 500, message: errorMessage(e) } }), 500);
      else res.destroy();
    }
  };
}

function route(store: TraceStore, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://trace-store');
  const path = url.pathname;
  let m: RegExpExecArray | null;
  const get = (handler: () => void) =>
    req.method === 'GET' || req.method === 'HEAD' ? handler() : methodNotAllowed(res);

  if ((m = /^\/api\/v3\/traces\/([^/]+)$/.exec(path))) return get(() => v3Trace(store, res, decodeURIComponent(m![1])));
  if (path === '/api/v3/traces') return get(() => v3Find(store, res, url.searchParams));
  if (path === '/api/v3/services')
    return get(() => sendSniffed(res, 200, JSON.stringify(nonEmpty({ services: store.services() }))));
  if (path === '/api/v3/operations') {
    return get(() => {
      const ops = store
        .operations(url.searchParams.get('service') ?? '')
        .map((o) => nonEmpty({ name: o.name, spanKind: SPAN_KINDS[o.kind] ?? '' }));
      sendSniffed(res, 200, JSON.stringify(nonEmpty({ operations: ops })));
    });
  }
  if ((m = /^\/api\/traces\/([^/]+)$/.exec(path)))
    return get(() => classicTrace(store, res, decodeURIComponent(m![1])));
  if (path === '/api/services') {
    return get(() => {
      const s = store.services();
      sendJson(res, 200, structured(s, s.length));
    });
  }
  // gorilla/mux falls back to http.NotFound.
  httpError(res, '404 page not found', 404);
}

function v3Trace(store: TraceStore, res: ServerResponse, raw: string): void {
  const id = parseTraceId(raw);
  if ('error' in id) {
    return httpError(
      res,
      JSON.stringify({ error: { httpCode: 400, message: `malformed parameter trace_id: ${id.error}` } }),
      400,
    );
  }
  const resourceSpans = store.get(id.hex);
  if (!resourceSpans)
    return httpError(res, JSON.stringify({ error: { httpCode: 404, message: 'No traces found' } }), 404);
  sendSniffed(res, 200, JSON.stringify({ result: { resourceSpans: withEmptyParents(resourceSpans) } }));
}

// FindTraces (apiv3/query_parser.go, v2): canonical camelCase names, the snake_case ones still accepted; both times
// required and RFC 3339 with nanoseconds; search depth (query.num_traces is its old name) defaults to 100 and must lie
// in 1..max traces; the traces found are answered as one resourceSpans list, none as 404 "No traces found".
function v3Find(store: TraceStore, res: ServerResponse, q: URLSearchParams): void {
  const param = (canonical: string, old: string) =>
    q.get(canonical) ? { v: q.get(canonical)!, name: canonical } : { v: q.get(old) ?? '', name: old };
  const bad = (message: string, status = 400) =>
    httpError(res, JSON.stringify({ error: { httpCode: status, message } }), status);
  const service = param('query.serviceName', 'query.service_name').v;
  const min = param('query.startTimeMin', 'query.start_time_min');
  const max = param('query.startTimeMax', 'query.start_time_max');
  if (!min.v || !max.v) return bad('query.startTimeMin and query.startTimeMax are required');
  const from = parseRfc3339Nano(min.v);
  if (from === undefined) return bad(`malformed parameter ${min.name}: parsing time ${JSON.stringify(min.v)}`);
  const to = parseRfc3339Nano(max.v);
  if (to === undefined) return bad(`malformed parameter ${max.name}: parsing time ${JSON.stringify(max.v)}`);
  if (from >= to) return bad('query.startTimeMin must be before query.startTimeMax');
  let depth = param('query.searchDepth', 'query.search_depth');
  if (!depth.v && q.get('query.num_traces')) depth = { v: q.get('query.num_traces')!, name: 'query.num_traces' };
  const n = depth.v ? Number(depth.v) : 100;
  if (!/^[+-]?\d+$/.test(depth.v || '100'))
    return bad(`malformed parameter ${depth.name}: strconv.Atoi: parsing ${JSON.stringify(depth.v)}: invalid syntax`);
  if (n <= 0 || n > store.limits.maxTraces)
    return bad('search depth must be greater than 0 and less than max traces', 500);
  const ids = store.find(service, from, to, n);
  if (!ids.length) return httpError(res, JSON.stringify({ error: { httpCode: 404, message: 'No traces found' } }), 404);
  const resourceSpans = ids.flatMap((id) => store.get(id) ?? []);
  sendSniffed(res, 200, JSON.stringify({ result: { resourceSpans: withEmptyParents(resourceSpans) } }));
}

/** Go's time.Parse(time.RFC3339Nano, s) for the forms it accepts, as Unix nanoseconds; undefined when it fails. */
export function parseRfc3339Nano(s: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
}

function classicTrace(store: TraceStore, res: ServerResponse, raw: string): void {
  const id = parseTraceId(raw);
  if ('error' in id) return sendJson(res, 400, structured(null, 0, [{ code: 400, msg: id.error }]));
  const resourceSpans = store.get(id.hex);
  if (!resourceSpans) return sendJson(res, 404, structured(null, 0, [{ code: 404, msg: 'trace not found' }]));
  sendJson(res, 200, structured([toJaegerTrace(id.hex, resourceSpans)], 0));
}

/** Jaeger's model.TraceIDFromString, with Go's strconv.ParseUint error texts. Returns 32 lowercase hex digits. */
export function parseTraceId(s: string): { hex: string } | { error: string } {
  if (s.length > 32) return { error: `TraceID cannot be longer than 32 hex characters: ${s}` };
  const parts = s.length > 16 ? [s.slice(0, s.length - 16), s.slice(s.length - 16)] : [s];
  for (const p of parts)
    if (!/^[0-9a-fA-F]+$/.test(p)) return { error: `strconv.ParseUint: parsing ${JSON.stringify(p)}: invalid syntax` };
  return { hex: s.toLowerCase().padStart(32, '0') };
}

/** pdata's JSON writes "parentSpanId": "" for root spans (see the GetTrace.json snapshot). */
function withEmptyParents(resourceSpans: OtlpResourceSpans[]): OtlpResourceSpans[] {
  return resourceSpans.map((rs) => ({
    ...rs,
    scopeSpans: rs.scopeSpans.map((ss) => ({
      ...ss,
      spans: ss.spans.map((s) => (s.parentSpanId ? s : { ...s, parentSpanId: '' })),
    })),
  }));
}

function nonEmpty<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== '' && !(Array.isArray(v) && v.length === 0)),
  ) as Partial<T>;
}

function structured(data: unknown, total: number, errors: { code: number; msg: string }[] | null = null): string {
  return JSON.stringify({ data, total, limit: 0, offset: 0, errors });
}

// Go's http.Error: text/plain, nosniff, body plus newline.
function httpError(res: ServerResponse, body: string, status: number): void {
  const text = `${body}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendSniffed(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// gorilla/mux answers a known path with the wrong method 405 and an empty body.
function methodNotAllowed(res: ServerResponse): void {
  res.writeHead(405, { 'Content-Length': 0 });
  res.end();
}
