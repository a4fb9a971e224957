// Two request sets side by side (before/after a change, two pods, two log windows): every percentile of every layer
// and span row that differs, with how much it matters.
import type { Severity } from '../trace/model';
import type { BurstReport, Stats } from './model';
import { formatMs } from './tail';

export interface BurstDifference {
  /** e.g. `requests`, `errors`, `ingress p99`, `orders \`SELECT stock\` p50`. */
  what: string;
  /** Absent: the row is not in that set. */
  a?: number;
  b?: number;
  severity: Severity;
}

export interface BurstComparison {
  equal: boolean;
  differences: BurstDifference[];
}

const PERCENTILES = ['p50', 'p90', 'p99'] as const;

/**
 * How b differs from a. Severity of a time: `error` when it moved by at least 50% and 10 ms, `warning` by 10% and
 * 1 ms, `info` otherwise; a row present on one side only is a `warning`. Equal reports have no differences.
 */
export function compareBursts(a: BurstReport, b: BurstReport): BurstComparison {
  const out: BurstDifference[] = [];
  const count = (what: string, x: number, y: number) => {
    if (x !== y) out.push({ what, a: x, b: y, severity: 'info' });
  };
  count('requests', a.requests, b.requests);
  const rate = (r: BurstReport) => (r.requests ? r.errors / r.requests : 0);
  if (rate(a) !== rate(b))
    out.push({
      what: 'error rate',
      a: rate(a),
      b: rate(b),
      severity: Math.abs(rate(a) - rate(b)) >= 0.01 ? 'error' : 'warning',
    });
  const rows = (what: string, x: Stats | undefined, y: Stats | undefined) => {
    if (!x && !y) return;
    if (!x || !y) {
      out.push({ what, ...(x && { a: x.p50 }), ...(y && { b: y.p50 }), severity: 'warning' });
      return;
    }
    for (const p of PERCENTILES)
      if (x[p] !== y[p]) out.push({ what: `${what} ${p}`, a: x[p], b: y[p], severity: timeSeverity(x[p], y[p]) });
  };
  rows('total', totalStats(a), totalStats(b));
  for (const layer of union(a.layers, b.layers, (l) => l.layer))
    rows(
      layer,
      a.layers.find((l) => l.layer === layer),
      b.layers.find((l) => l.layer === layer),
    );
  const key = (s: BurstReport['spans'][number]) => `${s.layer} ${s.service} \`${s.name}\``;
  for (const k of union(a.spans, b.spans, key))
    rows(
      k,
      a.spans.find((s) => key(s) === k),
      b.spans.find((s) => key(s) === k),
    );
  return { equal: out.length === 0, differences: out };
}

/** The whole request's percentiles, as the tails carry them (the p50 is the median's, the others the thresholds'). */
function totalStats(r: BurstReport): Stats | undefined {
  if (!r.requests) return undefined;
  const at = (p: number) => r.tails.find((t) => t.percentile === p)?.thresholdMs ?? NaN;
  return { count: r.requests, p50: r.tail.medianMs, p90: at(90), p99: at(99), max: NaN };
}

function timeSeverity(x: number, y: number): Severity {
  const d = Math.abs(y - x);
  const rel = d / Math.max(Math.abs(x), Math.abs(y), 1e-9);
  if (d >= 10 && rel >= 0.5) return 'error';
  if (d >= 1 && rel >= 0.1) return 'warning';
  return 'info';
}

function union<T>(a: T[], b: T[], key: (t: T) => string): string[] {
  return [...new Set([...a.map(key), ...b.map(key)])];
}

/** One line per difference, for the CLI. */
export function describeDifference(d: BurstDifference): string {
  const v = (x: number | undefined) =>
    x === undefined
      ? 'absent'
      : d.what === 'requests'
        ? String(x)
        : d.what === 'error rate'
          ? `${(x * 100).toFixed(2)}%`
          : formatMs(x);
  return `${d.severity} ${d.what}: ${v(d.a)} -> ${v(d.b)}`;
}
