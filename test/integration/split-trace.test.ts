// A proxy that starts its own trace instead of continuing the probe's: real OTel SDK exporters send nginx's span (in
// the shape ingress-nginx's module sends it) and the app's span of that new trace to the sandbox trace store; the
// probe finds the trace (by the id the app logged, by its marker, or by time), links it and says how to keep one trace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { startTraceStore, type RunningTraceStore } from '../../src/sandbox/trace-store/server';
import { urlTransport } from '../../src/core/ingest/backend';
import { findSplitTrace, linkSplitTrace, type SplitSearch } from '../../src/core/probe/split';
import { assemble } from '../../src/core/trace/assemble';
import type { Span } from '../../src/core/trace/model';
import { ingressNginx } from '../../src/core/controllers/nginx';

let ts: RunningTraceStore;
before(async () => {
  ts = await startTraceStore({ host: '127.0.0.1', queryPort: 0, otlpPort: 0, maxTraces: 50 });
});
after(() => ts?.close());

const PROBE = 'ab'.repeat(16);
const ROOT = 'cd'.repeat(8);

/** nginx (service nginx, tracer nginx) starts a new trace and forwards to orders; returns that trace's id. */
async function splitRequest(userAgent?: string): Promise<{ traceId: string; start: bigint; end: bigint }> {
  const providers = ['nginx', 'orders'].map(
    (service) =>
      new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${ts.otlpUrl}/v1/traces` }))],
      }),
  );
  const start = BigInt(Date.now()) * 1_000_000n;
  const nginx = providers[0].getTracer('nginx').startSpan('/orders', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.method': 'GET',
      'http.target': '/orders',
      'http.status_code': 200,
      ...(userAgent ? { 'http.user_agent': userAgent } : {}),
    },
  });
  const app = providers[1]
    .getTracer('@opentelemetry/instrumentation-http')
    .startSpan('GET /orders', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), nginx));
  app.end();
  nginx.end();
  for (const p of providers) await p.shutdown();
  return { traceId: nginx.spanContext().traceId, start, end: BigInt(Date.now()) * 1_000_000n };
}

const search = (w: { start: bigint; end: bigint }, logged: string[] = []): SplitSearch => ({
  backend: { kind: 'jaeger-v3', transport: urlTransport(ts.queryUrl) },
  probeTraceId: PROBE,
  loggedTraceIds: logged,
  services: ['orders', 'nginx'],
  window: { startUnixNano: w.start, endUnixNano: w.end },
});

test('found by the trace id the app logged, then by the marker in a time-window search', async () => {
  const req = await splitRequest(`kubetrace/0.1.0 (probe ${PROBE})`);
  const byLog = await findSplitTrace(search(req, [PROBE, req.traceId]));
  assert.equal(byLog?.traceId, req.traceId);
  assert.equal(byLog?.by, 'the trace id the app logged');
  assert.deepEqual(byLog?.spans.map((s) => s.service).sort(), ['nginx', 'orders']);
  const byMark = await findSplitTrace(search(req));
  assert.equal(byMark?.traceId, req.traceId);
  assert.equal(byMark?.by, "the probe's marker");
});

test('linked into the probe: one nginx span, the app under its attempt, a link and the setting that keeps one trace', async () => {
  await new Promise((r) => setTimeout(r, 2100)); // out of the first test's window
  const req = await splitRequest();
  const log = (id: string, name: string, parent: string, kind: Span['kind']): Span => ({
    spanId: id,
    parentSpanId: parent,
    name,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind,
    startTimeUnixNano: String(req.start),
    endTimeUnixNano: String(req.end),
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'nginx-log',
  });
  const probe: Span = {
    ...log(ROOT, 'probe', '', 'client'),
    parentSpanId: undefined,
    service: 'client',
    layer: 'client',
  };
  probe.origin = 'probe';
  probe.startTimeUnixNano = String(req.start - 5_000_000n);
  probe.endTimeUnixNano = String(req.end + 5_000_000n);
  const got = {
    results: [
      { spans: [log('n', 'nginx', ROOT, 'server'), log('a', 'upstream.attempt', 'n', 'client')], diagnostics: [] },
    ],
    complete: false,
    missing: ['app' as const],
    waitedMs: 5000,
    diagnostics: [],
  };
  const notes = await linkSplitTrace({
    got,
    client: [probe],
    rootSpanId: ROOT,
    proxy: ingressNginx.title,
    propagation: ingressNginx.propagation,
    search: search(req),
  });
  assert.deepEqual(got.missing, []);
  assert.equal(notes[0].code, 'trace-split');
  assert.match(notes[0].message, new RegExp(`new trace \\(${req.traceId}\\).*found by time`));
  assert.match(notes[0].hint ?? '', /opentelemetry-trust-incoming-span/);
  assert.equal(probe.links[0].traceId, req.traceId);
  const t = assemble([{ spans: [probe], diagnostics: [] }, ...got.results], { traceId: PROBE, rootSpanId: ROOT });
  const servers = t.spans.filter((s) => s.layer === 'ingress' && s.kind === 'server');
  assert.equal(servers.length, 1, 'one nginx span');
  const app = t.spans.find((s) => s.service === 'orders')!;
  assert.equal(app.layer, 'app');
  assert.equal(app.parentSpanId, 'a', 'the app hangs under the attempt');
});

test('nothing is linked when no trace of the window can be told apart', async () => {
  const a = await splitRequest();
  const b = await splitRequest();
  assert.equal(await findSplitTrace(search({ start: a.start, end: b.end })), undefined);
});
