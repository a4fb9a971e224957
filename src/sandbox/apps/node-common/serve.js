'use strict';
// A tiny router over node:http with the request log line every sandbox app writes:
// time=<request start, UTC, µs> level=info msg="request done" request_id=... traceparent=... method=GET
// route=... path=... status=... duration_ms=... trace_id=... span_id=...
const http = require('node:http');
const { context, trace, SpanStatusCode } = require('./otel').api;
const { getRPCMetadata, RPCType } = require('./otel').core;

function isoMicros(epochMs) {
  const whole = Math.floor(epochMs);
  const micros = Math.floor((epochMs - whole) * 1000);
  return new Date(whole).toISOString().replace(/\.(\d{3})Z$/, (_m, ms) => `.${ms}${String(micros).padStart(3, '0')}Z`);
}

const quote = (v) =>
  v === undefined || v === null || v === '' ? '-' : /[\s"=]/.test(String(v)) ? JSON.stringify(String(v)) : String(v);

/**
 * routes: [{ method, pattern: RegExp, route: '/orders/:id', handler(req, res, params, url) }]
 * A handler may return a promise; a thrown error becomes a 500 with the exception on the server span.
 */
function serve(routes, opts = {}) {
  const server = http.createServer((req, res) => {
    const startMs = performance.timeOrigin + performance.now();
    const serverSpan = trace.getSpan(context.active());
    const url = new URL(req.url || '/', 'http://local');
    let route = '-';
    res.on('finish', () => {
      const sc = serverSpan ? serverSpan.spanContext() : undefined;
      const fields = [
        ['time', isoMicros(startMs)],
        ['level', res.statusCode >= 500 ? 'error' : 'info'],
        ['msg', 'request done'],
        ['request_id', req.headers['x-request-id']],
        ['traceparent', req.headers.traceparent],
        ['method', req.method],
        ['route', route],
        ['path', url.pathname],
        ['status', res.statusCode],
        ['duration_ms', (performance.timeOrigin + performance.now() - startMs).toFixed(3)],
      ];
      if (sc) fields.push(['trace_id', sc.traceId], ['span_id', sc.spanId]);
      process.stdout.write(
        fields.map(([k, v]) => `${k}=${k === 'msg' ? JSON.stringify(v) : quote(v)}`).join(' ') + '\n',
      );
    });
    const match = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!match) {
      send(res, 404, { error: 'not found', path: url.pathname });
      return;
    }
    route = match.route;
    // The route template, as a framework would report it (http.route and the span name).
    const rpc = getRPCMetadata(context.active());
    if (rpc && rpc.type === RPCType.HTTP) rpc.route = match.route;
    const params = match.pattern.exec(url.pathname).groups || {};
    Promise.resolve()
      .then(() => podDelay(req))
      .then(() => match.handler(req, res, params, url))
      .catch((err) => {
        if (serverSpan) {
          serverSpan.recordException(err);
          serverSpan.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
        }
        process.stderr.write(`${err.stack}\n`);
        if (!res.headersSent) send(res, err.status || 500, { error: err.message });
        else res.end();
      });
  });
  // Longer than nginx's upstream keepalive, so nginx never reuses a connection the app just closed.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 76_000;
  const host = opts.host || process.env.HOST || '0.0.0.0';
  const port = Number(opts.port || process.env.PORT || 8080);
  server.listen(port, host, () => process.stdout.write(`${JSON.stringify({ msg: 'listening', host, port })}\n`));
  return server;
}

/**
 * Sandbox only (these apps run nowhere else): `x-sandbox-delay: <pod>=<ms>[,<pod>=<ms>]` makes the named pods wait
 * that long before handling, inside their server span, so one replica can be made slow for a burst to find.
 */
function podDelay(req) {
  const header = req.headers['x-sandbox-delay'];
  if (typeof header !== 'string' || !process.env.POD_NAME) return undefined;
  for (const part of header.split(',')) {
    const [pod, ms] = part.trim().split('=');
    const wait = Number(ms);
    if (pod === process.env.POD_NAME && Number.isFinite(wait) && wait > 0)
      return new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10_000)));
  }
  return undefined;
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Runs fn inside a span of the app's tracer; errors are recorded on it and rethrown. */
function inSpan(name, fn) {
  const tracer = trace.getTracer(process.env.OTEL_SERVICE_NAME || 'app');
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      throw err;
    } finally {
      span.end();
    }
  });
}

module.exports = { serve, send, inSpan };
