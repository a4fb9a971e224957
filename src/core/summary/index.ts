// The trace summary an agent reads (VS Code language model tools, `kubetrace mcp`, `kubetrace probe --summary`):
// status and total time, the critical path, errors and diagnostics with hints, and the source line behind each
// span it names. Never a secret, and at most about 60 lines whatever the size of the trace.
import type { Trace } from '../trace/model';
import { traceFacts, type SpanGroup, type TraceFacts } from './build';
import { clean, fmtMs, pct, safeUrl, sourceText } from './text';

export { traceFacts, type TraceFacts, type SpanGroup } from './build';

export interface SummaryOptions {
  /** App paths are shown relative to the folder holding them. */
  workspaceFolders?: string[];
  /** Lines the summary may use (default 60). */
  maxLines?: number;
}

export const SUMMARY_MAX_LINES = 60;
const PATH_ROWS = 14;
const ENTRY_ROWS = 2;
const APP_ROWS = 6;
const ERROR_ROWS = 6;
const DIAGNOSTIC_ROWS = 8;

export function summarizeTrace(
  trace: Pick<Trace, 'traceId' | 'spans' | 'diagnostics' | 'criticalPath'>,
  o: SummaryOptions = {},
): string {
  const f = traceFacts(trace);
  const folders = o.workspaceFolders ?? [];
  const label = (g: SpanGroup) => {
    const who = g.service === g.name || g.service === g.layer ? g.name : `${g.service} ${g.name}`;
    return `${g.layer.padEnd(10)} ${who}${g.count > 1 ? ` ×${g.count}` : ''}`;
  };
  const src = (g: SpanGroup) => (g.first.source ? `  ${sourceText(g.first.source, folders)}` : '');

  const lines: string[] = [...head(f)];
  if (f.path.length) {
    lines.push('critical path (root first: span, its duration, time it owns on the path and share of the total):');
    const shown = f.path.length > PATH_ROWS + 1 ? f.path.slice(0, PATH_ROWS) : f.path;
    for (const g of shown)
      lines.push(`  ${label(g)}  ${fmtMs(g.maxNs)}  owns ${fmtMs(g.ownNs)} ${pct(g.ownNs, f.totalNs)}${src(g)}`);
    const rest = f.path.slice(shown.length);
    if (rest.length) {
      const own = rest.reduce((n, g) => n + g.ownNs, 0);
      const top = [...rest].sort((a, b) => b.ownNs - a.ownNs)[0];
      lines.push(
        `  … ${rest.length} more steps on the path own ${fmtMs(own)} ${pct(own, f.totalNs)}; the largest: ${label(top).trim()}`,
      );
    }
  }
  if (f.errors.length) {
    lines.push(`errors (${f.errors.reduce((n, e) => n + e.group.count, 0)} spans):`);
    for (const e of f.errors.slice(0, ERROR_ROWS))
      lines.push(`  ${label(e.group)}${e.message ? `: ${e.message}` : ''}${src(e.group)}`);
    if (f.errors.length > ERROR_ROWS) lines.push(`  … ${f.errors.length - ERROR_ROWS} more kinds of failing span`);
  }
  if (f.diagnostics.length) {
    lines.push('diagnostics:');
    for (const { d, count } of f.diagnostics.slice(0, DIAGNOSTIC_ROWS))
      lines.push(
        `  ${d.severity} ${d.code}${count > 1 ? ` ×${count}` : ''}: ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`,
      );
    if (f.diagnostics.length > DIAGNOSTIC_ROWS) lines.push(`  … ${f.diagnostics.length - DIAGNOSTIC_ROWS} more kinds`);
  }
  if (f.entries.length) {
    lines.push('layers (where the request entered each one):');
    for (const e of f.entries)
      for (const g of e.groups.slice(0, ENTRY_ROWS)) lines.push(`  ${label(g)}  ${fmtMs(g.maxNs)}${src(g)}`);
  }
  if (f.appCode.length) {
    lines.push('app code by own time (children excluded):');
    for (const g of f.appCode.slice(0, APP_ROWS))
      lines.push(`  ${label(g)}  own ${fmtMs(g.ownNs)} ${pct(g.ownNs, f.totalNs)}${src(g)}`);
  }
  return fit(
    lines.map((l) => clean(l)),
    o.maxLines ?? SUMMARY_MAX_LINES,
  ).join('\n');
}

function head(f: TraceFacts): string[] {
  const root = f.root;
  const status = root?.attributes['http.response.status_code'];
  const failed = root?.status === 'error' || (typeof status === 'number' && status >= 500);
  const what = [
    `trace ${f.traceId}`,
    status !== undefined
      ? `HTTP ${status}${failed ? ' (failed)' : ''}`
      : root?.status === 'error'
        ? 'failed'
        : undefined,
    `total ${fmtMs(f.totalNs)}`,
    `${f.spanCount} spans`,
    f.layers.length ? `layers ${f.layers.join(', ')}` : undefined,
  ].filter(Boolean);
  const out = [what.join(' · ')];
  const method = root?.attributes['http.request.method'];
  const url = root?.attributes['url.full'];
  if (typeof url === 'string') {
    const via = root?.attributes['kubetrace.probe.target'];
    out.push(`request: ${typeof method === 'string' ? `${method} ` : ''}${safeUrl(url)}${via ? ` via ${via}` : ''}`);
  }
  return out;
}

/** Keeps the summary inside its line budget; what is cut is said, never dropped silently. */
function fit(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  const keep = lines.slice(0, Math.max(1, max - 1));
  keep.push(`… ${lines.length - keep.length} more lines cut to keep the summary short`);
  return keep;
}
