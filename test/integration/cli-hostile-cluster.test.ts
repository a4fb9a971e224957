// A hostile tenant in the cluster, built by the test through `sandbox --manifests`: an Ingress whose regex path
// would take exponential time to backtrack, a fake Jaeger (a Service on 16686 in its own namespace) whose spans
// carry terminal escape sequences, and an app that redirects https to plain http on the same host. The probe stays
// cheap, reads only the usual backend, never prints an ESC byte and never resends credentials in clear text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../src/sandbox/sandbox';
import type { Trace } from '../../src/core/trace/model';
import { CLI, NGINX_SRC, ROOT, cli } from './helpers';

const SUBNET = '127.10.120';
const FAKE_JAEGER = `${SUBNET}.250`;
const REDIRECTOR = `${SUBNET}.251`;
const HOSTILE_NAME = 'GET /orders\x1b[2J\x1b[H\x1b]52;c;ZWNobyBwd25lZA==\x07\x9b31mfake prompt$ ';
// 24 alternatives that all match one character, starred, then a "!" the path lacks: PCRE-style backtracking
// tries every way to split the path among them.
const REDOS_PATH = `/(${Array(24).fill('.').join('|')})*!`;

const manifests = (): string => `
apiVersion: v1
kind: Namespace
metadata: { name: tenant-evil }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: slow
  namespace: tenant-evil
  annotations: { nginx.ingress.kubernetes.io/use-regex: "true" }
spec:
  ingressClassName: nginx
  rules:
    - host: evil.kubetrace.test
      http:
        paths:
          - path: "${REDOS_PATH}"
            pathType: ImplementationSpecific
            backend: { service: { name: redirector, port: { number: 80 } } }
---
apiVersion: v1
kind: Service
metadata: { name: jaeger-query, namespace: tenant-evil, labels: { app.kubernetes.io/name: jaeger } }
spec:
  ports: [{ name: query, port: 16686, targetPort: 16686 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: jaeger-query-manual
  namespace: tenant-evil
  labels: { kubernetes.io/service-name: jaeger-query }
addressType: IPv4
ports: [{ name: query, port: 16686, protocol: TCP }]
endpoints: [{ addresses: ["${FAKE_JAEGER}"], conditions: { ready: true } }]
---
apiVersion: v1
kind: Service
metadata: { name: redirector, namespace: tenant-evil }
spec:
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: redirector-manual
  namespace: tenant-evil
  labels: { kubernetes.io/service-name: redirector }
addressType: IPv4
ports: [{ name: http, port: 8080, protocol: TCP }]
endpoints: [{ addresses: ["${REDIRECTOR}"], conditions: { ready: true } }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: downgrade
  namespace: tenant-evil
  annotations: { nginx.ingress.kubernetes.io/ssl-redirect: "false" }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [login.kubetrace.test], secretName: login-tls }]
  rules:
    - host: login.kubetrace.test
      http:
        paths:
          - path: /login
            pathType: Prefix
            backend: { service: { name: redirector, port: { number: 80 } } }
`;

/** Jaeger's api_v3 answer for any trace id: one span whose name and service hold escape sequences. */
function fakeJaeger(req: IncomingMessage): { status: number; body: string } {
  const m = /^\/api\/v3\/traces\/([0-9a-f]{32})$/.exec(req.url ?? '');
  if (!m) return { status: 404, body: '{"error":{"httpCode":404,"message":"No traces found"}}' };
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = {
    traceId: m[1],
    spanId: 'abcdefabcdefabcd',
    name: HOSTILE_NAME,
    kind: 2,
    startTimeUnixNano: String(now - 2_000_000n),
    endTimeUnixNano: String(now - 1_000_000n),
    attributes: [{ key: 'http.route', value: { stringValue: '/x\x1b]8;;http://evil\x07link' } }],
  };
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'orders\x1b[8m' } }] };
  return {
    status: 200,
    body: JSON.stringify({ result: { resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] } }),
  };
}

const seenByRedirector: { url: string; headers: IncomingMessage['headers'] }[] = [];
const servers: Server[] = [];
const listen = (
  ip: string,
  port: number,
  handler: (req: IncomingMessage) => { status: number; body: string; headers?: Record<string, string> },
) =>
  new Promise<void>((ok, fail) => {
    const s = createServer((req, res) => {
      const r = handler(req);
      res.writeHead(r.status, { 'content-type': 'text/plain; charset=utf-8', ...r.headers });
      res.end(r.body);
    });
    s.once('error', fail);
    s.listen(port, ip, () => ok());
    servers.push(s);
  });

let sb: Awaited<ReturnType<typeof startSandbox>>;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubetrace-hostile-'));
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, 'manifests', '90-tenant-evil.yaml'), manifests());
  await listen(FAKE_JAEGER, 16686, fakeJaeger);
  await listen(REDIRECTOR, 8080, (req) => {
    seenByRedirector.push({ url: req.url ?? '', headers: req.headers });
    if ((req.url ?? '').startsWith('/login'))
      return { status: 302, body: '', headers: { location: 'http://login.kubetrace.test/landing' } };
    return { status: 200, body: 'landed' };
  });
  sb = await startSandbox({
    podSubnet: SUBNET,
    kubeconfigPath: join(ROOT, '.cache', 'test-hostile-cluster', 'sandbox.kubeconfig'),
    manifestDirs: [join(dir, 'manifests')],
  });
});
after(async () => {
  await sb?.stop();
  for (const s of servers) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI under GNU time: its output and the CPU seconds (user + system) and peak RSS it used. */
function timedCli(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; cpuS: number; rssKb: number }> {
  return new Promise((res) => {
    const p = spawn('/usr/bin/time', ['-f', 'KT_TIME %U %S %M', process.execPath, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.on('close', (code) => {
      clearTimeout(t);
      const m = /KT_TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
      res({ code, stdout, stderr, cpuS: m ? Number(m[1]) + Number(m[2]) : NaN, rssKb: m ? Number(m[3]) : NaN });
    });
  });
}
const probeArgs = (route: string, ...more: string[]) => [
  'probe',
  route,
  '--kubeconfig',
  sb.kubeconfigPath,
  '--workspace',
  ROOT,
  '--nginx-source',
  NGINX_SRC,
  ...more,
];

test('the ReDoS Ingress of another tenant does not stall a probe of shop/orders (CPU-time bound)', async () => {
  const r = await timedCli(probeArgs('shop/orders', '--json'));
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout) as Trace;
  assert.ok(t.spans.some((s) => s.layer === 'ingress'));
  // Without the fix this probe took about 17 s of CPU; with it, well under one second on an idle machine.
  assert.ok(r.cpuS < 5, `the probe used ${r.cpuS} s of CPU`);
  console.log(`probe shop/orders beside the ReDoS Ingress: ${r.cpuS.toFixed(2)} s CPU, ${r.rssKb} KB peak RSS`);
});

test("auto discovery reads only the usual backend: the other tenant's fake Jaeger spans never enter the trace", async () => {
  const r = await cli(probeArgs('shop/orders', '--json'));
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout) as Trace;
  assert.ok(!t.spans.some((s) => s.name.includes('/orders\x1b')), 'no span from the fake backend');
  assert.ok(
    t.spans.some((s) => s.layer === 'app' && s.service === 'orders'),
    'the real trace store was read',
  );
  const chosen = t.diagnostics.find((d) => d.code === 'backend-chosen');
  assert.match(chosen?.message ?? '', /observability\/trace-store:16686 only.*tenant-evil\/jaeger-query:16686/);
});

test('a pinned hostile backend: its escape sequences never reach the terminal, in text or JSON', async () => {
  const pin = ['--trace-backend', 'tenant-evil/jaeger-query:16686'];
  const text = await cli(probeArgs('shop/orders', ...pin));
  assert.equal(text.code, 0, text.stderr);
  for (const out of [text.stdout, text.stderr]) {
    assert.ok(!out.includes('\x1b'), `an ESC byte was printed: ${JSON.stringify(out.slice(0, 400))}`);
    assert.ok(!/[\u0080-\u009f\u0007]/.test(out), 'no C1 or BEL either');
  }
  assert.match(text.stdout, /GET \/orders\\u001b\[2J/, 'the escapes are shown, visibly');
  const json = await cli(probeArgs('shop/orders', '--json', ...pin));
  assert.equal(json.code, 0, json.stderr);
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(json.stdout), 'no raw control character in --json');
  const t = JSON.parse(json.stdout) as Trace;
  assert.ok(
    t.spans.some((s) => s.name === HOSTILE_NAME),
    'the JSON keeps the exact name, escaped as JSON',
  );
});

test('an https -> http redirect on the same host is not followed: credentials never travel in clear text', async () => {
  seenByRedirector.length = 0;
  const r = await cli(
    probeArgs(
      'tenant-evil/downgrade',
      '--json',
      '-H',
      'Authorization: Bearer s3cret-token',
      '-H',
      'Cookie: sid=s3cret-cookie',
    ),
  );
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout) as Trace;
  assert.ok(
    seenByRedirector.some((s) => s.url.startsWith('/login') && s.headers.authorization === 'Bearer s3cret-token'),
    'the first, https, request carried the credentials',
  );
  const clear = seenByRedirector.filter((s) => s.url.startsWith('/landing'));
  assert.deepEqual(clear, [], 'nothing was sent to the plain-http location');
  const d = t.diagnostics.find((x) => x.code === 'redirect-downgrade');
  assert.match(d?.message ?? '', /https to plain http, http:\/\/login\.kubetrace\.test\/landing/);
});

test("the trace store's OTLP and query ports refuse requests without the sandbox token, before reading a body", async () => {
  const pod = sb.store
    .list('Pod', 'observability')
    .find((p) => p.metadata.annotations?.['sandbox.kubetrace.dev/app'] === 'trace-store')!;
  const ip = (pod.status as { podIP: string }).podIP;
  const post = (body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`http://${ip}:4318/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...headers },
      body: new Uint8Array(body),
    }).then((r) => r.status);
  // 16 MB of repeated 0a 00, as an attacker on the machine would send it.
  const big = Buffer.alloc(16 << 20);
  for (let i = 0; i < big.length; i += 2) big[i] = 0x0a;
  assert.equal(await post(big), 401);
  assert.equal(await post(Buffer.from([0x0a, 0x00]), { authorization: 'Bearer wrong' }), 401);
  const query = await fetch(`http://${ip}:16686/api/v3/services`);
  assert.equal(query.status, 401);
  // Through the API server's service proxy (Kubetrace's way in), reads work with the user's own API token.
  const viaApi = await cli(['probe', 'shop/orders', '--kubeconfig', sb.kubeconfigPath, '--json']);
  assert.equal(viaApi.code, 0, viaApi.stderr);
  const t = JSON.parse(viaApi.stdout) as Trace;
  assert.ok(
    t.spans.some((s) => s.origin === 'jaeger' && s.service === 'orders'),
    'app spans read from the store',
  );
});
