// The top-level resolver over a mixed trace: OTel-module nginx spans, spans from other controllers, malformed
// spans from imports. Every span ends with a source or a reason, the input trace is not changed, and the
// nginx module's location pseudo-ref is replaced by the real nginx.conf block.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveSources } from '../../src/core/sourcemap';
import type { Span, Trace } from '../../src/core/trace/model';

const WS = join(__dirname, '..', 'fixtures', 'sourcemap', 'ws');
const conf = mkdtempSync(join(tmpdir(), 'kt-trace-conf-'));
after(() => rmSync(conf, { recursive: true, force: true }));
writeFileSync(
  join(conf, 'nginx.conf'),
  [
    'http {',
    '  server {',
    '    server_name books.bookstore.test;',
    '    location /books/ {',
    '      set $proxy_upstream_name "bookstore-books-80";',
    '    }',
    '    location = /books/search {',
    '      set $proxy_upstream_name "bookstore-search-http";',
    '    }',
    '  }',
    '}',
  ].join('\n'),
);

const mk = (p: Partial<Span>): Span => ({
  spanId: '0000000000000001',
  name: 'x',
  service: 'svc',
  layer: 'app',
  kind: 'internal',
  startTimeUnixNano: '1',
  endTimeUnixNano: '2',
  status: 'unset',
  attributes: {},
  events: [],
  links: [],
  origin: 'import',
  ...p,
});

test('an OTel-module nginx span (one SERVER span named after the location) links its Ingress rule and location', async () => {
  const otel = mk({
    spanId: '00000000000000e1',
    name: '/books/',
    service: 'nginx',
    layer: 'ingress',
    kind: 'server',
    origin: 'otlp',
    attributes: {
      'http.method': 'GET',
      'http.target': '/books/12?x=1',
      'http.host': 'books.bookstore.test',
      'http.status_code': 200,
      'otel.scope.name': 'nginx',
    },
  });
  const trace: Trace = { traceId: 'c'.repeat(32), spans: [otel], criticalPath: [], diagnostics: [] };
  const out = (
    await resolveSources(trace, {
      workspaceFolders: [WS],
      nginxConfDir: conf,
      allowedRoots: [WS, conf],
      nginx: { reason: 'offline' },
    })
  ).spans[0];
  assert.equal(out.source?.kind, 'nginx');
  assert.equal(out.source?.function, 'ngx_http_process_request');
  const yaml = out.moreSources?.find((r) => r.kind === 'ingress-yaml');
  assert.equal(yaml?.path, join(WS, 'deploy', 'bookstore.yaml'));
  assert.equal(readFileSync(yaml!.path, 'utf8').split('\n')[yaml!.line! - 1].trim(), 'path: /books');
  const locs = out.moreSources?.filter((r) => r.kind === 'nginx-conf') ?? [];
  assert.deepEqual(locs, [{ kind: 'nginx-conf', path: join(conf, 'nginx.conf'), line: 4, endLine: 6 }]);
  assert.match(out.sourceReason!, /offline/);
});

test('odd and malformed spans still end with a reason; the input trace is left as it was', async () => {
  const spans: Span[] = [
    mk({
      spanId: '00000000000000f1',
      layer: 'ingress',
      kind: 'server',
      service: 'traefik',
      name: 'websecure-router',
      attributes: { 'http.route': 'Host(`x`)' },
    }),
    mk({ spanId: '00000000000000f2', attributes: { 'code.file.path': 42 as unknown as string, 'code.lineno': 'NaN' } }),
    mk({
      spanId: '00000000000000f3',
      events: [
        { timeUnixNano: '1', name: 'exception', attributes: { 'exception.stacktrace': 12345 } },
        null as unknown as Span['events'][number],
      ],
    }),
    mk({
      spanId: '00000000000000f4',
      attributes: undefined as unknown as Span['attributes'],
      events: undefined as unknown as Span['events'],
    }),
    mk({ spanId: '00000000000000f5', kind: 'server', attributes: { 'url.full': 'not a url', 'http.method': 'GET' } }),
    mk({ spanId: '00000000000000f6', layer: 'client', service: 'browser', kind: 'client', origin: 'otlp' }),
    mk({
      spanId: '00000000000000f7',
      layer: 'ingress',
      kind: 'server',
      name: 'nginx',
      service: 'ingress-nginx',
      origin: 'nginx-log',
      attributes: { 'nginx.proxy_upstream_name': 'upstream-default-backend', 'url.path': '/nowhere' },
    }),
  ];
  const trace: Trace = { traceId: 'd'.repeat(32), spans, criticalPath: [], diagnostics: [] };
  const before = JSON.stringify(trace);
  const out = await resolveSources(trace, { workspaceFolders: [WS], allowedRoots: [WS] });
  assert.equal(JSON.stringify(trace), before, 'the input is not mutated');
  assert.equal(out.spans.length, spans.length);
  for (const s of out.spans) {
    assert.ok(
      s.source || (typeof s.sourceReason === 'string' && s.sourceReason.length > 5),
      `${s.spanId}: ${JSON.stringify(s)}`,
    );
  }
  const by = new Map(out.spans.map((s) => [s.spanId, s]));
  assert.match(by.get('00000000000000f7')!.sourceReason!, /default backend answered/);
  assert.match(by.get('00000000000000f6')!.sourceReason!, /outgoing call/);
  assert.equal(by.get('00000000000000f2')!.source, undefined);
});
