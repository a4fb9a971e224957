// The trace store: real OTel JS SDK exporters (JSON and protobuf) send spans over HTTP; they come back through
// Jaeger's query API v3 and the classic UI API. Also runs `kubetrace internal trace-store` as a real process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { context, SpanKind, trace, type SpanContext } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startTraceStore, type RunningTraceStore } from '../../src/sandbox/trace-store/server';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import { findPath, findTraces, rfc3339Nano } from '../../src/core/ingest/backend/find';
import { urlTransport } from '../../src/core/ingest/backend';

let ts: RunningTraceStore;
before(async () => {
  ts = await startTraceStore({ host: '127.0.0.1', queryPort: 0, otlpPort: 0, maxTraces: 50 });
});
after(() => ts?.close());

/** Two services, each with its own SDK and exporter, one trace across them (orders calls inventory). */
async function sendTrace(
  otlpUrl: string,
  make: (url: string) => SpanExporter,
): Promise<{ root: SpanContext; client: SpanContext; server: SpanContext }> {
  const providers = ['orders', 'inventory'].map(
    (service) =>
      new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'k8s.pod.name': `${service}-pod` }),
        spanProcessors: [new SimpleSpanProcessor(make(`${otlpUrl}/v1/traces`))],
      }),
  );
  const orders = providers[0].getTracer('@opentelemetry/instrumentation-http');
  const inventory = providers[1].getTracer('@opentelemetry/instrumentation-http');
  const root = orders.startSpan('GET /orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/orders', 'code.file.path': '/app/server.js', 'code.line.number': 27 },
  });
  const client = orders.startSpan('GET', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root));
  const server = inventory.startSpan(
    'GET /inventory/stock',
    { kind: SpanKind.SERVER },
    trace.setSpanContext(context.active(), client.spanContext()),
  );
  server.addEvent('stock.checked', { sku: 'A-1' });
  server.end();
  client.end();
  root.end();
  for (const p of providers) await p.shutdown(); // flushes and waits for the exports
  return { root: root.spanContext(), client: client.spanContext(), server: server.spanContext() };
}

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

for (const [label, make] of [
  ['JSON', (url: string) => new JsonExporter({ url })],
  ['protobuf', (url: string) => new ProtoExporter({ url })],
] as const) {
  test(`spans exported as ${label} come back from GET /api/v3/traces/{id}`, async () => {
    const ids = await sendTrace(ts.otlpUrl, make);
    const r = await getJson(`${ts.queryUrl}/api/v3/traces/${ids.root.traceId}`);
    assert.equal(r.status, 200);
    const body = JSON.parse(r.text);
    assert.deepEqual(Object.keys(body), ['result']);
    const rs = body.result.resourceSpans as {
      resource: { attributes: { key: string; value: { stringValue: string } }[] };
      scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[];
    }[];
    const services = rs
      .map((x) => x.resource.attributes.find((a) => a.key === 'service.name')!.value.stringValue)
      .sort();
    assert.deepEqual(services, ['inventory', 'orders']);
    const spans = rs.flatMap((x) => x.scopeSpans.flatMap((s) => s.spans));
    assert.equal(spans.length, 3);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    // Hex ids, as Jaeger's api_v3 JSON (pdata) writes them, and "" for a root's parent.
    assert.equal(byId.get(ids.root.spanId)!.traceId, ids.root.traceId);
    assert.equal(byId.get(ids.root.spanId)!.parentSpanId, '');
    assert.equal(byId.get(ids.client.spanId)!.parentSpanId, ids.root.spanId);
    assert.equal(byId.get(ids.server.spanId)!.parentSpanId, ids.client.spanId);
    assert.equal(byId.get(ids.server.spanId)!.kind, 2);
    assert.match(String(byId.get(ids.root.spanId)!.startTimeUnixNano), /^\d{19}$/);
    assert.equal(rs[0].scopeSpans[0].scope.name, '@opentelemetry/instrumentation-http');
    // What a Kubetrace reader does with it: the shared normalizer reads it back without problems.
    const reread = normalizeOtlpJson(body);
    assert.deepEqual(reread.problems, []);
    assert.equal(reread.resourceSpans.flatMap((x) => x.scopeSpans.flatMap((s) => s.spans)).length, 3);

    const classic = await getJson(`${ts.queryUrl}/api/traces/${ids.root.traceId}`);
    assert.equal(classic.status, 200);
    const data = JSON.parse(classic.text).data[0];
    assert.equal(data.traceID, ids.root.traceId);
    assert.equal(data.spans.length, 3);
    const serverSpan = data.spans.find((s: { spanID: string }) => s.spanID === ids.server.spanId);
    assert.deepEqual(serverSpan.references, [
      { refType: 'CHILD_OF', traceID: ids.root.traceId, spanID: ids.client.spanId },
    ]);
    assert.equal(data.processes[serverSpan.processID].serviceName, 'inventory');
  });
}

test("a missing trace gets Jaeger's 404 body; a malformed id a 400; services are listed", async () => {
  const missing = await getJson(`${ts.queryUrl}/api/v3/traces/${'f'.repeat(32)}`);
  assert.equal(missing.status, 404);
  assert.equal(missing.text, '{"error":{"httpCode":404,"message":"No traces found"}}\n');
  assert.equal(missing.type, 'text/plain; charset=utf-8');
  const bad = await getJson(`${ts.queryUrl}/api/v3/traces/not-a-trace-id`);
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.text).error.message, /^malformed parameter trace_id: /);
  const classic = await getJson(`${ts.queryUrl}/api/traces/${'f'.repeat(32)}`);
  assert.equal(classic.status, 404);
  assert.deepEqual(JSON.parse(classic.text), {
    data: null,
    total: 0,
    limit: 0,
    offset: 0,
    errors: [{ code: 404, msg: 'trace not found' }],
  });
  await sendTrace(ts.otlpUrl, (url) => new ProtoExporter({ url }));
  const services = JSON.parse((await getJson(`${ts.queryUrl}/api/v3/services`)).text);
  assert.deepEqual(services, { services: ['inventory', 'orders'] });
  assert.equal((await getJson(`${ts.queryUrl}/nope`)).status, 404);
});

test('FindTraces by service and start-time window, as Jaeger api_v3 answers it, read by the core reader', async () => {
  const store = await startTraceStore({ host: '127.0.0.1', queryPort: 0, otlpPort: 0, maxTraces: 50 });
  try {
    const before = BigInt(Date.now()) * 1_000_000n;
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await sendTrace(store.otlpUrl, (url) => new ProtoExporter({ url })));
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    const backend = { kind: 'jaeger-v3' as const, transport: urlTransport(store.queryUrl) };
    const query = { service: 'inventory', startMin: before, startMax: after, limit: 10 };
    assert.match(findPath(query), /^\/api\/v3\/traces\?query\.service_name=inventory&query\.start_time_min=\d{4}-/);
    const all = await findTraces(backend, query, { timeoutMs: 2000 });
    assert.deepEqual([...all.traces.keys()].sort(), sent.map((s) => s.root.traceId).sort());
    for (const spans of all.traces.values())
      assert.deepEqual(spans.map((s) => s.service).sort(), ['inventory', 'orders', 'orders']);
    // The newest first, at most the search depth.
    const two = await findTraces(backend, { ...query, limit: 2 }, { timeoutMs: 2000 });
    assert.deepEqual([...two.traces.keys()].sort(), [sent[1].root.traceId, sent[2].root.traceId].sort());
    // No span of the service in the window: Jaeger's 404, read as "nothing yet".
    const none = await findTraces(backend, { ...query, service: 'catalog' }, { timeoutMs: 2000 });
    assert.equal(none.traces.size, 0);
    assert.deepEqual(none.diagnostics, []);
    const raw = await getJson(`${store.queryUrl}/api/v3/traces?query.service_name=inventory`);
    assert.equal(raw.status, 400);
    assert.equal(
      raw.text,
      '{"error":{"httpCode":400,"message":"query.startTimeMin and query.startTimeMax are required"}}\n',
    );
    const window = `query.startTimeMin=${rfc3339Nano(after)}&query.startTimeMax=${rfc3339Nano(after + 1_000_000_000n)}`;
    const later = await getJson(
      `${store.queryUrl}/api/v3/traces?query.serviceName=orders&${window}&query.searchDepth=5`,
    );
    assert.equal(later.status, 404);
    // The default search depth (100) is more than this store's 50 traces, which Jaeger's memory storage refuses.
    const deep = await getJson(`${store.queryUrl}/api/v3/traces?query.serviceName=orders&${window}`);
    assert.equal(deep.status, 500);
  } finally {
    await store.close();
  }
});

test('memory stays bounded: past max traces the oldest trace is gone', async () => {
  const small = await startTraceStore({ host: '127.0.0.1', queryPort: 0, otlpPort: 0, maxTraces: 2 });
  try {
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await sendTrace(small.otlpUrl, (url) => new ProtoExporter({ url })));
    assert.equal((await getJson(`${small.queryUrl}/api/v3/traces/${sent[0].root.traceId}`)).status, 404);
    assert.equal((await getJson(`${small.queryUrl}/api/v3/traces/${sent[1].root.traceId}`)).status, 200);
    assert.equal((await getJson(`${small.queryUrl}/api/v3/traces/${sent[2].root.traceId}`)).status, 200);
    assert.equal(small.store.traceCount, 2);
  } finally {
    await small.close();
  }
});

test('`kubetrace internal trace-store` runs as a process: ready line, a log line per batch, clean exit on SIGTERM', async (t) => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'internal',
      'trace-store',
      '--host',
      '127.0.0.1',
      '--query-port',
      '0',
      '--otlp-port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout });
  const seen: string[] = [];
  const waitFor = (re: RegExp, ms = 20000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const hit = seen.map((l) => l.match(re)).find(Boolean);
      if (hit) return resolve(hit);
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${re} in ${ms} ms; stdout: ${seen.join('\n')} stderr: ${stderr}`)),
        ms,
      );
      const onLine = (l: string) => {
        const m = l.match(re);
        if (m) {
          clearTimeout(timer);
          lines.off('line', onLine);
          resolve(m);
        }
      };
      lines.on('line', onLine);
    });
  lines.on('line', (l) => seen.push(l));
  const ready = await waitFor(/^trace-store ready query=(http:\/\/127\.0\.0\.1:\d+) otlp=(http:\/\/127\.0\.0\.1:\d+)$/);
  const ids = await sendTrace(ready[2], (url) => new ProtoExporter({ url }));
  await waitFor(/received format=protobuf spans=1 stored=1 .*services=inventory/);
  const r = await getJson(`${ready[1]}/api/v3/traces/${ids.root.traceId}`);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.text).result.resourceSpans.length, 2);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
});
