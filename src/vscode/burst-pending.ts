// Stand-ins while the burst engine is written on its own branch: runBurst (src/core/burst/run.ts), which says
// plainly that this build lacks it, and the agent's text of a report (burstText, src/core/summary/burst.ts), a small
// working one (the tail sentence and the layer table). engine.ts and lm-burst.ts import them from here, so switching
// to the real ones is a change of one import each.
import { KubetraceError } from '../core/errors';
import { clean } from '../core/summary/text';
import type { BurstReport } from '../core/burst/model';
import type { BurstOptions, RequestSet } from '../core/burst/types';

const missing = (what: string) =>
  new KubetraceError(`${what} is not in this build of Kubetrace yet`, 'update the extension to a build with bursts');

export async function runBurst(o: BurstOptions): Promise<RequestSet> {
  void o;
  throw missing('the burst engine');
}

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));
const SPAN_ROWS = 5;
const FAILURE_ROWS = 3;

export function burstText(r: BurstReport): string {
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
