// nginx error lines -> the ngx_log_error call that printed them, found in the real nginx 1.22.1 source.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  errorSites,
  formatPart,
  matchErrorSites,
  resolveErrorEventSources,
} from '../../src/core/sourcemap/nginx/error-sites';
import type { Trace } from '../../src/core/trace/model';
import { nginxTree } from '../fixtures/nginx-debug/source';

// Message as logged -> the file and function of the one call that prints it, and the literal that call holds.
const CASES: [string, string, string, string][] = [
  [
    'no live upstreams while connecting to upstream',
    'src/http/ngx_http_upstream.c',
    'ngx_http_upstream_connect',
    '"no live upstreams"',
  ],
  [
    'connect() failed (111: Connection refused) while connecting to upstream',
    'src/http/ngx_http_upstream.c',
    'ngx_http_upstream_test_connect',
    '"connect() failed"',
  ],
  [
    'limiting requests, excess: 10.500 by zone "one"',
    'src/http/modules/ngx_http_limit_req_module.c',
    'ngx_http_limit_req_handler',
    '"limiting requests%s, excess: %ui.%03ui by zone',
  ],
  [
    'client intended to send too large body: 2000000 bytes',
    'src/http/ngx_http_core_module.c',
    'ngx_http_core_find_config_phase',
    '"client intended to send too large body: %O bytes"',
  ],
  [
    'SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream',
    'src/event/ngx_event_openssl.c',
    'ngx_ssl_handshake',
    '"SSL_do_handshake() failed"',
  ],
];

test('each error message maps to the call that prints it (checked against the source text)', async () => {
  const tree = nginxTree();
  const sites = await errorSites(tree);
  assert.ok(sites.length > 1000, `${sites.length} call sites`);
  for (const [message, file, fn, literal] of CASES) {
    const hits = matchErrorSites(sites, message);
    assert.equal(hits.length, 1, `${message}: ${hits.map((h) => `${h.file}:${h.line}`).join(', ')}`);
    assert.equal(hits[0].file, file, message);
    assert.equal(hits[0].function, fn, message);
    // Independent check: the call's first lines hold the format literal.
    const lines = readFileSync(join(tree.root, file), 'latin1').split('\n');
    const call = lines.slice(hits[0].line - 1, hits[0].line + 3).join('\n');
    assert.ok(call.includes(literal), `${file}:${hits[0].line} holds ${literal}:\n${call}`);
    assert.match(lines[hits[0].line - 1], /ngx_(log|ssl|connection|ssl_connection)_error/);
  }
  // A message printed from several places keeps them all (best first), never a made-up single answer.
  const timedOut = matchErrorSites(
    sites,
    'upstream timed out (110: Connection timed out) while connecting to upstream',
  );
  assert.ok(timedOut.length > 1 && timedOut.every((s) => s.file === 'src/http/ngx_http_upstream.c'));
  assert.ok(timedOut.some((s) => s.function === 'ngx_http_upstream_next'));
  assert.deepEqual(matchErrorSites(sites, 'this text is in no nginx source'), []);
});

test('events get code.* attributes; an unknown message says why it has none', async () => {
  const tree = nginxTree();
  const ev = (message: string) => ({
    timeUnixNano: '1',
    name: 'nginx.error',
    attributes: { message } as Record<string, unknown>,
  });
  const trace: Trace = {
    traceId: 'a'.repeat(32),
    spans: [
      {
        spanId: 'b'.repeat(16),
        name: 'nginx',
        service: 'ingress-nginx',
        layer: 'ingress',
        kind: 'server',
        startTimeUnixNano: '0',
        endTimeUnixNano: '2',
        status: 'error',
        attributes: {},
        events: [ev('no live upstreams while connecting to upstream'), ev('made up')],
        links: [],
        origin: 'nginx-log',
      },
    ],
    criticalPath: [],
    diagnostics: [],
  };
  assert.equal(await resolveErrorEventSources(trace, tree), 1);
  const [a, b] = trace.spans[0].events;
  assert.equal(a.attributes['code.file.path'], join(tree.root, 'src/http/ngx_http_upstream.c'));
  assert.equal(typeof a.attributes['code.line.number'], 'number');
  assert.equal(a.attributes['code.function.name'], 'ngx_http_upstream_connect');
  assert.match(String(b.attributes['kubetrace.source.reason']), /no ngx_log_error call/);
});

test('formatPart drops what ngx_log_error_core appends; matching random text never throws', async () => {
  assert.equal(
    formatPart('connect() failed (111: Connection refused) while connecting to upstream'),
    'connect() failed',
  );
  assert.equal(
    formatPart('SSL_do_handshake() failed (SSL: error:1) while SSL handshaking'),
    'SSL_do_handshake() failed',
  );
  assert.equal(formatPart('plain'), 'plain');
  const sites = await errorSites(nginxTree());
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const hits = matchErrorSites(sites, s);
      assert.ok(Array.isArray(hits));
    }),
    { numRuns: 300 }, // fast-check prints the seed and the shrunk counterexample on failure
  );
});
