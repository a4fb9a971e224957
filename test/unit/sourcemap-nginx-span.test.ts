import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Span } from '../../src/core/trace/model';
import { nginxSourceForSpan, resolveNginxSourceForSpan } from '../../src/core/sourcemap/nginx';
import { grepDefinition, nginxTree } from '../fixtures/nginx-debug/source';

function span(name: string, extra: Partial<Span> = {}): Span {
  return {
    spanId: '00f067aa0ba902b7',
    name,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: name === 'nginx' ? 'server' : 'internal',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'nginx-log',
    ...extra,
  };
}

const expected: [string, string, string][] = [
  ['nginx', 'src/http/ngx_http_request.c', 'ngx_http_process_request'],
  ['upstream.attempt', 'src/http/ngx_http_upstream.c', 'ngx_http_upstream_init_request'],
  ['upstream.connect', 'src/http/ngx_http_upstream.c', 'ngx_http_upstream_connect'],
  ['upstream.header', 'src/http/ngx_http_upstream.c', 'ngx_http_upstream_process_header'],
  ['upstream.response', 'src/http/ngx_http_upstream.c', 'ngx_http_upstream_send_response'],
  ['proxy', 'src/http/modules/ngx_http_proxy_module.c', 'ngx_http_proxy_handler'],
  ['nginx.headers', 'src/http/ngx_http_request.c', 'ngx_http_process_request_headers'],
  ['nginx.request line', 'src/http/ngx_http_request.c', 'ngx_http_process_request_line'],
  ['nginx.request-line', 'src/http/ngx_http_request.c', 'ngx_http_process_request_line'],
  ['nginx.post-read', 'src/http/ngx_http_core_module.c', 'ngx_http_core_generic_phase'],
  ['nginx.server rewrite', 'src/http/ngx_http_core_module.c', 'ngx_http_core_rewrite_phase'],
  ['nginx.find config', 'src/http/ngx_http_core_module.c', 'ngx_http_core_find_config_phase'],
  ['nginx.access', 'src/http/ngx_http_core_module.c', 'ngx_http_core_access_phase'],
  ['nginx.content', 'src/http/ngx_http_core_module.c', 'ngx_http_core_content_phase'],
  ['nginx.upstream', 'src/http/ngx_http_upstream.c', 'ngx_http_upstream_init'],
  ['nginx.filters', 'src/http/ngx_http_header_filter_module.c', 'ngx_http_header_filter'],
  ['nginx.log', 'src/http/ngx_http_request.c', 'ngx_http_log_request'],
];

test('each Kubetrace nginx span maps to its function, on the line grep finds', async () => {
  const tree = nginxTree();
  for (const [name, file, fn] of expected) {
    const r = nginxSourceForSpan(span(name), tree);
    const line = grepDefinition(tree.root, file, fn)[0];
    assert.ok(line > 0);
    assert.equal(r.source?.kind, 'nginx', name);
    assert.equal(r.source?.path, join(tree.root, file), name);
    assert.equal(r.source?.function, fn, name);
    assert.equal(r.source?.line, line, name);
    assert.ok((r.source?.endLine ?? 0) > line, `${name} has an end line`);
    assert.equal(r.sourceReason, undefined, name);
    for (const m of r.moreSources ?? []) assert.ok(m.line && m.line > 0, `${name}: ${m.function} resolves too`);
    assert.deepEqual(await resolveNginxSourceForSpan(span(name), tree), r, `${name}: async and sync agree`);
  }
});

test('the nginx span also points at the request line and header handlers', () => {
  const r = nginxSourceForSpan(span('nginx'), nginxTree());
  const fns = (r.moreSources ?? []).map((s) => s.function);
  assert.ok(fns.includes('ngx_http_process_request_line'));
  assert.ok(fns.includes('ngx_http_process_request_headers'));
});

test('a retry maps to ngx_http_upstream_next; connect is listed with every attempt', () => {
  const tree = nginxTree();
  const first = nginxSourceForSpan(span('upstream.attempt', { attributes: { 'kubetrace.upstream.attempt': 1 } }), tree);
  const retry = nginxSourceForSpan(span('upstream.attempt', { attributes: { 'kubetrace.upstream.attempt': 2 } }), tree);
  assert.equal(first.source?.function, 'ngx_http_upstream_init_request');
  assert.equal(retry.source?.function, 'ngx_http_upstream_next');
  assert.equal(
    retry.source?.line,
    grepDefinition(tree.root, 'src/http/ngx_http_upstream.c', 'ngx_http_upstream_next')[0],
  );
  for (const r of [first, retry]) assert.ok(r.moreSources?.some((m) => m.function === 'ngx_http_upstream_connect'));
});

test('an OTel module span maps to the request handler, with its location in moreSources', () => {
  const tree = nginxTree();
  const otel = span('/orders', {
    origin: 'otlp',
    service: 'nginx',
    kind: 'server',
    attributes: { 'http.target': '/orders/1' },
  });
  const r = nginxSourceForSpan(otel, tree);
  assert.equal(r.source?.function, 'ngx_http_process_request');
  assert.deepEqual(r.moreSources?.[0], { kind: 'nginx-conf', path: '/orders' });
  const routed = span('GET', {
    origin: 'jaeger',
    service: 'ingress-nginx',
    kind: 'server',
    layer: 'app',
    attributes: { 'http.route': '/api/' },
  });
  assert.deepEqual(nginxSourceForSpan(routed, tree).moreSources?.[0], { kind: 'nginx-conf', path: '/api/' });
});

test('spans that are not nginx spans get nothing', () => {
  const tree = nginxTree();
  assert.deepEqual(
    nginxSourceForSpan(span('GET /orders', { origin: 'otlp', service: 'orders', layer: 'app', kind: 'server' }), tree),
    {},
  );
  assert.deepEqual(
    nginxSourceForSpan(span('nginx', { origin: 'otlp', layer: 'app', service: 'orders', kind: 'internal' }), tree),
    {},
  );
  assert.deepEqual(nginxSourceForSpan(span('upstream.bogus'), tree), {});
});

test('without a source tree: the function, no line, and a reason in plain words', () => {
  const r = nginxSourceForSpan(span('upstream.connect'));
  assert.deepEqual(r.source, {
    kind: 'nginx',
    path: 'src/http/ngx_http_upstream.c',
    function: 'ngx_http_upstream_connect',
  });
  assert.match(r.sourceReason ?? '', /no nginx source tree/);
  const offline = nginxSourceForSpan(span('nginx'), undefined, {
    missingTreeReason: 'offline: nginx 1.25.5 source could not be downloaded',
  });
  assert.equal(offline.source?.line, undefined);
  assert.equal(offline.sourceReason, 'offline: nginx 1.25.5 source could not be downloaded');
});

test('a tree that lacks the function says so', () => {
  const r = nginxSourceForSpan(span('nginx'), { root: '/nonexistent/nginx-0.0.1', version: '0.0.1' });
  assert.equal(r.source?.function, 'ngx_http_process_request');
  assert.equal(r.source?.line, undefined);
  assert.match(r.sourceReason ?? '', /ngx_http_process_request was not found .*0\.0\.1/);
});

test('answers are shared per trace but handed out as copies; 10,000 spans map quickly', () => {
  const tree = nginxTree();
  const a = nginxSourceForSpan(span('upstream.header'), tree);
  a.source!.line = -1;
  a.moreSources!.length = 0;
  const b = nginxSourceForSpan(span('upstream.header'), tree);
  assert.ok(b.source!.line! > 0);
  assert.ok(b.moreSources!.length > 0);
  const names = [
    'nginx',
    'upstream.attempt',
    'upstream.connect',
    'upstream.header',
    'upstream.response',
    'nginx.headers',
    'GET /x',
  ];
  const spans = Array.from({ length: 10_000 }, (_, i) => span(names[i % names.length]));
  const cpu0 = process.cpuUsage();
  for (const s of spans) nginxSourceForSpan(s, tree);
  const cpu = process.cpuUsage(cpu0);
  const ms = (cpu.user + cpu.system) / 1000;
  assert.ok(ms < 200, `10,000 spans took ${ms.toFixed(0)} ms of CPU`);
});
