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
