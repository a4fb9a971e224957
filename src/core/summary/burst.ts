// The short text an agent reads about a burst (kubetrace_burst): counts, percentiles, where the time went by layer,
// the tail's cause, pods and failures, and a few trace ids to explain one by one. A fixed number of lines.
import { nearestRank } from '../burst/live';
import type { BurstReport } from '../burst/model';
import { clean } from './text';

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

export function burstText(r: BurstReport): string {
  const d = Float64Array.from(r.probes.map((p) => p.durationMs)).sort();
  const lines = [
    `burst ${r.route}: ${r.requests} requests, ${r.completed} traces complete, ${r.errors} errors, ` +
      `${r.rps.toFixed(1)} requests/s`,
    `duration p50 ${ms(nearestRank(d, 50))} · p90 ${ms(nearestRank(d, 90))} · p99 ${ms(nearestRank(d, 99))} · ` +
      `max ${ms(d.length ? d[d.length - 1] : 0)}`,
  ];
  if (r.layers.length)
    lines.push(
      'by layer (own time on the critical path): ' +
        r.layers.map((l) => `${l.layer} p50 ${ms(l.p50)} p99 ${ms(l.p99)} (${Math.round(l.share * 100)}%)`).join('; '),
    );
  if (r.tail.sentence) lines.push(`tail: ${r.tail.sentence}`);
  for (const p of r.pods.slice(0, 8))
    lines.push(`pod ${p.pod}: ${p.count} requests, p50 ${ms(p.p50)}, p99 ${ms(p.p99)}, ${p.errors} errors`);
  for (const f of r.failures.slice(0, 5))
    lines.push(`failed: ${f.count} × ${f.status ?? 'no answer'} in ${f.layer}${f.example ? ` (${f.example})` : ''}`);
  const slowest = [...r.probes].sort((a, b) => b.durationMs - a.durationMs).slice(0, 3);
  if (slowest.length)
    lines.push(`slowest traces: ${slowest.map((p) => `${p.traceId} (${ms(p.durationMs)})`).join(', ')}`);
  for (const x of r.diagnostics.slice(0, 5))
    lines.push(`${x.severity}: ${x.message}${x.hint ? ` (hint: ${x.hint})` : ''}`);
  return lines.map((l) => clean(l, 400)).join('\n');
}
