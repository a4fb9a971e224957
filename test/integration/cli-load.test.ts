// `kubetrace load` against the sandbox: real nginx, real Node apps exporting real OTLP to the trace store.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSandbox } from '../../src/sandbox/sandbox';
import type { BurstReport } from '../../src/core/burst/model';
import { ROOT, cli } from './helpers';

const dir = join(ROOT, '.cache', 'test-cli-load');
let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({ podSubnet: '127.10.171', kubeconfigPath: join(dir, 'sandbox.kubeconfig') });
});
after(async () => {
  await sb?.stop();
});

const load = async (...args: string[]) => {
  const r = await cli(['load', ...args, '--kubeconfig', sb.kubeconfigPath, '--json'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `load ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as BurstReport;
};

test('a burst of 200 through orders gives 200 complete traces, each its own trace id', async () => {
  const r = await load('shop/orders', '-n', '200', '-c', '8');
  assert.equal(r.requests, 200);
  assert.equal(r.completed, 200, JSON.stringify(r.diagnostics));
  assert.equal(r.errors, 0);
  assert.equal(new Set(r.probes.map((p) => p.traceId)).size, 200);
  assert.ok(r.probes.every((p) => p.status === 200 && p.complete && p.pod?.startsWith('orders-')));
  // A pool of 8 reused connections: at most 8 requests opened one.
  assert.ok(r.probes.filter((p) => p.newConnection).length <= 8);
});

test('a burst against /orders/fail reports every request as an error, each traced to the app', async () => {
  const r = await load('shop/orders', '--path', '/orders/fail', '-n', '30');
  assert.equal(r.requests, 30);
  assert.equal(r.errors, 30);
  assert.ok(r.probes.every((p) => p.status === 500 && p.complete));
});

test('one orders pod made slow: the requests it served are the slow ones', async () => {
  const pods = JSON.parse((await cli(['ingresses', '--kubeconfig', sb.kubeconfigPath, '--json'])).stdout) as {
    name: string;
    rules: { paths: { backends: { endpoints: { pod?: string }[] }[] }[] }[];
  }[];
  const endpoints = pods.find((e) => e.name === 'orders')!.rules[0].paths[0].backends[0].endpoints;
  const slow = endpoints[0].pod!;
  assert.equal(endpoints.length, 2);
  const r = await load('shop/orders', '-n', '60', '-c', '4', '-H', `x-sandbox-delay: ${slow}=300`);
  assert.equal(r.completed, 60);
  const served = (pod: string) => r.probes.filter((p) => p.pod === pod).map((p) => p.durationMs);
  const [slowMs, fastMs] = [served(slow), served(endpoints[1].pod!)];
  assert.ok(slowMs.length > 5 && fastMs.length > 5, 'both pods served requests');
  assert.equal(slowMs.length + fastMs.length, 60);
  // Every request the slow pod served waited its 300 ms; most of the other pod's did not come near it.
  assert.ok(slowMs.every((d) => d >= 300));
  assert.ok(median(fastMs) < 300, `median of the other pod: ${median(fastMs)} ms`);
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

test('--no-keepalive opens a connection per request; keep-alive reuses the pool', async () => {
  const fresh = await load('shop/orders', '-n', '20', '-c', '4', '--no-keepalive');
  assert.ok(fresh.probes.every((p) => p.newConnection));
  const pooled = await load('shop/orders', '-n', '20', '-c', '4');
  assert.ok(pooled.probes.filter((p) => p.newConnection).length <= 4);
  assert.ok(pooled.probes.some((p) => !p.newConnection));
});

test('caps hold whatever is asked, and outside the sandbox more than 20 requests need --yes', async () => {
  for (const args of [
    ['-n', '10001'],
    ['--duration', '11m'],
    ['-c', '1000'],
    ['-n', '5', '--duration', '1s'],
  ]) {
    const r = await cli(['load', 'shop/orders', ...args, '--kubeconfig', sb.kubeconfigPath]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: /);
  }
  // The same cluster under another context name is, for Kubetrace, not the sandbox.
  const kc = parse(readFileSync(sb.kubeconfigPath, 'utf8'));
  kc.contexts[0].name = 'prod';
  kc['current-context'] = 'prod';
  mkdirSync(dir, { recursive: true });
  const prod = join(dir, 'prod.kubeconfig');
  writeFileSync(prod, stringify(kc));
  const refused = await cli(['load', 'shop/orders', '-n', '21', '--kubeconfig', prod]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^error: a burst of 21 requests .* not the Kubetrace sandbox.*\nhint: add --yes/);
  const duration = await cli(['load', 'shop/orders', '--duration', '1s', '--kubeconfig', prod]);
  assert.equal(duration.code, 2);
  const twenty = await cli(['load', 'shop/orders', '-n', '20', '--kubeconfig', prod, '--json']);
  assert.equal(twenty.code, 0, twenty.stderr);
  assert.equal((JSON.parse(twenty.stdout) as BurstReport).requests, 20);
  const yes = await cli(['load', 'shop/orders', '-n', '21', '--yes', '--kubeconfig', prod, '--json']);
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal((JSON.parse(yes.stdout) as BurstReport).requests, 21);
});
