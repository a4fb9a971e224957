// fetchTrace against real HTTP servers that answer as Jaeger, Tempo and Zipkin do: real bodies, 404s while the
// trace is not there yet, slow answers, truncated bodies and 5xx.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fetchTrace, urlTransport, type Backend } from '../../src/core/ingest/backend';
import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import { encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';

const FIX = join(__dirname, '..', 'fixtures', 'traces');
const fixture = (n: string) => readFileSync(join(FIX, n));
const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const JAEGER_404 = '{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}';
const V3_404 = '{"error":{"grpcCode":5,"httpCode":404,"message":"trace not found","httpStatus":"Not Found"}}';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const servers: Server[] = [];
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(
  handler: Handler,
  server: Server = createHttpServer(),
): Promise<{ url: string; requests: { path: string; headers: IncomingMessage['headers'] }[] }> {
  const requests: { path: string; headers: IncomingMessage['headers'] }[] = [];
  server.on('request', (req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    handler(req, res, requests.length);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const scheme = server instanceof createHttpsServer().constructor ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const json = (res: ServerResponse, status: number, body: string | Buffer, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
};
const backend = (kind: Backend['kind'], url: string, accept?: 'json' | 'protobuf'): Backend => ({
  kind,
  transport: urlTransport(url),
  accept,
});

test('Jaeger UI API: 404 while the trace is not there, then the trace', async () => {
  const { url, requests } = await serve((req, res, n) =>
    n < 3 ? json(res, 404, JAEGER_404) : json(res, 200, fixture('jaeger-ui.json')),
  );
  const r = await fetchTrace(backend('jaeger', url), TID, { timeoutMs: 5000, pollIntervalMs: 20 });
  assert.equal(r.spans.length, 3);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    requests.map((q) => q.path),
    Array(3).fill(`/api/traces/${TID}`),
  );
  assert.equal(requests[0].headers.accept, 'application/json');
});

test('Jaeger api_v3: its JSON 404 means "not yet"; a Jaeger without api_v3 falls back to /api/traces', async () => {
  const v3 = await serve((req, res, n) => (n < 2 ? json(res, 404, V3_404) : json(res, 200, fixture('jaeger-v3.json'))));
  const r = await fetchTrace(backend('jaeger-v3', v3.url), TID, { timeoutMs: 5000, pollIntervalMs: 20 });
  assert.equal(r.spans.length, 3);
  assert.ok(r.spans.every((s) => s.origin === 'jaeger'));
  assert.deepEqual(
    v3.requests.map((q) => q.path),
    [`/api/v3/traces/${TID}`, `/api/v3/traces/${TID}`],
  );

  const old = await serve((req, res) =>
    req.url?.startsWith('/api/v3/')
      ? json(res, 404, '404 page not found\n', 'text/plain')
      : json(res, 200, fixture('jaeger-ui.json')),
  );
  const r2 = await fetchTrace(backend('jaeger-v3', old.url), TID, { timeoutMs: 5000, pollIntervalMs: 20 });
  assert.equal(r2.spans.length, 3);
  assert.ok(r2.diagnostics.some((d) => d.code === 'backend-api-fallback'));
  assert.deepEqual(
    old.requests.map((q) => q.path),
    [`/api/v3/traces/${TID}`, `/api/traces/${TID}`],
  );

  const spa = await serve((req, res) =>
    req.url?.startsWith('/api/v3/')
      ? json(res, 200, '<!doctype html><html></html>', 'text/html')
      : json(res, 200, fixture('jaeger-ui.json')),
  );
  assert.equal((await fetchTrace(backend('jaeger-v3', spa.url), TID, { timeoutMs: 5000 })).spans.length, 3);
});

test('Tempo: protobuf by default (Accept: application/protobuf), JSON with batches or resourceSpans on request', async () => {
  const pb = Buffer.from(
    encodeOtlpProtobuf(normalizeOtlpJson(JSON.parse(fixture('tempo-batches.json').toString())).resourceSpans),
  );
  const { url, requests } = await serve((req, res) => {
    if (req.headers.accept === 'application/protobuf') json(res, 200, pb, 'application/protobuf');
    else json(res, 200, fixture(requests.length % 2 ? 'tempo-batches.json' : 'tempo-resource-spans.json'));
  });
  const a = await fetchTrace(backend('tempo', url), TID, { timeoutMs: 5000 });
  const b = await fetchTrace(backend('tempo', url, 'json'), TID, { timeoutMs: 5000 });
  const c = await fetchTrace(backend('tempo', url, 'json'), TID, { timeoutMs: 5000 });
  for (const r of [a, b, c]) {
    assert.deepEqual(
      r.spans.map((s) => s.spanId),
      ['00f067aa0ba902b7', '53995c3f42cd8ad8', 'b7ad6b7169203331'],
    );
    assert.equal(r.spans[2].status, 'error');
  }
  assert.deepEqual(
    requests.map((q) => q.headers.accept),
    ['application/protobuf', 'application/json', 'application/json'],
  );
  assert.ok(requests.every((q) => q.path === `/api/traces/${TID}`));
});

test('Zipkin /api/v2/trace: the shared client/server span merges', async () => {
  const { url, requests } = await serve((req, res) => json(res, 200, fixture('zipkin.json')));
  const r = await fetchTrace(backend('zipkin', url), TID, { timeoutMs: 5000 });
  assert.equal(r.spans.length, 3);
  assert.equal(requests[0].path, `/api/v2/trace/${TID}`);
  assert.ok(r.diagnostics.some((d) => d.code === 'zipkin-shared-merged'));
});

test('a slow backend ends in backend-timeout on time', async () => {
  const { url } = await serve((req, res) => {
    setTimeout(() => {
      if (!res.destroyed) json(res, 200, fixture('jaeger-ui.json'));
    }, 3000);
  });
  const t0 = Date.now();
  const r = await fetchTrace(backend('jaeger', url), TID, { timeoutMs: 300 });
  assert.ok(Date.now() - t0 < 2700, 'gave up before the backend answered (at 3 s)');
  assert.equal(r.spans.length, 0);
  assert.ok(r.diagnostics.some((d) => d.code === 'backend-timeout' && /did not answer within/.test(d.message)));
});

test('a trace that never appears: a timeout diagnostic that says it was not found', async () => {
  const { url, requests } = await serve((req, res) => json(res, 404, JAEGER_404));
  const r = await fetchTrace(backend('jaeger', url), TID, { timeoutMs: 400, pollIntervalMs: 20 });
  assert.ok(requests.length >= 3, 'it polled');
  assert.equal(r.diagnostics.length, 1);
  assert.match(r.diagnostics[0].message, /not found/);
  assert.equal(r.diagnostics[0].code, 'backend-timeout');
});

test('truncated bodies: a connection closed mid-body, and a body whose JSON is cut short', async () => {
  const body = fixture('jaeger-ui.json');
  const cut = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.write(body.subarray(0, 200));
    setTimeout(() => res.destroy(), 10);
  });
  const r = await fetchTrace(backend('jaeger', cut.url), TID, { timeoutMs: 400, pollIntervalMs: 50 });
  assert.equal(r.spans.length, 0);
  assert.ok(
    r.diagnostics.some((d) => d.code === 'backend-error' && /closed before the whole answer/.test(d.message)),
    JSON.stringify(r.diagnostics),
  );

  const half = await serve((req, res, n) => (n === 1 ? json(res, 200, body.subarray(0, 300)) : json(res, 200, body)));
  const r2 = await fetchTrace(backend('jaeger', half.url), TID, { timeoutMs: 5000, pollIntervalMs: 20 });
  assert.equal(r2.spans.length, 3, 'the retry after a malformed answer succeeds');
  const bad = await serve((req, res) => json(res, 200, body.subarray(0, 300)));
  const r3 = await fetchTrace(backend('jaeger', bad.url), TID, { timeoutMs: 300, pollIntervalMs: 50 });
  assert.ok(r3.diagnostics.some((d) => d.code === 'backend-malformed' && /truncated/.test(d.message)));
});

test('5xx: a diagnostic, and polling goes on until the backend recovers', async () => {
  const down = await serve((req, res) => json(res, 503, 'upstream connect error', 'text/plain'));
  const r = await fetchTrace(backend('zipkin', down.url), TID, { timeoutMs: 300, pollIntervalMs: 30 });
  assert.ok(
    r.diagnostics.some((d) => d.code === 'backend-error' && /HTTP 503: upstream connect error/.test(d.message)),
  );
  const flaky = await serve((req, res, n) =>
    n === 1 ? json(res, 502, 'bad gateway', 'text/plain') : json(res, 200, fixture('zipkin.json')),
  );
  const r2 = await fetchTrace(backend('zipkin', flaky.url), TID, { timeoutMs: 5000, pollIntervalMs: 20 });
  assert.equal(r2.spans.length, 3);
  assert.deepEqual(
    r2.diagnostics.filter((d) => d.code.startsWith('backend')),
    [],
  );
  const denied = await serve((req, res) => json(res, 403, 'forbidden', 'text/plain'));
  const r3 = await fetchTrace(backend('zipkin', denied.url), TID, { timeoutMs: 5000, pollIntervalMs: 20 });
  assert.equal(denied.requests.length, 1, 'a 403 is not retried');
  assert.match(r3.diagnostics[0].message, /HTTP 403/);
});

test('isComplete decides when polling stops; `once` makes one attempt; abort cancels', async () => {
  const full = JSON.parse(fixture('jaeger-ui.json').toString());
  const partial = { ...full, data: [{ ...full.data[0], spans: full.data[0].spans.slice(0, 1) }] };
  const { url, requests } = await serve((req, res, n) => json(res, 200, JSON.stringify(n < 3 ? partial : full)));
  const r = await fetchTrace(backend('jaeger', url), TID, {
    timeoutMs: 5000,
    pollIntervalMs: 20,
    isComplete: (x) => x.spans.length >= 3,
  });
  assert.equal(r.spans.length, 3);
  assert.equal(requests.length, 3);

  const missing = await serve((req, res) => json(res, 404, JAEGER_404));
  const once = await fetchTrace(backend('jaeger', missing.url), TID, { timeoutMs: 5000, once: true });
  assert.equal(missing.requests.length, 1);
  assert.deepEqual(
    once.diagnostics.map((d) => d.code),
    ['backend-not-found'],
  );

  const ctrl = new AbortController();
  setTimeout(() => ctrl.abort(), 100);
  const t0 = Date.now();
  const cancelled = await fetchTrace(backend('jaeger', missing.url), TID, {
    timeoutMs: 10_000,
    pollIntervalMs: 20,
    signal: ctrl.signal,
  });
  assert.ok(Date.now() - t0 < 8000, 'stopped on the abort, not at the 10 s timeout');
  assert.ok(cancelled.diagnostics.some((d) => d.code === 'backend-cancelled'));

  const unreachable = await fetchTrace({ kind: 'zipkin', transport: urlTransport('http://127.0.0.1:1') }, TID, {
    timeoutMs: 200,
    pollIntervalMs: 50,
  });
  assert.ok(unreachable.diagnostics.some((d) => d.code === 'backend-error' && /could not be reached/.test(d.message)));
});

test('urlTransport keeps a base path, sends user:pass as Basic auth, and verifies TLS with a given CA', async () => {
  const { url, requests } = await serve((req, res) => json(res, 200, fixture('zipkin.json')));
  const withAuth = url.replace('http://', 'http://alice:s3cret@') + '/zipkin/';
  const r = await fetchTrace({ kind: 'zipkin', transport: urlTransport(withAuth) }, TID, { timeoutMs: 3000 });
  assert.equal(r.spans.length, 3);
  assert.equal(requests[0].path, `/zipkin/api/v2/trace/${TID}`);
  assert.equal(requests[0].headers.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);

  const dir = mkdtempSync(join(tmpdir(), 'kubetrace-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'c.pem'));
    const tls = await serve(
      (req, res) => json(res, 200, fixture('zipkin.json')),
      createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert }),
    );
    const httpsUrl = tls.url.replace('http://', 'https://');
    const ok = await fetchTrace({ kind: 'zipkin', transport: urlTransport(httpsUrl, { ca: cert }) }, TID, {
      timeoutMs: 3000,
    });
    assert.equal(ok.spans.length, 3);
    const refused = await fetchTrace({ kind: 'zipkin', transport: urlTransport(httpsUrl) }, TID, {
      timeoutMs: 300,
      pollIntervalMs: 100,
    });
    assert.ok(
      refused.diagnostics.some((d) => d.code === 'backend-error' && /self-signed|certificate/i.test(d.message)),
    );
    const insecure = await fetchTrace({ kind: 'zipkin', transport: urlTransport(httpsUrl, { insecure: true }) }, TID, {
      timeoutMs: 3000,
    });
    assert.equal(insecure.spans.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
