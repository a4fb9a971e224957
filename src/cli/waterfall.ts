// The terminal waterfall: one row per span in tree order, bars on a shared time scale, then the diagnostics.
import type { Span, Trace } from '../core/trace/model';
import { criticalShares } from '../core/trace/critical-path';
import { end, indexSpans, start, walk } from '../core/trace/span-index';
import { terminalSafeDeep } from './terminal';

export interface WaterfallOptions {
  width?: number;
  color?: boolean;
  cwd?: string;
}

const LAYER_COLOR: Record<Span['layer'], string> = { client: '36', ingress: '35', app: '32', downstream: '33' };

export function renderWaterfall(untrusted: Trace, o: WaterfallOptions = {}): string {
  // Names, paths and messages may hold escape sequences; only the colours painted here may be escapes.
  const trace = terminalSafeDeep(untrusted);
  const color = o.color ?? false;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  if (!trace.spans.length) return `trace ${trace.traceId}: no spans\n`;
  const tree = indexSpans(trace.spans);
  const t0 = trace.spans.reduce((m, s) => (start(s) < m ? start(s) : m), start(trace.spans[0]));
  const t1 = trace.spans.reduce((m, s) => (end(s) > m ? end(s) : m), end(trace.spans[0]));
  const total = Number(t1 - t0) || 1;
  // Each critical span's share: the time it owns on the critical path, as a part of the root's duration.
  const { owned, total: pathTotal } = criticalShares(trace);
  const indexOf = new Map(trace.spans.map((s, i) => [s, i]));
  const rows: {
    label: string;
    layer: Span['layer'];
    bar: string;
    dur: string;
    src: string;
    err: boolean;
    crit: boolean;
    share: string;
  }[] = [];
  const barWidth = Math.max(20, Math.min(50, (o.width ?? 120) - 80));
  const seen = new Set<Span>();
  for (const root of tree.roots) {
    walk(
      tree,
      root,
      (s, depth) => {
        const a = Math.floor((Number(start(s) - t0) / total) * barWidth);
        const b = Math.max(a + 1, Math.ceil((Number(end(s) - t0) / total) * barWidth));
        const bar = ' '.repeat(a) + '█'.repeat(Math.min(b, barWidth) - a) + ' '.repeat(Math.max(0, barWidth - b));
        rows.push({
          label: `${'  '.repeat(Math.min(depth, 12))}${s.name}`,
          layer: s.layer,
          bar,
          dur: fmtDuration(Number(end(s) - start(s))),
          src: sourceText(s, o.cwd),
          err: s.status === 'error',
          crit: owned.has(indexOf.get(s) ?? -1),
          share: shareText(owned.get(indexOf.get(s) ?? -1), pathTotal),
        });
      },
      seen,
    );
  }
  const labelW = Math.min(40, Math.max(...rows.map((r) => r.label.length)));
  const root = trace.spans[trace.criticalPath[0]?.index ?? -1] ?? tree.roots[0];
  const status = root?.attributes['http.response.status_code'];
  const lines = [
    paint('1', `trace ${trace.traceId}`) +
      `  ${fmtDuration(total)}  ${trace.spans.length} spans${status !== undefined ? `  HTTP ${status}` : ''}`,
    '',
  ];
  for (const r of rows) {
    const layer = paint(LAYER_COLOR[r.layer], r.layer.padEnd(10));
    const label = (r.label.length > labelW ? r.label.slice(0, labelW - 1) + '…' : r.label).padEnd(labelW);
    const bar = paint(r.err ? '31' : LAYER_COLOR[r.layer], r.bar);
    const mark = (r.err ? paint('31;1', ' ✗') : '  ') + (r.crit ? ` *${r.share.padStart(4)}` : '      ');
    lines.push(`${layer} ${label} │${bar}│ ${r.dur.padStart(9)}${mark}${r.src ? `  ${paint('2', r.src)}` : ''}`);
  }
  lines.push('', paint('2', '* critical path, with the share of the request each span owns on it   ✗ error'));
  if (trace.diagnostics.length) {
    lines.push('', paint('1', 'diagnostics'));
    for (const d of trace.diagnostics) {
      const sev =
        d.severity === 'error'
          ? paint('31', 'error  ')
          : d.severity === 'warning'
            ? paint('33', 'warning')
            : paint('2', 'info   ');
      lines.push(`  ${sev} ${d.message}`);
      if (d.hint) lines.push(`          hint: ${d.hint}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** "41%"; a share under half a percent shows as "<1%", so a span on the path never reads as owning nothing. */
export function shareText(owned: bigint | undefined, total: bigint): string {
  if (owned === undefined || total <= 0n) return '';
  if (owned === 0n) return '0%';
  const pct = (Number(owned) / Number(total)) * 100;
  return pct < 0.5 ? '<1%' : `${Math.round(pct)}%`;
}

export function sourceText(s: Span, cwd?: string): string {
  const ref = s.source;
  if (!ref) return '';
  let p = ref.path;
  if (cwd && p.startsWith(cwd + '/')) p = p.slice(cwd.length + 1);
  const fn = ref.function ? ` ${ref.function}` : '';
  return `${p}${ref.line ? `:${ref.line}` : ''}${fn}`;
}

export function fmtDuration(ns: number): string {
  if (ns < 1e3) return `${ns} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}
