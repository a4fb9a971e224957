// A burst side by side with ab on the same sandbox URL: `kubetrace load -n 1000 -c 20 --json` (every trace
// collected) against `ab -n 1000 -c 20 -k`; how many traces are complete within 2 s of the last answer; the peak RSS of
// a 10,000-request burst; and the burst's median request against ab's at the same concurrency.
// The sandbox's apps speed up over their first thousands of requests (their JIT warms): one unmeasured run of each
// comes first, and each pair runs first one then the other in turn, so that neither is always measured on a colder
// sandbox. Each pair gives its own ratios, and the median pair's is reported.
// KUBETRACE_BENCH_BURST_ROUNDS (default 5) pairs; KUBETRACE_BENCH_BURST_BIG (default 10000) requests for the RSS row.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox/sandbox';
import { loadKubeconfig } from '../src/core/kube/load';
import { KubeRequester } from '../src/core/kube/request';
import { runBurst } from '../src/core/burst/run';
import type { BurstReport } from '../src/core/burst/model';
import { measureCli } from '../test/fixtures/traces/measure';
import type { BenchRow } from './run';
import { median } from './stats';

const run = promisify(execFile);
/** Progress on stderr: each stage of this bench takes tens of seconds. */
const say = (m: string) => process.stderr.write(`burst bench: ${m}\n`);
const ROUNDS = Number(process.env.KUBETRACE_BENCH_BURST_ROUNDS ?? 5);
const BIG = Number(process.env.KUBETRACE_BENCH_BURST_BIG ?? 10_000);

// Asynchronously: the sandbox runs in this process and must keep reading nginx's log pipe while ab runs, or nginx
// blocks on its log writes.
async function ab(url: string, tries = 2): Promise<{ rps: number; p50: number }> {
  const args = ['-q', '-s', '120', '-n', '1000', '-c', '20', '-k', '-H', 'Host: shop.kubetrace.test', url];
  const r = await run('ab', args, { maxBuffer: 1 << 24 }).then(
    ({ stdout }) => ({ ok: true, stdout }),
    (e: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  const rps = /Requests per second:\s+([\d.]+)/.exec(r.stdout);
  const p50 = /^\s+50%\s+(\d+)/m.exec(r.stdout);
  if (!r.ok || !rps || !p50) {
    if (tries > 1) return ab(url, tries - 1); // a loaded machine can stall one run
    throw new Error(`ab failed: ${r.stdout.slice(-500)}`);
  }
  return { rps: Number(rps[1]), p50: Number(p50[1]) };
}

export default async function burstBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kubetrace-bench-burst-'));
  const sb = await startSandbox({ podSubnet: '127.10.213', kubeconfigPath: join(dir, 'sandbox.kubeconfig') });
  const rows: BenchRow[] = [];
  try {
    const url = `https://${sb.ingress.ip}:${sb.ingress.httpsPort}/orders`;
    const load = async () => {
      const r = await measureCli(
        ['load', 'shop/orders', '-n', '1000', '-c', '20', '--json', '--kubeconfig', sb.kubeconfigPath],
        1 << 26,
      );
      if (r.code !== 0) throw new Error(`load failed: ${r.err.slice(-500)}`);
      const rep = JSON.parse(r.out) as BurstReport;
      const rps = rep.requests / (rep.durationMs / 1000);
      return { rps, p50: median(rep.probes.map((p) => p.durationMs)), complete: rep.completed, requests: rep.requests };
    };
    say('warm-up (not counted): ab, then kubetrace load');
    await ab(url);
    await load();
    const pairs: { kt: Awaited<ReturnType<typeof load>>; ab: Awaited<ReturnType<typeof ab>> }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const abFirst = i % 2 === 1;
      say(`round ${i + 1}/${ROUNDS}: ${abFirst ? 'ab, then kubetrace load' : 'kubetrace load, then ab'}`);
      const before = abFirst ? await ab(url) : undefined;
      const kt = await load();
      pairs.push({ kt, ab: before ?? (await ab(url)) });
    }
    const complete = pairs.reduce((n, p) => n + p.kt.complete, 0);
    const requests = pairs.reduce((n, p) => n + p.kt.requests, 0);
    const ratio = median(pairs.map((p) => p.kt.rps / p.ab.rps));
    const each = (f: (p: (typeof pairs)[number]) => string) => pairs.map(f).join(', ');
    rows.push({
      measure: 'burst throughput (load ÷ ab -k)',
      value: ratio,
      unit: 'ratio',
      goal: '>= 0.8',
      pass: ratio >= 0.8 && complete === requests,
      detail:
        `median of ${ROUNDS} pairs, -n 1000 -c 20 (requests/s: ` +
        `${each((p) => `${p.kt.rps.toFixed(0)} vs ${p.ab.rps.toFixed(0)}`)}); ${complete}/${requests} traces complete`,
    });
    const latency = median(pairs.map((p) => p.kt.p50 / p.ab.p50));
    rows.push({
      measure: 'burst median request ÷ ab',
      value: latency,
      unit: 'ratio',
      goal: '<= 1.2',
      pass: latency <= 1.2,
      detail: `median of ${ROUNDS} pairs (ms: ${each((p) => `${p.kt.p50.toFixed(1)} vs ${p.ab.p50}`)}; ab: whole ms)`,
    });

    say('completeness: 1000 requests in this process');
    const config = await loadKubeconfig({ kubeconfig: sb.kubeconfigPath });
    const burst = await runBurst({
      config,
      api: new KubeRequester(config),
      namespace: 'shop',
      name: 'orders',
      count: 1000,
      concurrency: 20,
    });
    const within = burst.completedWithin(2000) / burst.requests.length;
    rows.push({
      measure: 'burst completeness',
      value: within * 100,
      unit: '%',
      goal: '100',
      pass: within === 1,
      detail:
        `${burst.completedWithin(2000)} of ${burst.requests.length} traces complete within 2 s of the last answer ` +
        `(${burst.traces} in the end)`,
    });

    say(`peak RSS: kubetrace load -n ${BIG}`);
    const big = await measureCli(
      ['load', 'shop/orders', '-n', String(BIG), '-c', '20', '--json', '--kubeconfig', sb.kubeconfigPath],
      0,
    );
    if (big.code !== 0) throw new Error(`load -n ${BIG} failed: ${big.err.slice(-500)}`);
    rows.push({
      measure: `burst peak RSS (-n ${BIG} -c 20)`,
      value: big.maxRssMb,
      unit: 'MB',
      goal: '<= 300',
      pass: big.maxRssMb <= 300,
      detail: `${(big.wallMs / 1000).toFixed(1)} s wall, ${(big.cpuMs / 1000).toFixed(1)} s CPU`,
    });
  } finally {
    await sb.stop();
  }
  return rows;
}
