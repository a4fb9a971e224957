// A request set's breakdown as terminal text (`kubetrace import LOG --summary`, `kubetrace load`): the counts, time
// by layer, the span rows, the tails with their sentences, upstreams, failures and a histogram. It takes only a
// BurstReport, so every producer of one prints the same table.
import type { BurstReport, Stats } from '../core/burst/model';
import { formatMs } from '../core/burst/tail';
import type { Layer } from '../core/trace/model';
import { terminalSafeDeep } from './terminal';

export interface ReportTableOptions {
  color?: boolean;
  /** Terminal columns (default 120); span names are cut to fit. */
  width?: number;
  /** Span rows shown (default 25); the rest are counted. */
  maxSpans?: number;
}

const LAYER_COLOR: Record<Layer, string> = { client: '36', ingress: '35', app: '32', downstream: '33' };
const MAX_ROWS = 10;

export function renderReport(untrusted: BurstReport, o: ReportTableOptions = {}): string {
  // Span names, pods and messages come from the log or the traces: only the colours painted here may be escapes.
  const r = terminalSafeDeep(untrusted);
  const paint = (code: string, s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = (s: string) => paint('1', s);
  const width = Math.max(60, o.width ?? 120);
  const out: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const window = r.durationMs >= 1000 ? `${(r.durationMs / 1000).toFixed(1)} s` : formatMs(r.durationMs);
  out.push(
    bold(`${r.route ? `${r.route}: ` : ''}${r.requests} request${r.requests === 1 ? '' : 's'}`) +
      ` (${r.completed} completed, ${r.errors} error${r.errors === 1 ? '' : 's'}) over ${window}, ${r.rps.toFixed(1)} req/s`,
  );
  if (!r.requests) return out.join('\n') + '\n';
  out.push(
    `total  p50 ${formatMs(r.tail.medianMs)}  p90 ${formatMs(r.tails[2]?.thresholdMs ?? NaN)}  p99 ${formatMs(r.tail.thresholdMs)}`,
  );

  out.push('', bold('time by layer (critical path)'));
  out.push(
    ...table(
      ['layer', 'share', 'p50', 'p90', 'p99', 'max'],
      r.layers.map((l) => [paint(LAYER_COLOR[l.layer], l.layer), pct(l.share), ...times(l)]),
    ),
  );

  const maxSpans = o.maxSpans ?? 25;
  const nameWidth = Math.max(20, width - 50);
  out.push('', bold('spans'));
  out.push(
    ...table(
      ['layer', 'span', 'count', 'p50', 'p90', 'p99', 'max'],
      r.spans
        .slice(0, maxSpans)
        .map((s) => [
          paint(LAYER_COLOR[s.layer], s.layer),
          cut(`${s.service} ${s.name}`, nameWidth),
          String(s.count),
          ...times(s),
        ]),
    ),
  );
  if (r.spans.length > maxSpans) out.push(`  ... ${r.spans.length - maxSpans} more span rows`);

  out.push('', bold('tail'));
  for (const t of r.tails) out.push(`  ${t.sentence}`);
  const shift = r.tail.layers.filter((l) => Math.abs(l.delta) >= 0.005).sort((a, b) => b.delta - a.delta);
  const points = (d: number) => `${d > 0 ? '+' : ''}${(d * 100).toFixed(1)} pts`;
  if (shift.length)
    out.push(`  p99 vs median, share of time: ${shift.map((l) => `${l.layer} ${points(l.delta)}`).join(', ')}`);

  if (r.pods.length) {
    const retries = new Map(r.retries.map((x) => [x.upstream, x.retries]));
    out.push('', bold('upstreams'));
    out.push(
      ...table(
        ['upstream', 'count', 'p50', 'p99', 'errors', 'retried'],
        r.pods
          .slice(0, MAX_ROWS)
          .map((p) => [
            cut(p.pod, 40),
            String(p.count),
            formatMs(p.p50),
            formatMs(p.p99),
            String(p.errors),
            String(retries.get(p.pod) ?? 0),
          ]),
      ),
    );
    if (r.pods.length > MAX_ROWS) out.push(`  ... ${r.pods.length - MAX_ROWS} more upstreams`);
  }
  const retriedElsewhere = r.retries.filter((x) => !r.pods.some((p) => p.pod === x.upstream));
  if (retriedElsewhere.length)
    out.push(`  retried away from: ${retriedElsewhere.map((x) => `${x.upstream} (${x.retries})`).join(', ')}`);

  if (r.failures.length) {
    out.push('', bold('failures'));
    out.push(
      ...table(
        ['status', 'layer', 'count', 'example'],
        r.failures
          .slice(0, MAX_ROWS)
          .map((f) => [
            f.status === undefined ? 'none' : String(f.status),
            f.layer,
            String(f.count),
            cut(f.example ?? '', Math.max(20, width - 40)),
          ]),
      ),
    );
  }

  if (r.histogram.length) {
    out.push('', bold('duration histogram'));
    const most = Math.max(...r.histogram.map((h) => h.count));
    const barWidth = Math.max(10, Math.min(50, width - 40));
    for (const h of r.histogram) {
      const bar = '#'.repeat(Math.round((h.count / most) * barWidth));
      out.push(
        `  ${formatMs(h.lowerMs).padStart(9)} - ${formatMs(h.upperMs).padEnd(9)} ${bar.padEnd(barWidth)} ${h.count}`,
      );
    }
  }
  for (const d of r.diagnostics) out.push('', `${d.severity}: ${d.message}`);
  return out.join('\n') + '\n';
}

const times = (s: Stats) => [formatMs(s.p50), formatMs(s.p90), formatMs(s.p99), formatMs(s.max)];

/** Columns padded to their widest cell (colour codes not counted); numbers right-aligned, text left. */
function table(head: string[], rows: string[][]): string[] {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i]))));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.]+( ms| s|%)?$|^NaN/.test(r[i])));
  const line = (cells: string[]) =>
    '  ' +
    cells
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, w[i] - visible(c)));
        return numeric[i] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

function cut(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 3) + '...';
}
