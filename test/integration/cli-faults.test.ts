// `kubetrace ingresses` / `kubetrace probe` when things go wrong, through the built CLI against the sandbox
// (real nginx, real apps): each fault gives `error:` + `hint:` with the right exit code, or a partial trace
// whose diagnostics say what is missing. The port-forward drop kills the sandbox's nginx, so it runs last.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox';
import type { Trace } from '../../src/core/trace/model';
import type { RouteEntry } from '../../src/core/kube/routes';
import { ROOT, cli, type CliResult } from './helpers';

const RESTRICTED = 'kubetrace-sandbox-restricted';
let sb: Sandbox;
let dir: string;
let kc: string;
const servers: http.Server[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubetrace-cli-faults-'));
  sb = await startSandbox({
    podSubnet: '127.10.75',
    kubeconfigPath: join(dir, 'sandbox.kubeconfig'),
    manifestDirs: [join(ROOT, 'test', 'fixtures', 'kube', 'manifests')],
    watchManifests: false,
  });
  kc = sb.kubeconfigPath;
});
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** stderr is exactly `error:` lines, optional candidate lines, and a `hint:` line. */
function assertError(r: CliResult, code: number, error: RegExp, hint?: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.match(lines[0], /^error: /, r.stderr);
  assert.match(lines[0].slice('error: '.length), error);
  if (hint) assert.match(lines.find((l) => l.startsWith('hint: ')) ?? '(no hint)', hint);
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, 'a stack trace leaked');
  assert.equal(r.stdout, '', 'nothing on stdout for an error');
}
const withKubeconfig = (text: string) => {
  const f = join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
};
const codes = (t: Trace) => t.diagnostics.map((d) => d.code);
const diag = (t: Trace, code: string) => t.diagnostics.find((d) => d.code === code);
async function probeJson(args: string[], timeoutMs = 60_000): Promise<{ r: CliResult; t: Trace }> {
  const r = await cli(['probe', ...args, '--json'], { timeoutMs });
  assert.equal(r.code, 0, `probe ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { r, t: JSON.parse(r.stdout) as Trace };
}

test('API unreachable: cannot reach the API server, exit 1', async () => {
  const port = await new Promise<number>((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
  const f = withKubeconfig(readFileSync(kc, 'utf8').replace(/server: .*/, `server: https://127.0.0.1:${port}`));
  const runs = await Promise.all(
    [['ingresses'], ['probe', 'shop/orders']].map((args) => cli([...args, '--kubeconfig', f])),
  );
  for (const r of runs)
    assertError(
      r,
      1,
      new RegExp(`^cannot reach the API server at https://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)$`),
      /cluster running/,
    );
});

test('401: a wrong token is named as such, with a hint', async () => {
  const f = withKubeconfig(readFileSync(kc, 'utf8').replace(/token: .*/g, 'token: not-a-valid-token'));
  const r = await cli(['probe', 'shop/orders', '--kubeconfig', f]);
  assertError(
    r,
    1,
    /^the cluster refused the credentials of user "kubetrace-admin" \(401 Unauthorized\)$/,
    /refresh your credentials|another context/,
  );
  assert.ok(!r.stderr.includes('not-a-valid-token'), 'the token must never be printed');
});

test('403: a namespace-restricted listing falls back to its namespace with a note', async () => {
  const r = await cli(['ingresses', '--kubeconfig', kc, '--context', RESTRICTED, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /^note: listing across all namespaces is forbidden \(.*cannot list resource "\w+".*\); showing namespace "shop" only$/m,
  );
  const entries = JSON.parse(r.stdout) as RouteEntry[];
  assert.deepEqual([...new Set(entries.map((e) => e.namespace))], ['shop']);
  assert.ok(entries.some((e) => e.name === 'orders') && entries.some((e) => e.kind === 'HTTPRoute'));
});

test('403: probing an Ingress outside the allowed namespace names the forbidden resource', async () => {
  const r = await cli(['probe', 'catalog/catalog', '--kubeconfig', kc, '--context', RESTRICTED]);
  assertError(
    r,
    1,
    /^forbidden: ingresses\.networking\.k8s\.io "catalog" is forbidden: User "system:serviceaccount:shop:kubetrace" cannot get resource "ingresses" in API group "networking\.k8s\.io" in the namespace "catalog"$/,
    /RBAC/,
  );
});

test('403: probing within the namespace works, with missing-permission and no ingress spans', async () => {
  const { t } = await probeJson(['shop/orders', '--kubeconfig', kc, '--context', RESTRICTED]);
  const missing = diag(t, 'missing-permission');
  assert.ok(missing, `no missing-permission diagnostic: ${codes(t)}`);
  assert.match(missing!.message, /get pods\/log in ingress-nginx/);
  assert.match(missing!.message, /create pods\/portforward in ingress-nginx/);
  assert.doesNotMatch(missing!.message, /in shop/, 'pods/log in shop is allowed');
  assert.ok(!t.spans.some((s) => s.layer === 'ingress'), "ingress spans need the controller's log");
  assert.match(diag(t, 'no-access-log-line')?.message ?? '', /controller pods .*ingress-nginx.* not visible/);
  assert.ok(diag(t, 'limited-listing'), 'the fallback listing is said');
  const root = t.spans.find((s) => s.name === 'probe')!;
  assert.equal(root.attributes['http.response.status_code'], 200);
  assert.ok(
    t.spans.some((s) => s.layer === 'app' && s.service === 'orders'),
    'the app layer still arrives (its log is readable in shop)',
  );
  // No trace backend is visible from "shop": the span from the app's log line is the app layer, not a stand-in
  // for spans that could still arrive.
  assert.equal(diag(t, 'no-app-spans'), undefined, JSON.stringify(diag(t, 'no-app-spans')));
  assert.equal(diag(t, 'app-spans-missing'), undefined, JSON.stringify(diag(t, 'app-spans-missing')));
});

test('a missing Ingress or namespace: not found, exit 1, with a hint to list them', async () => {
  const [ing, ns] = await Promise.all([
    cli(['probe', 'shop/no-such-ingress', '--kubeconfig', kc]),
    cli(['probe', 'nowhere/orders', '--kubeconfig', kc]),
  ]);
  assertError(ing, 1, /^Ingress shop\/no-such-ingress not found$/, /kubetrace ingresses -n shop/);
  assertError(ns, 1, /^Ingress nowhere\/orders not found$/, /kubetrace ingresses -n nowhere/);
});

test('no ready endpoints: the 503 is traced, with no-ready-endpoints and backend-unreachable, exit 0', async () => {
  const [{ t }, text] = await Promise.all([
    probeJson(['idle/idle', '--kubeconfig', kc]),
    cli(['probe', 'idle/idle', '--kubeconfig', kc]),
  ]);
  const root = t.spans.find((s) => s.name === 'probe')!;
  assert.equal(root.attributes['http.response.status_code'], 503);
  assert.match(diag(t, 'no-ready-endpoints')?.message ?? '', /service idle has no ready endpoints/);
  assert.match(diag(t, 'backend-unreachable')?.message ?? '', /answered 503/);
  assert.match(diag(t, 'backend-unreachable')?.hint ?? '', /no ready endpoints/);
  assert.ok(
    t.spans.some((s) => s.layer === 'ingress' && s.name === 'nginx'),
    `nginx still logged the request: ${codes(t)}`,
  );
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /→ 503/);
  assert.match(text.stdout, /no ready endpoints/);
});

async function traceStore(handler: http.RequestListener): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const s = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `jaeger+http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, hits: () => hits };
}

test('the trace store answering 500, or never: client and ingress spans, a diagnostic about the backend, in time', async () => {
  const failing = await traceStore((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('store is down');
  });
  const silent = await traceStore(() => {
    /* never answers */
  });
  const t0 = Date.now();
  const [down, slow] = await Promise.all(
    [failing, silent].map(async (store) => {
      const { t } = await probeJson(['shop/orders', '--kubeconfig', kc, '--trace-backend', store.url], 40_000);
      return { t, took: Date.now() - t0 };
    }),
  );
  for (const [store, { t }] of [
    [failing, down],
    [silent, slow],
  ] as const) {
    assert.ok(store.hits() > 0, 'the backend was asked');
    for (const l of ['client', 'ingress'])
      assert.ok(
        t.spans.some((s) => s.layer === l),
        `no ${l} spans: ${codes(t)}`,
      );
  }
  assert.match(
    down.t.diagnostics.find((d) => d.code.startsWith('backend-'))?.message ?? `none in ${codes(down.t)}`,
    /answered HTTP 500: store is down/,
  );
  const d = slow.t.diagnostics.find((x) => /^backend-(timeout|slow|error)$/.test(x.code));
  assert.match(d?.message ?? `none in ${codes(slow.t)}`, /did not answer|had not answered/);
  // The collector gives up after 5 s; with CLI start-up and the cluster reads the whole probe stays well inside 25 s.
  assert.ok(slow.took < 25_000, `the probe against a silent backend took ${slow.took} ms`);
});

test('bad usage exits 2: no NS/NAME, an unknown flag, --via foo, a needed choice, a bad --timeout', async () => {
  const cases: [string[], RegExp, RegExp?][] = [
    [['probe', '--kubeconfig', kc], /^usage: kubetrace probe NAMESPACE\/NAME/, /kubetrace probe shop\/orders/],
    [['probe', 'orders', '--kubeconfig', kc], /^usage: kubetrace probe NAMESPACE\/NAME/],
    [['probe', 'shop/orders', '--no-such-flag'], /^unknown option --no-such-flag$/],
    [['probe', 'shop/orders', '--via', 'foo', '--kubeconfig', kc], /^--via takes lb or port-forward, not "foo"$/],
    [['probe', 'shop/orders', '--timeout', 'soon', '--kubeconfig', kc], /^--timeout takes a whole number/],
    [
      ['probe', 'shop/shop-api', '--kubeconfig', kc],
      /^Ingress shop\/shop-api has 2 host\/path candidates; choose one$/,
      /--host and --path/,
    ],
    [['ingresses', '--bogus'], /^unknown option --bogus$/],
  ];
  const runs = await Promise.all(cases.map(([args]) => cli(args)));
  cases.forEach(([, error, hint], i) => assertError(runs[i], 2, error, hint));
  assert.match(runs[5].stderr, /^ {2}--host api\.kubetrace\.test --path \/inventory\/stock {2}\(Exact\)$/m);
});

test('--help: every command prints its usage and options on stdout, exit 0; with no command, usage and exit 2', async () => {
  for (const name of ['sandbox', 'ingresses', 'probe', 'import', 'export', 'demo']) {
    const [a, b] = await Promise.all([cli([name, '--help']), cli(['help', name])]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, new RegExp(`^usage: kubetrace ${name}\\b`));
    assert.equal(b.stdout, a.stdout);
  }
  assert.match((await cli(['probe', '-h'])).stdout, /--via lb\|port-forward/);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /run `kubetrace <command> --help` for its options/);
});

test('malformed kubeconfigs: one error line and a hint, exit 1', async () => {
  const good = readFileSync(kc, 'utf8');
  const cases: [string, RegExp, RegExp][] = [
    ['apiVersion: v1\nclusters: [\n  - {name: x\n', /^cannot read kubeconfig .*: /, /valid kubeconfig YAML/],
    [good.replace(/server: .*/, ''), /clusters\[0\]\.cluster\.server is missing/, /valid kubeconfig YAML/],
    [
      good.replace(/cluster: kubetrace-sandbox\n/g, 'cluster: gone\n'),
      /^context "kubetrace-sandbox" names cluster "gone", which is not in the kubeconfig$/,
      /known clusters: kubetrace-sandbox/,
    ],
    [
      good.replace(/user: kubetrace-admin/, 'user: ghost'),
      /^context "kubetrace-sandbox" names user "ghost", which is not in the kubeconfig$/,
      /known users: kubetrace-admin, kubetrace-restricted/,
    ],
    [
      good.replace(/server: .*/, 'server: not-a-url'),
      /^cluster "kubetrace-sandbox" has server "not-a-url", which is not an http\(s\) URL$/,
      /https:\/\/HOST:PORT/,
    ],
  ];
  const [context, none, ...runs] = await Promise.all([
    cli(['ingresses', '--kubeconfig', kc, '--context', 'nope']),
    cli(['probe', 'shop/orders', '--kubeconfig', join(dir, 'none.yaml')]),
    ...cases.map(([text]) => cli(['ingresses', '--kubeconfig', withKubeconfig(text)])),
  ]);
  cases.forEach(([, error, hint], i) => {
    assertError(runs[i], 1, error, hint);
    assert.equal(runs[i].stderr.trimEnd().split('\n').length, 2, runs[i].stderr);
  });
  assertError(
    context,
    1,
    /^context "nope" is not in the kubeconfig$/,
    /^hint: known contexts: kubetrace-sandbox, kubetrace-sandbox-restricted$/,
  );
  assertError(none, 1, /^no kubeconfig found/, /kubetrace sandbox/);
});

/** Sockets of a process listening on ip:port that hold unread bytes: a request waiting for a stopped app. */
function pendingRequests(ip: string, port: number): number {
  const hex = `${ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .reverse()
    .join('')
    .toUpperCase()}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === hex && f[3] === '01' && parseInt(f[4]?.split(':')[1] ?? '0', 16) > 0;
    }).length;
}

test('the port-forward dropped mid-probe: nginx dies while the request waits for the app → a partial trace naming the failure', async () => {
  const orders = sb.runtime.pods.filter((p) => p.info.app === 'orders');
  assert.equal(orders.length, 2);
  for (const p of orders) p.process.signal('SIGSTOP');
  try {
    const run = cli(
      ['probe', 'shop/orders', '--via', 'port-forward', '--kubeconfig', kc, '--json', '--timeout', '30000'],
      { timeoutMs: 60_000 },
    );
    // Wait until nginx has passed the request on through the port-forward and a (stopped) orders pod holds it.
    const t0 = Date.now();
    while (!orders.some((p) => pendingRequests(p.info.ip, 8080) > 0)) {
      assert.ok(Date.now() - t0 < 30_000, 'the request never reached an orders pod');
      await new Promise((r) => setTimeout(r, 20));
    }
    sb.runtime.nginx!.process!.signal('SIGKILL');
    const r = await run;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    if (r.code === 1) {
      assertError(r, 1, /port-forward|connection|socket/i);
      return;
    }
    const t = JSON.parse(r.stdout) as Trace;
    const root = t.spans.find((s) => s.name === 'probe')!;
    assert.equal(root.status, 'error');
    assert.equal(root.attributes['kubetrace.probe.target'], 'port-forward');
    assert.equal(root.attributes['http.response.status_code'], undefined, 'no answer came back');
    const failed = diag(t, 'probe-failed') ?? diag(t, 'port-forward-error');
    assert.ok(failed, `no probe-failed/port-forward-error diagnostic: ${codes(t)}`);
    assert.match(
      diag(t, 'probe-failed')?.message ?? '',
      /\(port-forward\) failed: .*(socket hang up|ECONNRESET|EPIPE)/,
    );
    assert.match(diag(t, 'probe-failed')?.hint ?? '', /port-forward may have dropped/);
  } finally {
    for (const p of orders) p.process.signal('SIGCONT');
  }
});
