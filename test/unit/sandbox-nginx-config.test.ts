// The nginx config generator: structure and ingress-nginx semantics, checked on the text it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, expandPath, DEFAULT_BACKEND } from '../../src/sandbox/nginx/model';
import { renderConfig, LOG_FORMAT_UPSTREAMINFO } from '../../src/sandbox/nginx/render';
import { fixtureStore, ingress, slice } from '../integration/nginx-fixture';

const ep = { orders: ['127.10.0.5', '127.10.0.4'], inventory: ['127.10.0.6'], catalog: ['127.10.0.7'] };
const opts = (dir = '/tmp/x') => ({
  dir,
  listen: { ip: '127.10.0.2', httpPort: 31080, httpsPort: 31443 },
  defaultBackendPort: 31181,
  certs: new Map([
    ['_', { cert: `${dir}/d.crt`, key: `${dir}/d.key` }],
    ['shop.kubetrace.test', { cert: `${dir}/s.crt`, key: `${dir}/s.key` }],
  ]),
});

/** The text of the block that starts at the first line matching `head` (brace-balanced). */
function block(text: string, head: RegExp): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => head.test(l));
  assert.ok(start >= 0, `no block ${head}`);
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    depth += (lines[i].match(/{/g) ?? []).length - (lines[i].match(/}/g) ?? []).length;
    if (depth === 0 && i > start) return lines.slice(start, i + 1).join('\n');
  }
  throw new Error('unbalanced');
}

test('Prefix paths become a slash-prefix location plus an exact one; Exact stays exact', () => {
  assert.deepEqual(expandPath('/orders', 'Prefix'), [
    { path: '/orders/', match: 'prefix' },
    { path: '/orders', match: 'exact' },
  ]);
  assert.deepEqual(expandPath('/orders/', 'Prefix'), [{ path: '/orders/', match: 'prefix' }]);
  assert.deepEqual(expandPath('/', 'Prefix'), [{ path: '/', match: 'prefix' }]);
  assert.deepEqual(expandPath('/inventory/stock', 'Exact'), [{ path: '/inventory/stock', match: 'exact' }]);
  assert.deepEqual(expandPath('/x', 'ImplementationSpecific'), [{ path: '/x', match: 'prefix' }]);
});

test('servers, locations and upstreams follow the Ingresses', () => {
  const { text, index } = renderConfig(buildModel(fixtureStore(ep)), opts());
  // Upstreams are named <ns>-<svc>-<port as the Ingress names it>, with ready endpoints in address order.
  const up = block(text, /^\s*upstream shop-orders-80 \{/);
  assert.match(up, /server 127\.10\.0\.4:8080 max_fails=0;[^\n]*\n\s*server 127\.10\.0\.5:8080 max_fails=0;/);
  assert.match(text, /upstream shop-orders-http \{/);
  assert.match(text, /upstream shop-inventory-80 \{\n[^\n]*server 127\.10\.0\.6:8080/);
  assert.match(block(text, /upstream upstream-default-backend \{/), /server 127\.0\.0\.1:31181/);

  const shop = block(text, /## start server shop\.kubetrace\.test/);
  assert.match(shop, /listen 127\.10\.0\.2:31080;/);
  assert.match(shop, /listen 127\.10\.0\.2:31443 ssl http2;/);
  assert.match(shop, /ssl_certificate \/tmp\/x\/s\.crt;/);
  const exact = block(shop, /location = \/orders \{/);
  assert.match(exact, /set \$proxy_upstream_name "shop-orders-80";/);
  assert.match(exact, /proxy_pass http:\/\/shop-orders-80;/);
  assert.match(
    exact,
    /return 308 https:\/\/\$best_http_host\$request_uri;/,
    'TLS hosts redirect plain HTTP, as ingress-nginx does',
  );
  assert.match(block(shop, /location \/orders\/ \{/), /proxy_pass http:\/\/shop-orders-80;/);
  assert.match(block(shop, /location \/ \{/), new RegExp(`proxy_pass http://${DEFAULT_BACKEND};`));

  const api = block(text, /## start server api\.kubetrace\.test/);
  assert.match(api, /ssl_certificate \/tmp\/x\/d\.crt;/, 'hosts without spec.tls get the default certificate');
  assert.match(block(api, /location = \/inventory\/stock \{/), /proxy_pass http:\/\/shop-inventory-80;/);
  assert.doesNotMatch(api, /location \/inventory\/stock\//, 'an Exact path has no prefix twin');
  assert.match(block(api, /location \/orders\/ \{/), /proxy_pass http:\/\/shop-orders-http;/);
  assert.doesNotMatch(api, /return 308/);

  // The default server answers unknown hosts with the fallback Ingress's defaultBackend.
  const def = block(text, /## start server _$/);
  assert.match(def, /listen 127\.10\.0\.2:31080 default_server;/);
  assert.match(block(def, /location \/ \{/), /set \$proxy_upstream_name "shop-inventory-80";/);

  // The index points at the real lines.
  const lines = text.split('\n');
  const loc = index.locations.find((l) => l.host === 'api.kubetrace.test' && l.path === '/inventory/stock');
  assert.ok(loc);
  assert.match(lines[loc.line], /location = \/inventory\/stock \{/);
  assert.equal(lines[loc.endLine - 1].trim(), '}');
  const srv = index.servers.find((s) => s.host === 'catalog.kubetrace.test');
  assert.ok(srv && /## start server catalog\.kubetrace\.test/.test(lines[srv.line - 1]));
});

test('global settings match ingress-nginx and the topology contract', () => {
  const { text } = renderConfig(buildModel(fixtureStore(ep)), opts());
  assert.ok(text.includes(`log_format upstreaminfo '${LOG_FORMAT_UPSTREAMINFO}';`));
  assert.ok(
    LOG_FORMAT_UPSTREAMINFO.endsWith('$upstream_status $req_id $upstream_connect_time $upstream_header_time $msec'),
  );
  assert.match(
    text,
    /map \$http_x_request_id \$req_id \{\n\s*default \$http_x_request_id;\n\s*"" \$request_id;\n\s*\}/,
  );
  for (const d of [
    'server_tokens off;',
    'proxy_set_header X-Request-ID $req_id;',
    'proxy_next_upstream_tries 3;',
    'proxy_buffering off;',
    'access_log /dev/stdout upstreaminfo;',
    'error_log stderr notice;',
    'debug_connection 127.0.0.1;',
    'daemon off;',
    'pid /tmp/x/nginx.pid;',
    'proxy_set_header Host $best_http_host;',
  ]) {
    assert.ok(text.includes(d), `missing ${d}`);
  }
  assert.doesNotMatch(text, /proxy_set_header (traceparent|tracestate)/i, 'trace headers pass through untouched');
  assert.doesNotMatch(text, /proxy_pass_request_headers off/);
});

test('no ready endpoints means 503, and not-ready endpoints are left out', () => {
  const store = fixtureStore(ep);
  store.put(slice('catalog', 'catalog', 'http', 8080, [{ ip: '127.10.0.7', ready: false }]));
  const { text } = renderConfig(buildModel(store), opts());
  assert.doesNotMatch(text, /upstream catalog-catalog-80/);
  assert.match(
    block(block(text, /## start server catalog\.kubetrace\.test/), /location \/catalog\/ \{/),
    /return 503;/,
  );
});

test('class filtering, oldest Ingress wins a clash, and a missing Service still loads', () => {
  const store = fixtureStore(ep);
  store.put(
    ingress('shop', 'other-class', {
      ingressClassName: 'traefik',
      rules: [
        {
          host: 'traefik.kubetrace.test',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } }],
          },
        },
      ],
    }),
  );
  store.put(
    ingress('shop', 'zz-clash', {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'api.kubetrace.test',
          http: {
            paths: [
              {
                path: '/inventory/stock',
                pathType: 'Exact',
                backend: { service: { name: 'orders', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    }),
  );
  store.put(
    ingress('shop', 'ghost', {
      rules: [
        {
          host: 'ghost.kubetrace.test',
          http: {
            paths: [{ path: '/g', pathType: 'Exact', backend: { service: { name: 'nope', port: { number: 80 } } } }],
          },
        },
      ],
    }),
  );
  const model = buildModel(store);
  assert.ok(!model.servers.some((s) => s.host === 'traefik.kubetrace.test'));
  const api = model.servers.find((s) => s.host === 'api.kubetrace.test')!;
  assert.equal(api.locations.find((l) => l.path === '/inventory/stock')!.upstream, 'shop-inventory-80');
  // No class at all: served because nginx is the default IngressClass.
  const ghost = model.servers.find((s) => s.host === 'ghost.kubetrace.test')!;
  assert.equal(ghost.locations.find((l) => l.path === '/g')!.upstream, 'shop-nope-80');
  assert.match(model.upstreams.find((u) => u.name === 'shop-nope-80')!.missing!, /not found/);
});

test('the generated config passes nginx -t', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-nginx-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const o = opts(dir);
  const key = join(dir, 'k.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=t',
    ],
    { stdio: 'ignore' },
  );
  o.certs = new Map([
    ['_', { cert: join(dir, 'c.pem'), key }],
    ['shop.kubetrace.test', { cert: join(dir, 'c.pem'), key }],
  ]);
  const { text } = renderConfig(buildModel(fixtureStore(ep)), o);
  writeFileSync(join(dir, 'nginx.conf'), text);
  // stdout on /dev/null: `access_log /dev/stdout` needs a stdout that can be opened by name.
  execFileSync('/usr/sbin/nginx', ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
});

test('hosts and paths that would read as nginx config are left out, with a reason', (t) => {
  const store = fixtureStore(ep);
  store.put(
    ingress('shop', 'evil', {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'evil.test; include /etc/passwd',
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } }],
          },
        },
        {
          host: 'ok.test',
          http: {
            paths: [
              {
                path: '/x; return 200 "pwned"',
                pathType: 'Prefix',
                backend: { service: { name: 'orders', port: { number: 80 } } },
              },
              { path: '/fine', pathType: 'Exact', backend: { service: { name: 'orders', port: { number: 80 } } } },
              { path: '/y', pathType: 'Exact', backend: { service: { name: 'orders"; evil', port: { number: 80 } } } },
            ],
          },
        },
      ],
    }),
  );
  const model = buildModel(store);
  assert.deepEqual(
    model.skipped.map((s) => s.reason.split(' ')[0] + ' ' + s.ingress),
    ['host evil', 'path evil'],
  );
  const { text } = renderConfig(model, opts());
  assert.doesNotMatch(text, /pwned|passwd|evil;/);
  assert.match(block(text, /## start server ok\.test/), /location = \/fine \{/);
  // A service name that is not a DNS label cannot be a Service: the default backend answers.
  assert.match(
    block(block(text, /## start server ok\.test/), /location = \/y \{/),
    /proxy_pass http:\/\/upstream-default-backend;/,
  );
  t.diagnostic(`${model.skipped.length} skipped`);
});
