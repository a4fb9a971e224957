// `kubetrace mcp` driven by the MCP SDK's own client over stdio, against the sandbox: real nginx, real apps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parse, stringify } from 'yaml';
import { startSandbox } from '../../src/sandbox/sandbox';
import { CLI, NGINX_SRC, ROOT, cli } from './helpers';

let sb: Awaited<ReturnType<typeof startSandbox>>;
const clients: Client[] = [];
const dir = join(ROOT, '.cache', 'test-mcp');

before(async () => {
  sb = await startSandbox({ podSubnet: '127.10.151', kubeconfigPath: join(dir, 'sandbox.kubeconfig') });
});
after(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await sb?.stop();
});

async function server(...extra: string[]): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--workspace', ROOT, '--nginx-source', NGINX_SRC, ...extra],
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1' },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'kubetrace-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type Result = { content: { type: string; text?: string }[]; isError?: boolean };
async function call(
  c: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ text: string; isError: boolean }> {
  const r = (await c.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as Result;
  return { text: r.content.map((p) => p.text ?? '').join('\n'), isError: !!r.isError };
}

let client: Client;
let probedTraceId = '';

test('the server lists its four tools with input schemas', async () => {
  client = await server('--kubeconfig', sb.kubeconfigPath);
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [
    'kubetrace_burst',
    'kubetrace_explainTrace',
    'kubetrace_listRoutes',
    'kubetrace_probe',
  ]);
  const probe = tools.find((t) => t.name === 'kubetrace_probe')!;
  assert.deepEqual(probe.inputSchema.required, ['route']);
  assert.ok(probe.description && /GET only/.test(probe.description));
});

test('kubetrace_listRoutes lists the sandbox routes with hosts, paths, backends and ready endpoints', async () => {
  const r = await call(client, 'kubetrace_listRoutes');
  assert.equal(r.isError, false, r.text);
  assert.match(r.text, /^context kubetrace-sandbox.* \(the Kubetrace sandbox\)/);
  assert.match(r.text, /^Ingress shop\/orders class=nginx/m);
  assert.match(r.text, /^ {2}shop\.kubetrace\.test\/orders \(Prefix\) → service orders:\S+ 2\/2 ready$/m);
  const one = await call(client, 'kubetrace_listRoutes', { namespace: 'catalog' });
  assert.match(one.text, /Ingress catalog\/catalog/);
  assert.doesNotMatch(one.text, /shop\/orders/);
});

test('kubetrace_probe shop/orders: the summary names nginx, orders, inventory and the server.js lines', async () => {
  const r = await call(client, 'kubetrace_probe', { route: 'shop/orders' });
  assert.equal(r.isError, false, r.text);
  const lines = r.text.split('\n');
  assert.ok(lines.length <= 61, `${lines.length} lines`);
  assert.match(
    lines[0],
    /^probe shop\/orders: GET https:\/\/shop\.kubetrace\.test:\d+\/orders via load-balancer → HTTP 200; trace id [0-9a-f]{32}/,
  );
  probedTraceId = /trace id ([0-9a-f]{32})/.exec(lines[0])![1];
  assert.match(r.text, /ingress-nginx nginx .*nginx-1\.22\.1\/src\/http\/ngx_http_\w+\.c:\d+ ngx_http_\w+/);
  assert.match(r.text, /orders GET \/orders .*src\/sandbox\/apps\/orders\/server\.js:\d+ \w+/);
  assert.match(r.text, /inventory GET \/inventory\/stock .*src\/sandbox\/apps\/inventory\/server\.js:\d+ \w+/);
  assert.match(r.text, /critical path/);
  // The line numbers are real lines of the app's source.
  for (const m of r.text.matchAll(/(src\/sandbox\/apps\/\w+\/server\.js):(\d+)/g)) {
    const text = readFileSync(join(ROOT, m[1]), 'utf8').split('\n');
    assert.ok(text[Number(m[2]) - 1]?.trim(), `${m[1]}:${m[2]} is blank`);
  }
});

test('with --haproxy-source, a probe through catalog-haproxy names the HAProxy function of its phase, with its line', async () => {
  const c = await server('--kubeconfig', sb.kubeconfigPath, '--haproxy-source', join(ROOT, '.cache', 'haproxy-src'));
  const r = await call(c, 'kubetrace_probe', { route: 'catalog/catalog-haproxy' });
  assert.equal(r.isError, false, r.text);
  const m = /haproxy-(2\.6\.\d+)\/(src\/\w+\.c):(\d+) (\w+)/.exec(r.text);
  assert.ok(m, `no HAProxy source in the summary:\n${r.text}`);
  const line = readFileSync(join(ROOT, '.cache', 'haproxy-src', m[1], m[2]), 'utf8').split('\n')[Number(m[3]) - 1];
  assert.ok(line.includes(`${m[4]}(`), `${m[2]}:${m[3]} is not ${m[4]}: ${line}`);
});

test('kubetrace_explainTrace summarizes the latest or a given trace, and names the known ids otherwise', async () => {
  const latest = await call(client, 'kubetrace_explainTrace');
  assert.equal(latest.isError, false, latest.text);
  assert.match(latest.text, new RegExp(`^trace ${probedTraceId} · HTTP 200`));
  const given = await call(client, 'kubetrace_explainTrace', { traceId: probedTraceId });
  assert.equal(given.text, latest.text);
  const unknown = await call(client, 'kubetrace_explainTrace', { traceId: 'f'.repeat(32) });
  assert.equal(unknown.isError, true);
  assert.match(
    unknown.text,
    new RegExp(`error: no trace f{32} in this session\\nhint: known trace ids: ${probedTraceId}`),
  );
});

test('a POST is refused without --allow-writes, and nothing is sent', async () => {
  const r = await call(client, 'kubetrace_probe', { route: 'shop/orders', method: 'POST', body: '{"sku":"kt-mug"}' });
  assert.equal(r.isError, true);
  assert.match(
    r.text,
    /^error: a POST probe with a body can change data, and writes are not allowed\nhint: .*--allow-writes/,
  );
  const latest = await call(client, 'kubetrace_explainTrace');
  assert.match(latest.text, new RegExp(`^trace ${probedTraceId}`), 'no new trace');
});

test('a missing route is a clear tool error with a hint; a bad reference too', async () => {
  const r = await call(client, 'kubetrace_probe', { route: 'shop/nope' });
  assert.equal(r.isError, true);
  assert.match(r.text, /^error: Ingress shop\/nope not found\nhint: list the Ingresses/);
  const bad = await call(client, 'kubetrace_probe', { route: 'not a route' });
  assert.equal(bad.isError, true);
  assert.match(bad.text, /^error: "not a route" is not a route reference\nhint: use NAMESPACE\/NAME/);
});

test('a cancelled probe stops: the client gets the cancellation and no trace is kept', async () => {
  const abort = new AbortController();
  const pending = client.callTool({ name: 'kubetrace_probe', arguments: { route: 'shop/orders' } }, undefined, {
    signal: abort.signal,
    timeout: 120_000,
  });
  setTimeout(() => abort.abort(), 20);
  await assert.rejects(pending, /abort|cancel/i);
  // Long enough for an uncancelled probe to finish and be stored.
  await new Promise((r) => setTimeout(r, 4000));
  const latest = await call(client, 'kubetrace_explainTrace');
  assert.match(latest.text, new RegExp(`^trace ${probedTraceId}`), 'the cancelled probe left no trace');
});

test('with --allow-writes a POST is sent', async () => {
  const writer = await server('--kubeconfig', sb.kubeconfigPath, '--allow-writes');
  const r = await call(writer, 'kubetrace_probe', {
    route: 'shop/orders',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"sku":"kt-mug"}',
  });
  assert.equal(r.isError, false, r.text);
  assert.match(
    r.text,
    /^probe shop\/orders: POST https:\/\/shop\.kubetrace\.test:\d+\/orders .*→ HTTP \d{3}; trace id/,
  );
});

test('kubetrace_burst sends a traced burst and returns a short breakdown; more than 50 or a write is refused', async () => {
  const r = await call(client, 'kubetrace_burst', { route: 'shop/orders', count: 12, concurrency: 3 });
  assert.equal(r.isError, false, r.text);
  assert.match(r.text, /^burst shop\/orders: 12 requests, 12 traces complete, 0 errors, [\d.]+ requests\/s\n/);
  assert.match(r.text, /^duration p50 [\d.]+ ms · p90 [\d.]+ ms · p99 [\d.]+ ms · max [\d.]+ ms$/m);
  assert.match(r.text, /^slowest traces: [0-9a-f]{32} \([\d.]+ ms\)/m);
  assert.ok(r.text.split('\n').length <= 30);
  const many = await call(client, 'kubetrace_burst', { route: 'shop/orders', count: 51 });
  assert.equal(many.isError, true);
  assert.match(many.text, /^error: an agent's burst is 1 to 50 requests, not 51/);
  const post = await call(client, 'kubetrace_burst', { route: 'shop/orders', method: 'POST' });
  assert.equal(post.isError, true);
  assert.match(post.text, /writes are not allowed/);
});

test('outside the sandbox a probe needs --yes', async () => {
  // The same cluster under another context name is, for Kubetrace, not the sandbox.
  const kc = parse(readFileSync(sb.kubeconfigPath, 'utf8'));
  kc.contexts[0].name = 'prod';
  kc['current-context'] = 'prod';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'prod.kubeconfig');
  writeFileSync(file, stringify(kc));
  const guarded = await server('--kubeconfig', file);
  const r = await call(guarded, 'kubetrace_probe', { route: 'shop/orders' });
  assert.equal(r.isError, true);
  assert.match(r.text, /^error: this cluster is not the Kubetrace sandbox.*\nhint: start `kubetrace mcp` with --yes/);
  const listed = await call(guarded, 'kubetrace_listRoutes');
  assert.match(listed.text, /^context prod\n/);
  const yes = await server('--kubeconfig', file, '--yes');
  const sent = await call(yes, 'kubetrace_probe', { route: 'shop/orders' });
  assert.equal(sent.isError, false, sent.text);
});

test('kubetrace probe --summary prints the same summary the tools return', async () => {
  const args = ['--kubeconfig', sb.kubeconfigPath, '--workspace', ROOT, '--nginx-source', NGINX_SRC];
  const r = await cli(['probe', 'shop/orders', '--summary', ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^trace [0-9a-f]{32} · HTTP 200 · total [\d.]+ m?s · \d+ spans · layers client, ingress, app, downstream\n/,
  );
  assert.match(r.stdout, /orders GET \/orders .*src\/sandbox\/apps\/orders\/server\.js:\d+ \w+/);
  assert.ok(r.stdout.trim().split('\n').length <= 60);
  const both = await cli(['probe', 'shop/orders', '--summary', '--json', ...args]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--json and --summary/);
});
