// The OTLP/HTTP receiver against the real OpenTelemetry JS exporters (JSON and protobuf, gzip), over HTTP on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { startOtlpReceiver, type ReceivedBatch, type RunningReceiver } from '../../src/core/ingest/otlp/receiver';
import { decodeExportResponse, decodeRpcStatus, encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';

const batches: ReceivedBatch[] = [];
let receiver: RunningReceiver;
let endpoint: string;
before(async () => {
  receiver = await startOtlpReceiver('127.0.0.1', 0, {
    onBatch: (b) => {
      batches.push(b);
    },
    maxBodyBytes: 256 * 1024,
  });
  endpoint = `${receiver.url}/v1/traces`;
});
after(() => receiver?.close());

function makeSpans(): { spans: ReadableSpan[]; rootId: string; childId: string; traceId: string } {
  const mem = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'k8s.pod.name': 'orders-abc' }),
    spanProcessors: [new SimpleSpanProcessor(mem)],
  });
  const tracer = provider.getTracer('receiver-test');
  const root = tracer.startSpan('GET /orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'code.line.number': 42 },
  });
  const child = tracer.startSpan(
    'GET /inventory/stock',
    { kind: SpanKind.CLIENT },
    trace.setSpan(context.active(), root),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream 500' });
  child.end();
  root.end();
  return {
    spans: mem.getFinishedSpans(),
    rootId: root.spanContext().spanId,
    childId: child.spanContext().spanId,
    traceId: root.spanContext().traceId,
  };
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function checkExport(exporter: SpanExporter, format: 'json' | 'protobuf', encoding: string) {
  const { spans, rootId, childId, traceId } = makeSpans();
  const before = batches.length;
  const result = await exportWith(exporter, spans);
  await exporter.shutdown();
  assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
  assert.equal(batches.length, before + 1);
  const b = batches[batches.length - 1];
  assert.equal(b.format, format);
  assert.equal(b.encoding, encoding);
  assert.equal(b.spanCount, 2);
  assert.equal(b.rejectedSpans, 0);
  const got = b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  const child = got.find((s) => s.spanId === childId)!;
  assert.equal(child.traceId, traceId);
  assert.equal(child.parentSpanId, rootId);
  assert.equal(child.kind, 3);
  assert.deepEqual(child.status, { code: 2, message: 'upstream 500' });
  const root = got.find((s) => s.spanId === rootId)!;
  assert.deepEqual(root.attributes?.find((kv) => kv.key === 'code.line.number')?.value, { intValue: '42' });
  assert.ok(
    b.resourceSpans[0].resource?.attributes?.some(
      (kv) => kv.key === 'service.name' && kv.value?.stringValue === 'orders',
    ),
  );
}

test('the real OTLP/HTTP JSON exporter delivers spans', async () => {
  await checkExport(new JsonExporter({ url: endpoint }), 'json', 'identity');
});

test('the real OTLP/HTTP protobuf exporter delivers spans, gzip-compressed', async () => {
  await checkExport(new ProtoExporter({ url: endpoint, compression: CompressionAlgorithm.GZIP }), 'protobuf', 'gzip');
});

async function post(body: Uint8Array | string, headers: Record<string, string>, method = 'POST', path = '/v1/traces') {
  const res = await fetch(`${receiver.url}${path}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: new Uint8Array(await res.arrayBuffer()) };
}
const json = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));
const PB = { 'Content-Type': 'application/x-protobuf' };
const JS = { 'Content-Type': 'application/json' };

test("garbage is refused with 400 and a google.rpc.Status in the request's encoding; the server keeps working", async () => {
  const valid = encodeOtlpProtobuf([
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: 'ab'.repeat(16),
              spanId: 'cd'.repeat(8),
              name: 'ok',
              kind: 1,
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
              attributes: [],
            },
          ],
        },
      ],
    },
  ]);
  const cases: [Uint8Array | string, Record<string, string>][] = [
    [Buffer.concat([Buffer.from([0xff, 0xff]), randomBytes(64)]), PB],
    [valid.subarray(0, valid.length - 5), PB],
    ['{"resourceSpans": [', JS],
    ['[1, 2, 3]', JS],
    ['{"resourceSpans": 5}', JS],
    ['{"hello": "world"}', JS],
    [Buffer.from('not gzip at all'), { ...PB, 'Content-Encoding': 'gzip' }],
  ];
  for (const [body, headers] of cases) {
    const r = await post(body, headers);
    assert.equal(r.status, 400, `${headers['Content-Type']} ${String(body).slice(0, 30)}`);
    const status = headers['Content-Type'] === 'application/x-protobuf' ? decodeRpcStatus(r.body) : json(r.body);
    assert.equal(status.code, 3);
    assert.ok(status.message.length > 10, status.message);
    assert.equal(r.type, headers['Content-Type']);
  }
  const ok = await post(valid, PB);
  assert.equal(ok.status, 200);
  assert.equal(ok.type, 'application/x-protobuf');
  assert.equal(ok.body.length, 0); // empty ExportTraceServiceResponse: full success
});

test('spans with bad ids are rejected through partialSuccess, the rest accepted', async () => {
  const body = JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: 'ab'.repeat(16),
                spanId: 'cd'.repeat(8),
                name: 'good',
                startTimeUnixNano: '1',
                endTimeUnixNano: '2',
              },
              { spanId: 'cd'.repeat(8), name: 'no-trace-id', startTimeUnixNano: '1', endTimeUnixNano: '2' },
            ],
          },
        ],
      },
    ],
  });
  const r = await post(body, JS);
  assert.equal(r.status, 200);
  const answer = json(r.body);
  assert.equal(answer.partialSuccess.rejectedSpans, '1');
  assert.match(answer.partialSuccess.errorMessage, /no-trace-id/);
  assert.equal(batches[batches.length - 1].spanCount, 1);

  const pb = encodeOtlpProtobuf([
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: 'ab',
              spanId: 'cd'.repeat(8),
              name: 'short',
              kind: 1,
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
              attributes: [],
            },
          ],
        },
      ],
    },
  ]);
  const r2 = await post(pb, PB);
  assert.equal(r2.status, 200);
  assert.equal(decodeExportResponse(r2.body).partialSuccess?.rejectedSpans, '1');
});

test('size limits: 413 for a large body and for a gzip bomb', async () => {
  const big = await post(Buffer.alloc(300 * 1024, 1), PB);
  assert.equal(big.status, 413);
  assert.match(decodeRpcStatus(big.body).message, /exceeds the 262144-byte limit/);
  const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
  assert.ok(bomb.length < 256 * 1024);
  const r = await post(bomb, { ...JS, 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 413);
  assert.match(json(r.body).message, /decompressed body exceeds/);
});

test('wrong content type, method and path', async () => {
  assert.equal((await post('x', { 'Content-Type': 'text/plain' })).status, 415);
  assert.equal((await post('', {}, 'GET')).status, 405);
  const nf = await post('{}', JS, 'POST', '/v1/metrics');
  assert.equal(nf.status, 404);
  assert.match(json(nf.body).message, /POST \/v1\/traces/);
  assert.equal((await post('{}', { 'Content-Type': 'application/json; charset=utf-8' })).status, 200);
});
