// The short text an agent reads about a request set (the `kubetrace_burst` tool): counts, the tail sentence, the
// layers' own time by percentile, the slowest span names and the failures. Fixed row caps, so it stays small
// whatever the set's size; every name passes through clean() (secrets redacted, control characters dropped).
import type { BurstReport } from '../burst/model';
import { clean } from './text';

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));
const SPAN_ROWS = 5;
const FAILURE_ROWS = 3;

export function summarizeBurst(r: BurstReport): string {
  const lines = [
    `${clean(r.route)}: ${r.requests} requests (${r.completed} traced), ${r.errors} errors, ` +
      `${r.rps.toFixed(1)} req/s over ${ms(r.durationMs)} ms`,
  ];
  if (!r.requests) return lines.join('\n');
  lines.push(`tail: ${clean(r.tail.sentence, 400)}`);
  lines.push('layer       share   p50 ms   p90 ms   p99 ms   max ms  (own time per request)');
  for (const l of r.layers)
    lines.push(
      `${l.layer.padEnd(10)} ${`${Math.round(l.share * 100)}%`.padStart(6)} ` +
        [l.p50, l.p90, l.p99, l.max].map((v) => ms(v).padStart(8)).join(' '),
    );
  const spans = [...r.spans].sort((a, b) => b.p99 - a.p99).slice(0, SPAN_ROWS);
  if (spans.length) {
    lines.push('slowest spans by p99:');
    for (const s of spans)
      lines.push(`  ${s.layer} ${clean(s.service, 60)} ${clean(s.name, 80)}: p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms`);
  }
  const failures = [...r.failures].sort((a, b) => b.count - a.count).slice(0, FAILURE_ROWS);
  for (const f of failures)
    lines.push(
      `failed: ${f.count} × ${f.status ?? 'no response'} in ${f.layer}${f.example ? ` (${clean(f.example, 120)})` : ''}`,
    );
  const slowest = [...r.probes].sort((a, b) => b.durationMs - a.durationMs)[0];
  if (slowest) lines.push(`slowest request: trace ${clean(slowest.traceId, 64)}, ${ms(slowest.durationMs)} ms`);
  return lines.join('\n');
}
