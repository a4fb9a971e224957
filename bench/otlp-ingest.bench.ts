// OTLP ingest: spans/s decoded and stored by the trace-store pod process from protobuf `POST /v1/traces` in
// batches of 512 spans, over real HTTP on loopback. The store runs as its own process (one JS thread), so the
// client does not count against it. The goal is "on one core": the headline is spans per CPU-second of the
// store process (read from /proc, GC helper threads included), which is what one core sustains whether or not
// other work shares the machine; the wall-clock rate is in the detail.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import type { BenchRow } from './run';
import { decodeOtlpProtobuf, encodeOtlpProtobuf } from '../src/core/ingest/otlp/protobuf';
import type { OtlpResourceSpans, OtlpSpan } from '../src/core/ingest/otlp/types';

const SPANS_PER_BATCH = 512;
const SPANS_PER_TRACE = 8;
const MEASURE_MS = 4000;
const IN_FLIGHT = 2;
const GOAL = 50_000;

const hex = (n: number) => randomBytes(n).toString('hex');

/** One batch shaped like an instrumented Node service's export: HTTP server/client spans with semconv attributes. */
function templateBatch(): { body: Buffer; ids: Buffer[] } {
  const spans: OtlpSpan[] = [];
  const ids: Buffer[] = [];
  const t0 = 1_800_000_000_000_000_000n;
  for (let t = 0; t < SPANS_PER_BATCH / SPANS_PER_TRACE; t++) {
    const traceId = hex(16);
    ids.push(Buffer.from(traceId, 'hex'));
    let parent: string | undefined;
    for (let i = 0; i < SPANS_PER_TRACE; i++) {
      const spanId = hex(8);
      ids.push(Buffer.from(spanId, 'hex'));
      const start = t0 + BigInt(t * 1_000_000 + i * 1000);
      spans.push({
        traceId,
        spanId,
        parentSpanId: parent,
        name: i % 2 ? 'GET' : 'GET /orders/:id',
        kind: i % 2 ? 3 : 2,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 250_000n),
        attributes: [
          { key: 'http.request.method', value: { stringValue: 'GET' } },
          { key: 'url.path', value: { stringValue: `/orders/${t}` } },
          { key: 'http.route', value: { stringValue: '/orders/:id' } },
          { key: 'http.response.status_code', value: { intValue: '200' } },
          { key: 'server.address', value: { stringValue: 'orders.shop.svc' } },
          { key: 'network.peer.address', value: { stringValue: '127.10.0.2' } },
          { key: 'code.file.path', value: { stringValue: '/app/server.js' } },
          { key: 'code.line.number', value: { intValue: String(20 + i) } },
        ],
        status: {},
      });
      parent = spanId;
    }
  }
  const rs: OtlpResourceSpans[] = [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'orders' } },
          { key: 'k8s.pod.name', value: { stringValue: 'orders-5d8f7c9b4d-x7k2p' } },
          { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } },
        ],
      },
      scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' }, spans }],
    },
  ];
  return { body: Buffer.from(encodeOtlpProtobuf(rs)), ids };
}

/** Copies of the template with fresh ids at the same byte offsets, so every batch is new data to the store. */
function batchFactory(): () => Buffer {
  const { body, ids } = templateBatch();
  const offsets = ids.map((id) => {
    const at: number[] = [];
    for (let i = body.indexOf(id); i >= 0; i = body.indexOf(id, i + 1)) at.push(i);
    return { len: id.length, at };
  });
  return () => {
    const b = Buffer.from(body);
    for (const o of offsets) {
      const fresh = randomBytes(o.len);
      for (const i of o.at) fresh.copy(b, i);
    }
    return b;
  };
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
}

function post(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export default async function bench(): Promise<BenchRow[]> {
  const root = join(__dirname, '..');
  // From source (tsx compiles once at load), so a stale dist/ bundle is never what gets measured.
  const cli = ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  const child = spawn(
    process.execPath,
    [
      ...cli,
      'internal',
      'trace-store',
      '--host',
      '127.0.0.1',
      '--query-port',
      '0',
      '--otlp-port',
      '0',
      '--max-spans',
      '500000',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('trace-store did not start in 20 s')), 20000);
      lines.on('line', (l) => {
        const m = /^trace-store ready query=http:\/\/127\.0\.0\.1:(\d+) otlp=http:\/\/127\.0\.0\.1:(\d+)$/.exec(l);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.once('exit', (c) => reject(new Error(`trace-store exited (${c})`)));
    });
    const queryPort = Number(ready[1]);
    const otlpPort = Number(ready[2]);
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    const next = batchFactory();
    // Pre-build batches so the client does not compete with the server for the second core during the run.
    const pool = Array.from({ length: 1200 }, next);
    for (let i = 0; i < 30; i++) await post(agent, otlpPort, pool[i]); // warm-up: JIT, first allocations
    let sent = 30;
    const cpu0 = cpuSeconds(child.pid!);
    const t0 = performance.now();
    let batches = 0;
    const worker = async () => {
      while (performance.now() - t0 < MEASURE_MS) {
        await post(agent, otlpPort, sent < pool.length ? pool[sent++] : next());
        batches++;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid!) - cpu0;
    const spans = batches * SPANS_PER_BATCH;
    const wallRate = spans / secs;
    const rate = spans / Math.max(cpu, 0.01);

    // Proof the spans were stored, not only accepted: a trace from the last batch comes back whole.
    const probe = next();
    await post(agent, otlpPort, probe);
    const tid = decodeOtlpProtobuf(probe).resourceSpans[0].scopeSpans[0].spans[0].traceId;
    const res = await fetch(`http://127.0.0.1:${queryPort}/api/v3/traces/${tid}`);
    const stored =
      res.status === 200
        ? (JSON.parse(await res.text()).result.resourceSpans[0].scopeSpans[0].spans.length as number)
        : 0;
    agent.destroy();
    if (stored !== SPANS_PER_TRACE) throw new Error(`stored trace has ${stored} spans, expected ${SPANS_PER_TRACE}`);
    return [
      {
        measure: 'OTLP ingest',
        value: rate,
        unit: 'spans/s',
        goal: `>= ${GOAL}`,
        pass: rate >= GOAL,
        detail:
          `spans per CPU-second of the store process; ${spans} spans in ${batches} batches of ${SPANS_PER_BATCH} over ${secs.toFixed(1)} s ` +
          `(wall ${Math.round(wallRate)} spans/s, store had ${Math.round((cpu / secs) * 100)}% of a core, load avg ${loadavg()[0].toFixed(1)})`,
      },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}
