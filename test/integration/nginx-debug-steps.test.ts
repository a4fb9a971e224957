// Real Debian nginx (built --with-debug) proxies to a real Node server; its debug log becomes the
// execution path of the request, each step mapped to the ngx_log_debug call in the 1.22.1 source.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stepsFromDebugLog } from '../../src/core/sourcemap/nginx';
import { nginxTree } from '../fixtures/nginx-debug/source';

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-nginx-debug-'));
let nginx: ChildProcess | undefined;
after(() => {
  if (nginx && nginx.exitCode === null) nginx.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const canConnect = (port: number) =>
  new Promise<boolean>((r) => {
    const c = connect(port, '127.0.0.1', () => {
      c.destroy();
      r(true);
    });
    c.on('error', () => r(false));
  });

// The C string literals of a call site, concatenated: the format as written in the file.
function formatInSource(text: string): string {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)]
    .map((m) => m[1].replace(/\\"/g, '"').replace(/\\\\/g, '\\').replace(/\\r/g, '\r').replace(/\\n/g, '\n'))
    .join('');
}

// Does `message` hold, in order, every piece of literal text of `format`?
function holdsFormat(message: string, format: string): boolean {
  const pieces = format.split(/%[0-9]*[uxXm*.]*[0-9]*[VvsOPTMzidlDLAprfcNZ%]/).filter(Boolean);
  if (!pieces.length) return false;
  let at = 0;
  for (const p of pieces) {
    const i = message.indexOf(p, at);
    if (i < 0) return false;
    at = i + p.length;
  }
  return true;
}

test('a request through real nginx: its debug lines become steps mapped to the 1.22.1 source', async () => {
  const tree = nginxTree();
  const upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, requestId: req.headers['x-request-id'] }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  after(() => {
    upstream.closeAllConnections();
    upstream.close();
  });
  const upPort = (upstream.address() as { port: number }).port;
  const port = await freePort();
  for (const d of ['logs', 'tmp']) mkdirSync(join(dir, d));
  const log = join(dir, 'logs', 'error.log');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${log} debug;
events { debug_connection 127.0.0.1; }
http {
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body; proxy_temp_path ${dir}/tmp/proxy; fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi; scgi_temp_path ${dir}/tmp/scgi;
  map $http_x_request_id $req_id { default $http_x_request_id; "" $request_id; }
  server {
    listen 127.0.0.1:${port};
    server_tokens off;
    location /orders {
      set $proxy_upstream_name shop-orders-80;
      proxy_set_header X-Request-ID $req_id;
      proxy_buffering off;
      proxy_http_version 1.1;
      proxy_pass http://127.0.0.1:${upPort};
    }
  }
}
`,
  );
  nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', log], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  nginx.stderr!.on('data', (d) => {
    stderr += d;
  });
  await waitFor(`nginx on port ${port} (${stderr})`, () => canConnect(port));

  const id = randomBytes(16).toString('hex');
  const res = await fetch(`http://127.0.0.1:${port}/orders/42`, { headers: { 'X-Request-ID': id } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { path: '/orders/42', requestId: id });
  await waitFor('the log handler line', () => {
    const text = readFileSync(log, 'utf8');
    const at = text.indexOf(`X-Request-ID: ${id}`);
    return at >= 0 && text.indexOf('http log handler', at) > 0;
  });

  const r = await stepsFromDebugLog(readFileSync(log, 'utf8').split('\n'), id, tree);
  assert.ok(r.connection, 'the connection is found');
  assert.ok(r.steps.length >= 60, `${r.steps.length} steps`);

  const cache = new Map<string, string[]>();
  const linesOf = (p: string) => cache.get(p) ?? (cache.set(p, readFileSync(p, 'latin1').split('\n')), cache.get(p)!);
  let verified = 0;
  const bad: string[] = [];
  for (const s of r.steps) {
    if (!s.source?.line) continue;
    const text = linesOf(s.source.path)
      .slice(s.source.line - 1, s.source.endLine ?? s.source.line)
      .join('\n');
    assert.match(text, /ngx_log_debug/, `${s.message} -> ${s.source.path}:${s.source.line}`);
    const format = formatInSource(text);
    if (holdsFormat(s.message, format)) verified++;
    else bad.push(`${JSON.stringify(s.message)} vs ${JSON.stringify(format)}`);
  }
  assert.ok(
    verified >= 30,
    `${verified} steps land on a line whose format string they hold; mismatches: ${bad.slice(0, 5).join('; ')}`,
  );

  const idStep = r.steps.find((s) => s.message === `http header: "X-Request-ID: ${id}"`);
  assert.ok(idStep?.source?.line, 'the X-Request-ID header step is mapped');
  assert.equal(idStep.source.path, join(tree.root, 'src', 'http', 'ngx_http_request.c'));
  assert.equal(idStep.phase, 'headers');
  const callText = linesOf(idStep.source.path)
    .slice(idStep.source.line - 1, idStep.source.endLine)
    .join('\n');
  assert.match(callText, /ngx_log_debug2\(NGX_LOG_DEBUG_HTTP[\s\S]*"http header: \\"%V: %V\\""/);

  const phases = new Set(r.steps.map((s) => s.phase));
  for (const p of ['request line', 'headers', 'find config', 'upstream', 'filters', 'log'])
    assert.ok(phases.has(p), `phase ${p}`);
  const upstreamConnect = r.steps.find((s) => s.message.startsWith('http upstream connect:'));
  assert.equal(upstreamConnect?.source?.function, 'ngx_http_upstream_connect');
});
