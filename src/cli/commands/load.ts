// `kubetrace load ROUTE`: a burst of traced probes through one route, printed as a breakdown by layer, span and
// pod, or as the BurstReport JSON; --baseline compares it with a saved --json report.
import { readFileSync } from 'node:fs';
import { bool, int, parseArgs, str } from '../args';
import { connect } from '../session';
import { requestArgs, requestFlags, sendArgs } from '../request-args';
import { UsageError } from '../../core/errors';
import { parseRouteRef } from '../../core/probe/route-ref';
import { runBurst } from '../../core/burst/run';
import type { BurstLive, BurstReport } from '../../core/burst/model';
import { redact } from '../../core/redact';
import { clearLine, writeStyled } from '../terminal';
import { renderReport } from '../burst-table';
import { compareBursts, describeDifference } from '../../core/burst/compare';

const spec = {
  ...requestFlags,
  count: { type: 'string', short: 'n' },
  duration: { type: 'string' },
  concurrency: { type: 'string', short: 'c' },
  rate: { type: 'string' },
  'no-keepalive': { type: 'boolean' },
  json: { type: 'boolean' },
  baseline: { type: 'string' },
} as const;

/** 30s, 2m, 500ms, or a number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--duration takes a time such as 30s, 2m or 500ms, not "${text}"`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

export async function run(argv: string[]): Promise<number> {
  const p = parseArgs(argv, spec);
  const ref = p.positional[0];
  if (!ref || p.positional.length > 1)
    throw new UsageError(
      'usage: kubetrace load NAMESPACE/NAME [options]',
      'e.g. kubetrace load shop/orders -n 200 -c 8',
    );
  const { kind, namespace, name } = parseRouteRef(ref);
  const { headers, body, method, via } = requestArgs(p);
  const count = int(p, 'count');
  const duration = str(p, 'duration');
  const rate = str(p, 'rate');
  if (rate !== undefined && !/^\d+(\.\d+)?$/.test(rate))
    throw new UsageError(`--rate takes requests per second, not "${rate}"`);
  const baselineFile = str(p, 'baseline');
  const baseline = baselineFile ? readBaseline(baselineFile) : undefined;
  const json = bool(p, 'json');
  const session = await connect({ kubeconfig: str(p, 'kubeconfig'), context: str(p, 'context') });
  const tty = !!process.stderr.isTTY && !json;
  const status = (m: string) => {
    if (!tty) return;
    clearLine(process.stderr);
    process.stderr.write(m);
  };
  const ctrl = new AbortController();
  const onSigint = () => ctrl.abort();
  process.once('SIGINT', onSigint);
  const burst = await runBurst({
    config: session.config,
    api: session.api,
    kind,
    namespace,
    name,
    ...sendArgs(p),
    method,
    headers,
    body,
    via,
    count,
    durationMs: duration === undefined ? undefined : parseDuration(duration),
    concurrency: int(p, 'concurrency'),
    ratePerSecond: rate === undefined ? undefined : Number(rate),
    keepAlive: !bool(p, 'no-keepalive'),
    signal: ctrl.signal,
    onProgress: (m) => status(`${m}…`),
    onLive: (l) => status(liveLine(l)),
  }).finally(() => process.off('SIGINT', onSigint));
  if (tty) clearLine(process.stderr);
  const report = burst.report();
  // What the CLI prints is often pasted or saved: no credentials in it.
  for (const r of report.probes) if (r.path) r.path = redact(r.path);
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR;
  writeStyled(process.stdout, renderReport(report, { color, width: process.stdout.columns }));
  if (baseline) {
    const c = compareBursts(baseline, report);
    const lines = c.equal ? ['no difference'] : c.differences.map(describeDifference);
    process.stdout.write(`\ncompared with ${baselineFile} (${baseline.requests} requests):\n`);
    process.stdout.write(lines.map((l) => `  ${l}\n`).join(''));
  }
  return 0;
}

function liveLine(l: BurstLive): string {
  const ms = (v?: number) => (v === undefined ? '-' : `${v.toFixed(1)} ms`);
  return `sent ${l.sent} · answered ${l.answered} · traced ${l.traced} · errors ${l.errors} · p50 ${ms(l.p50)} · p99 ${ms(l.p99)}`;
}

function readBaseline(file: string): BurstReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `--baseline ${file} is not a readable JSON file (${(e as Error).message})`,
      'save one with kubetrace load ... --json > FILE.json',
    );
  }
  const r = parsed as Partial<BurstReport>;
  if (!r || typeof r !== 'object' || !Array.isArray(r.probes) || typeof r.requests !== 'number')
    throw new UsageError(
      `--baseline ${file} is not a kubetrace load --json report`,
      'save one with kubetrace load ... --json > FILE.json',
    );
  return r as BurstReport;
}
