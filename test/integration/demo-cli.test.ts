// `kubetrace demo --exit` as users run it (bin/kubetrace.js → dist/cli.js) in single-address mode, the one macOS
// falls back to (src/sandbox/runtime/addressing.ts): forced with --single-address, and chosen on its own when the
// pod subnet cannot be bound. Either way the three probes print their waterfalls.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'kt-demo-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const NOTICE = /cannot be bound on this machine \(EADDRNOTAVAIL\); pods share 127\.0\.0\.1 with a port each/g;

/** The three probes' headings, each with its URL answering 200 and a waterfall through the client and ingress. */
function assertThreeWaterfalls(stdout: string): void {
  const sections = stdout.split(/^kubetrace probe /m).slice(1);
  assert.deepEqual(
    sections.map((s) => s.split(/\s/)[0]),
    ['shop/orders', 'catalog/catalog', 'httproute/shop/orders-gold'],
    stdout,
  );
  for (const s of sections) {
    const head = s.split(/\s/)[0];
    assert.match(s, /^http\S+:\d+\/\S* → 200$/m, `${head} did not answer 200`);
    assert.match(s, /^trace [0-9a-f]{32} .* HTTP 200$/m, `${head} printed no waterfall`);
    for (const layer of ['client', 'ingress', 'app'])
      assert.match(s, new RegExp(`^${layer}\\s`, 'm'), `${head}: ${layer}`);
  }
  assert.doesNotMatch(stdout, /^error: /m);
}

test('kubetrace demo --single-address --exit prints its three waterfalls, every pod on 127.0.0.1', async () => {
  const r = await cli(
    ['demo', '--single-address', '--exit', '--pod-subnet', '127.10.181', '--kubeconfig', join(tmp, 'a.kubeconfig')],
    { timeoutMs: 240_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  assertThreeWaterfalls(r.stdout);
  assert.match(r.stdout, /all share 127\.0\.0\.1, each with ports of its own/);
  // The Pods table: every pod's IP column is 127.0.0.1.
  const rows = r.stdout
    .split(/^Pods .*\n/m)[1]
    .split('\n\n')[0]
    .split('\n')
    .slice(1);
  assert.equal(rows.length, 8, rows.join('\n'));
  for (const row of rows) assert.equal(row.trim().split(/\s+/)[2], '127.0.0.1', row);
  assert.doesNotMatch(r.stdout, /127\.10\.181\./);
  // Forced, so nothing to explain.
  assert.equal(r.stderr.match(NOTICE), null);
});

test('on a pod subnet no interface has, the demo falls back by itself and says so once on stderr', async () => {
  // TEST-NET-3 (RFC 5737): binding 203.0.113.2 fails with EADDRNOTAVAIL here, as 127.10.0.2 does on macOS.
  const r = await cli(['demo', '--exit', '--pod-subnet', '203.0.113', '--kubeconfig', join(tmp, 'b.kubeconfig')], {
    timeoutMs: 240_000,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stderr.match(NOTICE), [NOTICE.source.replace(/\\/g, '')]);
  assert.match(r.stderr, /^sandbox: 203\.0\.113\.2 cannot be bound on this machine/m);
  assertThreeWaterfalls(r.stdout);
});
