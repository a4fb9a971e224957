// The sandbox's third controller: the HAProxy Kubernetes Ingress Controller, a real Debian haproxy
// (src/sandbox/haproxy/) serving the `haproxy`-class Ingress catalog/catalog-haproxy, probed end to end with the
// built CLI and found by the controller registry (src/core/controllers/haproxy.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import { startControllers } from '../../src/sandbox/controllers';
import { LogStore } from '../../src/sandbox/logs';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { ObjectStore } from '../../src/sandbox/store';
import { podInfo } from '../../src/sandbox/runtime/apps';
import { startHaproxyPlane } from '../../src/sandbox/haproxy/plane';
import type { Span, Trace } from '../../src/core/trace/model';
import { HAPROXY_PHASE_INDEX, findHaproxySourceTree, haproxyVersionFromV } from '../../src/core/sourcemap/haproxy';
import { ROOT, cli } from './helpers';

const HAPROXY = 'haproxy.org/ingress-controller';
let sb: Awaited<ReturnType<typeof startSandbox>>;
before(async () => {
  sb = await startSandbox({
    podSubnet: '127.10.96',
    kubeconfigPath: join(ROOT, '.cache', 'test-sandbox-haproxy', 'sandbox.kubeconfig'),
  });
});
after(async () => {
  await sb?.stop();
});

const kc = () => ['--kubeconfig', sb.kubeconfigPath];
const haproxyPod = () => sb.store.list('Pod', 'haproxy-controller')[0];
const haproxyIp = () => (haproxyPod().status as { podIP: string }).podIP;
const ns = (s: Span) => BigInt(s.startTimeUnixNano);
const end = (s: Span) => BigInt(s.endTimeUnixNano);

function get(host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: Node's global agent keeps connections alive, and one kept from before a reload
    // belongs to the old worker, which closes it (ECONNRESET on the next request).
    const req = request({ host: haproxyIp(), port: 8080, path, headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The status `path` answers once it is `want`, or the last one after 5 s. A reload is a hand-over, not a switch:
 * after the master logs "Loading success" the old worker may still accept from the shared listener until it gets its
 * soft-stop, so a new connection at that moment can still meet the old routes (CI run 9 of session 7 did, once in
 * eight runs). The route must take effect within moments, not at the first request.
 */
async function answers(host: string, path: string, want: number): Promise<number> {
  let got = 0;
  for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    got = await get(host, path).catch(() => 0);
    if (got === want) break;
  }
  return got;
}

/** The haproxy pod's log once a line matches `re` (or as it is after 5 s, for the failure message). */
async function logLines(re: RegExp): Promise<string[]> {
  const read = () =>
    sb.logs
      .read({
        namespace: 'haproxy-controller',
        pod: haproxyPod().metadata.name,
        container: 'kubernetes-ingress-controller',
      })
      .map((e) => e.line);
  for (let i = 0; i < 100 && !read().some((l) => re.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
  const lines = read();
  assert.ok(
    lines.some((l) => re.test(l)),
    `no line matches ${re}:\n${lines.join('\n')}`,
  );
  return lines;
}

test('kubectl get ingress shows catalog-haproxy with class haproxy at the haproxy pod, which is Ready', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile('kubectl', [...kc(), 'get', 'ingress', '-n', 'catalog'], { timeout: 30_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr)) : resolve(stdout),
    ),
  );
  const row = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/))
    .find((r) => r[0] === 'catalog-haproxy');
  assert.ok(row, out);
  assert.deepEqual(row.slice(1, 4), ['haproxy', 'catalog-haproxy.kubetrace.test', haproxyIp()]);
  const pod = haproxyPod();
  assert.equal(pod.metadata.labels?.['app.kubernetes.io/name'], 'kubernetes-ingress');
  const conds = (pod.status as { conditions: { type: string; status: string }[] }).conditions;
  assert.equal(conds.find((c) => c.type === 'Ready')?.status, 'True');
});

test('a probe through catalog-haproxy: client → haproxy (queue, connect, response) → catalog, by request id', async (ctx) => {
  // The sandbox runs Debian bookworm's haproxy; its source is the tree of the version `haproxy -v` reports.
  const sources = join(ROOT, '.cache', 'haproxy-src');
  const version = haproxyVersionFromV(
    await new Promise<string>((resolve) =>
      execFile('haproxy', ['-v'], (_e, stdout, stderr) => resolve(String(stdout) + String(stderr))),
    ),
  );
  const tree = version ? findHaproxySourceTree([sources], version) : undefined;
  const r = await cli([
    'probe',
    'catalog/catalog-haproxy',
    ...kc(),
    '--json',
    '--workspace',
    ROOT,
    '--haproxy-source',
    sources,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout) as Trace;
  const by = new Map(t.spans.map((s) => [s.spanId, s]));
  const named = (name: string) => t.spans.filter((s) => s.layer === 'ingress' && s.name === name);
  const [server] = named('haproxy');
  assert.ok(server, `no haproxy span: ${t.spans.map((s) => s.name)}`);
  assert.equal(server.attributes['kubetrace.controller'], HAPROXY);
  assert.equal(server.attributes['kubetrace.ingressClass'], 'haproxy');
  // The sandbox captures X-Request-ID into the httplog line, so the line is the probe's own, not a guess by time.
  assert.equal(server.attributes['kubetrace.log.matchedBy'], 'request-id');
  assert.equal(server.attributes['haproxy.captured_request_headers'], t.traceId);
  assert.equal(server.attributes['haproxy.backend'], 'catalog_catalog_http');
  assert.equal(server.attributes['haproxy.server'], 'SRV_1');
  assert.match(String(server.attributes['kubetrace.pod']), /^haproxy-kubernetes-ingress-/);
  assert.equal(by.get(server.parentSpanId!)?.name, 'probe');
  // One attempt under the server span; the timers' phases under the attempt, one after the other.
  const [attempt] = named('upstream.attempt');
  assert.equal(attempt.parentSpanId, server.spanId);
  const [TR, Tw, Tc, Tr, Ta] = String(server.attributes['haproxy.timers']).split('/').map(Number);
  assert.ok(
    [TR, Tw, Tc, Tr, Ta].every((x) => x >= 0),
    `timers ${server.attributes['haproxy.timers']}`,
  );
  const phases = ['queue', 'upstream.connect', 'upstream.header'];
  // upstream.response is the rest of Ta after the response headers: none when the timers leave no rest.
  if (Ta > TR + Tw + Tc + Tr) phases.push('upstream.response');
  const got = t.spans.filter((s) => s.parentSpanId === attempt.spanId && s.layer === 'ingress');
  assert.deepEqual(
    got.map((s) => s.name),
    phases,
  );
  for (let i = 1; i < got.length; i++) assert.ok(ns(got[i]) >= end(got[i - 1]), `${got[i].name} overlaps`);
  for (const s of [attempt, ...got]) {
    const p = by.get(s.parentSpanId!)!;
    assert.ok(ns(s) >= ns(p) && end(s) <= end(p), `${s.name} lies outside ${p.name}`);
  }
  // The catalog app (logs only) hangs under the attempt that forwarded to it, inside its window.
  const app = t.spans.find((s) => s.layer === 'app' && s.service === 'catalog');
  assert.ok(app, 'no catalog span');
  assert.equal(app.parentSpanId, attempt.spanId);
  assert.ok(ns(app) >= ns(attempt) && end(app) <= end(attempt), 'the catalog span lies outside the attempt');
  const probe = t.spans.find((s) => s.name === 'probe')!;
  assert.ok(ns(server) >= ns(probe) && end(server) <= end(probe), 'haproxy lies outside the probe');
  // HAProxy's spans open the HAProxy function of their phase, at its line in the source of the version it runs.
  for (const s of t.spans.filter((x) => x.layer === 'ingress')) {
    const main = HAPROXY_PHASE_INDEX[s.name]?.main;
    assert.ok(main, `${s.name} is not a span the HAProxy index knows`);
    assert.equal(s.source?.function, main.fn, `${s.name}: ${JSON.stringify(s.source)} ${s.sourceReason}`);
    assert.ok(!s.source?.function?.startsWith('ngx_'), `${s.name} got an nginx function`);
    if (!tree) {
      assert.equal(s.source?.line, undefined);
      assert.match(s.sourceReason ?? '', /no source tree for HAProxy/);
      continue;
    }
    assert.equal(tree.version, version, 'the exact version, not another of its branch');
    assert.equal(s.sourceReason, undefined, `${s.name}: ${s.sourceReason}`);
    assert.ok(s.source!.path.endsWith(`/${version}/${main.file}`), s.source!.path);
    const text = readFileSync(s.source!.path, 'latin1').split('\n')[s.source!.line! - 1];
    assert.match(text, new RegExp(`\\b${main.fn}\\(`), `${s.source!.path}:${s.source!.line}`);
    assert.ok(s.moreSources?.length && s.moreSources.every((m) => m.line! > 0), `${s.name}: more sources with lines`);
  }
  if (!tree) ctx.diagnostic(`HAProxy ${version} source missing: run bash scripts/fetch-haproxy-source.sh`);
  assert.ok(!t.diagnostics.some((d) => d.code === 'no-ingress-spans' || d.code === 'matched-by-time'));
});

test("the pod log carries haproxy's httplog lines, and an Ingress change reloads haproxy with the new route", async () => {
  const h = sb.runtime.haproxy!;
  assert.equal(await get('shop-haproxy.kubetrace.test', '/orders'), 404);
  const reloads = h.reloads;
  sb.store.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'orders-haproxy', namespace: 'shop' },
    spec: {
      ingressClassName: 'haproxy',
      rules: [
        {
          host: 'shop-haproxy.kubetrace.test',
          http: {
            paths: [
              { path: '/orders', pathType: 'Prefix', backend: { service: { name: 'orders', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  });
  assert.equal(await h.sync(), true);
  assert.equal(h.reloads, reloads + 1);
  assert.equal(await answers('shop-haproxy.kubetrace.test', '/orders', 200), 200);
  // haproxy writes a line when the request ends, which may be just after the client saw the response.
  const lines = await logLines(/ http shop_orders_http\/SRV_\d \S+ 200 .*"GET \/orders HTTP\/1\.1"$/);
  assert.ok(lines.some((l) => / http haproxy_default-backend_404\/<NOSRV> .* 404 /.test(l)));
  sb.store.delete('Ingress', 'shop', 'orders-haproxy');
  await h.sync();
  assert.equal(await answers('shop-haproxy.kubetrace.test', '/orders', 404), 404);
});

test('haproxy that cannot bind its ports leaves its pod Failed and the Ingresses without an address', async () => {
  const store = new ObjectStore();
  const controllers = startControllers(store, { podSubnet: '127.10.97' });
  applyObjects(store, (await loadManifests([demoManifestsDir()])).objects);
  await new Promise((r) => setImmediate(r));
  const pod = store.list('Pod', 'haproxy-controller')[0];
  const info = podInfo(pod, 'haproxy-ingress');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(8080, info.ip, r));
  const workDir = mkdtempSync(join(tmpdir(), 'kubetrace-haproxy-fail-'));
  const said: string[] = [];
  try {
    const h = await startHaproxyPlane(
      info,
      {
        store,
        logs: new LogStore(),
        controllers,
        workDir,
        issueCert: () => Promise.reject(new Error('not reached')),
        log: (l) => said.push(l),
      },
      () => '',
    );
    assert.equal(h, undefined);
    const st = store.get('Pod', 'haproxy-controller', pod.metadata.name)!.status as { phase: string };
    assert.equal(st.phase, 'Failed');
    assert.match(said.join('\n'), /already in use/);
    const ing = store.get('Ingress', 'catalog', 'catalog-haproxy')!.status as { loadBalancer: object };
    assert.deepEqual(ing.loadBalancer, {});
  } finally {
    await new Promise((r) => blocker.close(r));
    controllers.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
});
