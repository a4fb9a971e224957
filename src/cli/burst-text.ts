// The text of a burst report until the breakdown table lands: counts, rate, percentiles and pods.
import type { BurstReport } from '../core/burst/model';
import { nearestRank } from '../core/burst/live';

export function renderBurst(r: BurstReport, baseline?: BurstReport): string {
  const lines: string[] = [];
  const pct = (rep: BurstReport) => {
    const d = Float64Array.from(rep.probes.map((p) => p.durationMs)).sort();
    return {
      p50: nearestRank(d, 50),
      p90: nearestRank(d, 90),
      p99: nearestRank(d, 99),
      max: d.length ? d[d.length - 1] : 0,
    };
  };
  const now = pct(r);
  lines.push(
    `${r.route}: ${r.requests} requests in ${(r.durationMs / 1000).toFixed(2)} s (${r.rps.toFixed(1)}/s), ` +
      `${r.completed} traces complete, ${r.errors} errors`,
  );
  lines.push(
    `  p50 ${now.p50.toFixed(1)} ms · p90 ${now.p90.toFixed(1)} ms · p99 ${now.p99.toFixed(1)} ms · max ${now.max.toFixed(1)} ms`,
  );
  if (baseline) {
    const b = pct(baseline);
    lines.push(`  baseline p50 ${b.p50.toFixed(1)} ms · p99 ${b.p99.toFixed(1)} ms (${baseline.requests} requests)`);
  }
  for (const d of r.diagnostics) lines.push(`${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  return lines.join('\n') + '\n';
}
