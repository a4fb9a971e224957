import { nginxGatewayFabric } from '../../src/core/controllers/nginx';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NGINX_PHASES, stepsFromDebugLog } from '../../src/core/sourcemap/nginx';
import { nginxTree } from '../fixtures/nginx-debug/source';

const LOG = readFileSync(join(__dirname, '..', 'fixtures', 'nginx-debug', 'keepalive-merged.log'), 'utf8').split('\n');
const fileLines = new Map<string, string[]>();
const linesOf = (p: string) => {
  if (!fileLines.has(p)) fileLines.set(p, readFileSync(p, 'latin1').split('\n'));
  return fileLines.get(p)!;
};

test('the second request on a keepalive connection: only its own lines, in order, mapped', async () => {
  const tree = nginxTree();
  const r = await stepsFromDebugLog(LOG, 'kt-second-0002', tree);
  assert.equal(r.connection, '1');
  assert.equal(r.steps[0].message, 'http keepalive handler', 'the request starts where the keepalive handler read it');
  const headers = r.steps.filter((s) => s.message.startsWith('http header: "X-Request-ID'));
  assert.deepEqual(
    headers.map((s) => s.message),
    ['http header: "X-Request-ID: kt-second-0002"'],
  );
  assert.ok(!r.steps.some((s) => s.message.includes('kt-first-0001')), 'nothing from the first request');
  assert.ok(!r.steps.some((s) => s.message.includes('kt-other-0003')), 'nothing from the other connection');
  const idStep = headers[0];
  assert.equal(idStep.phase, 'headers');
  assert.equal(idStep.source?.path, join(tree.root, 'src/http/ngx_http_request.c'));
  assert.equal(idStep.source?.function, 'ngx_http_process_request_headers');
  const mapped = r.steps.filter((s) => s.source);
  assert.ok(mapped.length >= 100, `${mapped.length} of ${r.steps.length} steps mapped`);
  for (const s of mapped) {
    const text = linesOf(s.source!.path)
      .slice(s.source!.line! - 1, s.source!.endLine ?? s.source!.line)
      .join('\n');
    assert.match(text, /ngx_log_debug/, `${s.message} -> ${s.source!.path}:${s.source!.line}`);
  }
  for (const s of r.steps) assert.ok((NGINX_PHASES as readonly string[]).includes(s.phase), s.phase);
  // Phases appear in nginx's order for the phase engine.
  const order = [
    'request line',
    'headers',
    'post-read',
    'server rewrite',
    'find config',
    'rewrite',
    'post rewrite',
    'preaccess',
    'access',
    'post access',
    'precontent',
    'upstream',
    'filters',
    'log',
  ];
  const firstAt = order.map((p) => r.steps.findIndex((s) => s.phase === p));
  assert.ok(
    firstAt.every((i) => i >= 0),
    `every phase is present: ${JSON.stringify(firstAt)}`,
  );
  assert.deepEqual(
    [...firstAt].sort((a, b) => a - b),
    firstAt,
  );
  for (const s of r.steps)
    assert.equal(
      Object.keys(s).some((k) => /time|duration/i.test(k)),
      false,
      'steps carry no timings',
    );
});

test('an access-log line between debug records does not spoil the record before it', async () => {
  const r = await stepsFromDebugLog(LOG, 'kt-first-0001', nginxTree());
  const i = LOG.findIndex((l) => l.startsWith('127.0.0.1 - - ') && l.includes('/orders/1 '));
  const before = LOG[i - 1].replace(/^.*?: \*\d+ /, '');
  const step = r.steps.find((s) => s.message === before);
  assert.ok(step, `the record "${before}" is a step on its own`);
  assert.ok(step.source, 'and it is mapped');
  assert.ok(
    !r.steps.some((s) => s.message.includes('"GET /orders/1 HTTP/1.1" 200')),
    'the access line is not part of any step',
  );
});

test('a new connection starts with accept, and kubectl timestamps or lost CRs change nothing', async () => {
  const tree = nginxTree();
  const plain = await stepsFromDebugLog(LOG, 'kt-other-0003', tree);
  assert.equal(plain.connection, '4');
  assert.match(plain.steps[0].message, /^accept: 127\.0\.0\.1:\d+ fd:\d+$/);
  assert.ok(plain.steps[0].source?.path.endsWith('src/event/ngx_event_accept.c'));
  const stamped = await stepsFromDebugLog(
    LOG.map((l) => `2026-11-27T10:23:52.123456789Z ${l}`),
    'kt-other-0003',
    tree,
  );
  assert.deepEqual(stamped.steps, plain.steps);
  const noCr = await stepsFromDebugLog(
    LOG.map((l) => l.replace(/\r$/, '')),
    'kt-other-0003',
    tree,
  );
  assert.equal(noCr.steps.filter((s) => s.source).length, plain.steps.filter((s) => s.source).length);
});

test('no debug line for the id: no steps and a diagnostic that says how to turn them on', async () => {
  const r = await stepsFromDebugLog(LOG, 'kt-missing', nginxTree());
  assert.deepEqual(r.steps, []);
  assert.equal(r.connection, undefined);
  assert.equal(r.diagnostics[0].code, 'nginx-debug-no-request');
  assert.match(r.diagnostics[0].hint ?? '', /error-log-level: debug/);
  // Through a Gateway the advice is that controller's own, not ingress-nginx's ConfigMap.
  const ngf = await stepsFromDebugLog(LOG, 'kt-missing', nginxTree(), nginxGatewayFabric.debugLog);
  assert.match(ngf.diagnostics[0].hint ?? '', /NginxProxy spec\.logging\.errorLevel: debug/);
  assert.doesNotMatch(ngf.diagnostics[0].hint ?? '', /ConfigMap/);
});

test('matching a few hundred lines is fast once the index is built', async () => {
  const tree = nginxTree();
  await stepsFromDebugLog(LOG, 'kt-first-0001', tree);
  const t0 = performance.now();
  for (const id of ['kt-first-0001', 'kt-second-0002', 'kt-other-0003']) await stepsFromDebugLog(LOG, id, tree);
  const ms = performance.now() - t0;
  assert.ok(ms < 1500, `three passes over ${LOG.length} lines took ${ms.toFixed(0)} ms`);
});

test('without a source tree the steps still come, with phases but no lines, and a diagnostic', async () => {
  const r = await stepsFromDebugLog(LOG, 'kt-other-0003', undefined);
  assert.equal(r.connection, '4');
  assert.ok(r.steps.length > 50);
  assert.ok(r.steps.every((s) => !s.source));
  assert.ok(r.steps.some((s) => s.phase === 'upstream'));
  assert.equal(r.diagnostics.find((d) => d.code === 'nginx-debug-no-source')?.severity, 'info');
});

test('stepGroups cuts the steps into consecutive phase runs', async () => {
  const { stepGroups } = await import('../../src/core/sourcemap/nginx');
  const r = await stepsFromDebugLog(LOG, 'kt-other-0003', nginxTree());
  const groups = stepGroups(r.steps);
  assert.equal(groups[0].start, 0);
  assert.equal(groups.at(-1)!.end, r.steps.length);
  for (let i = 1; i < groups.length; i++) {
    assert.equal(groups[i].start, groups[i - 1].end);
    assert.notEqual(groups[i].phase, groups[i - 1].phase);
  }
  for (const g of groups) for (let i = g.start; i < g.end; i++) assert.equal(r.steps[i].phase, g.phase);
  assert.deepEqual(stepGroups([]), []);
});
