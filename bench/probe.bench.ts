// Probe overhead vs curl (side by side, alternating), trace-ready time, and listing at scale vs kubectl.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../src/sandbox/sandbox';
import { loadKubeconfig } from '../src/core/kube/load';
import { KubeRequester } from '../src/core/kube/request';
import { readRouteTree } from '../src/core/kube/route-tree';
import { runProbe } from '../src/core/probe/run';
import type { BenchRow } from './run';
import { median } from './stats';
import { sandboxProcess } from './sandbox-process';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const PAIRS = Number(process.env.KUBETRACE_BENCH_PAIRS ?? 50);

async function timeCommand(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await run(cmd, args, { maxBuffer: 512 * 1024 * 1024 });
  return performance.now() - t0;
}

/** curl's own total time for one request, in ms: the side B of the overhead pairs. */
async function curlMs(caFile: string, pin: string, url: string): Promise<number> {
  const args = ['-s', '-o', '/dev/null', '-w', '%{time_total}', '--cacert', caFile, '--resolve', pin, url];
  const { stdout } = await run('curl', args);
  return Number(stdout) * 1000;
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'kubetrace-bench-'));
  // In its own process, as a cluster is: see sandbox-process.ts.
  const sb = await sandboxProcess('127.10.90', join(dir, 'sandbox.kubeconfig'));
  try {
    const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
    const api = new KubeRequester(config);
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, Buffer.from(config.kc.getCurrentCluster()!.caData!, 'base64'));
    const a: number[] = [],
      b: number[] = [],
      ready: number[] = [];
    const url = `https://shop.kubetrace.test:${sb.ingress.httpsPort}/orders`;
    for (let i = 0; i < PAIRS; i++) {
      const o = await runProbe({ config, api, namespace: 'shop', name: 'orders' });
      a.push(o.timings.exchangeMs);
      ready.push(o.timings.readyMs);
      b.push(await curlMs(caFile, `shop.kubetrace.test:${sb.ingress.httpsPort}:${sb.ingress.ip}`, url));
    }
    const ratio = median(a) / median(b);
    rows.push({
      measure: 'probe overhead (probe ÷ curl)',
      value: ratio,
      unit: 'ratio',
      goal: '<= 1.10',
      pass: ratio <= 1.1,
      detail: `median probe ${median(a).toFixed(2)} ms, curl ${median(b).toFixed(2)} ms, ${PAIRS} pairs, HTTPS through nginx`,
    });
    rows.push({
      measure: 'trace ready',
      value: median(ready),
      unit: 'ms',
      goal: '<= 250',
      pass: median(ready) <= 250,
      detail: `median of ${ready.length}, from the last response byte, exporter delay 100 ms`,
    });
    rows.push(...(await throughGateway(sb.gatewayIp, config, api, caFile)));
  } finally {
    await sb.stop();
  }

  const scaleDir = mkdtempSync(join(tmpdir(), 'kubetrace-bench-scale-'));
  const big = await startSandbox({
    podSubnet: '127.10.91',
    scale: 2000,
    kubeconfigPath: join(scaleDir, 'sandbox.kubeconfig'),
  });
  try {
    const cli = join(ROOT, 'bin', 'kubetrace.js');
    const ka: number[] = [],
      kb: number[] = [];
    for (let i = 0; i < 5; i++) {
      ka.push(await timeCommand(process.execPath, [cli, 'ingresses', '--kubeconfig', big.kubeconfigPath, '--json']));
      kb.push(
        await timeCommand('kubectl', [
          '--kubeconfig',
          big.kubeconfigPath,
          'get',
          'ingress,svc,endpointslices',
          '-A',
          '-o',
          'json',
        ]),
      );
    }
    const r = median(ka) / median(kb);
    rows.push({
      measure: 'listing at scale (ingresses ÷ kubectl)',
      value: r,
      unit: 'ratio',
      goal: '<= 1.5',
      pass: r <= 1.5,
      detail: `median ${median(ka).toFixed(0)} ms vs ${median(kb).toFixed(0)} ms, 2000 Ingresses, whole processes`,
    });
    const config = await loadKubeconfig({ kubeconfig: big.kubeconfigPath });
    const api = new KubeRequester(config);
    const tree: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await readRouteTree(api, { fallbackNamespace: 'default' });
      tree.push(performance.now() - t0);
    }
    rows.push({
      measure: 'tree at scale (top level)',
      value: median(tree),
      unit: 'ms',
      goal: '<= 1000',
      pass: median(tree) <= 1000,
      detail: 'the listing the VS Code tree shows, 2000 Ingresses',
    });
  } finally {
    await big.stop();
  }
  return rows;
}

/** The same two measures through the Gateway's HTTPS listener (NGINX Gateway Fabric-style nginx), same goals. */
async function throughGateway(
  ip: string,
  config: Awaited<ReturnType<typeof loadKubeconfig>>,
  api: KubeRequester,
  caFile: string,
): Promise<BenchRow[]> {
  if (!ip) throw new Error('the sandbox Gateway has no address');
  const a: number[] = [],
    b: number[] = [],
    ready: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const o = await runProbe({
      config,
      api,
      kind: 'HTTPRoute',
      namespace: 'shop',
      name: 'orders-route',
      scheme: 'https',
    });
    if (o.target.scheme !== 'https' || o.response.status !== 200)
      throw new Error(`gateway probe: ${o.url} ${o.response.status}`);
    a.push(o.timings.exchangeMs);
    ready.push(o.timings.readyMs);
    b.push(await curlMs(caFile, `gw.kubetrace.test:8443:${ip}`, 'https://gw.kubetrace.test:8443/orders'));
  }
  const ratio = median(a) / median(b);
  return [
    {
      measure: 'probe overhead through the Gateway (probe ÷ curl)',
      value: ratio,
      unit: 'ratio',
      goal: '<= 1.10',
      pass: ratio <= 1.1,
      detail: `median probe ${median(a).toFixed(2)} ms, curl ${median(b).toFixed(2)} ms, ${PAIRS} pairs, HTTPS listener`,
    },
    {
      measure: 'trace ready through the Gateway',
      value: median(ready),
      unit: 'ms',
      goal: '<= 250',
      pass: median(ready) <= 250,
      detail: `median of ${ready.length}, from the last response byte; the combined log has no request id`,
    },
  ];
}
