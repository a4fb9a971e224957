// Per-layer durations of two traces, for the history "compare" view. Pure, so the host builds the
// `compare` message and tests check it without a webview.
import type { Layer, Trace } from '../core/trace/model';
import type { CompareRow } from './messages';
import { isBefore, msSince, splitNanos, type NanoTime } from './nanos';
import { LAYERS } from './vocabulary';

/** Wall time covered by each layer's spans (overlaps counted once), in ms, plus the whole trace as `total`. */
export function layerDurations(trace: Trace): Partial<Record<Layer | 'total', number>> {
  if (!trace.spans.length) return {};
  const starts = trace.spans.map((s) => splitNanos(s.startTimeUnixNano));
  let base: NanoTime = starts[0];
  for (const t of starts) if (isBefore(t, base)) base = t;
  const byLayer = new Map<Layer, [number, number][]>();
  let end = 0;
  trace.spans.forEach((s, i) => {
    const a = msSince(starts[i], base);
    const b = Math.max(a, msSince(splitNanos(s.endTimeUnixNano), base));
    end = Math.max(end, b);
    const list = byLayer.get(s.layer) ?? [];
    list.push([a, b]);
    byLayer.set(s.layer, list);
  });
  const out: Partial<Record<Layer | 'total', number>> = { total: end };
  for (const [layer, list] of byLayer) out[layer] = unionMs(list);
  return out;
}

/** Total length of a set of [start, end] intervals, overlaps counted once. Sorts `list` in place. */
export function unionMs(list: [number, number][]): number {
  if (!list.length) return 0;
  list.sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let [curA, curB] = list[0];
  for (let i = 1; i < list.length; i++) {
    const [a, b] = list[i];
    if (a > curB) {
      covered += curB - curA;
      curA = a;
      curB = b;
    } else curB = Math.max(curB, b);
  }
  return covered + (curB - curA);
}

/** One row per layer present in either trace, then `total`; `diffMs` is right minus left. */
export function compareRows(left: Trace, right: Trace): CompareRow[] {
  const l = layerDurations(left);
  const r = layerDurations(right);
  const rows: CompareRow[] = [];
  for (const layer of [...LAYERS, 'total'] as const) {
    const leftMs = l[layer];
    const rightMs = r[layer];
    if (leftMs === undefined && rightMs === undefined) continue;
    const row: CompareRow = { layer };
    if (leftMs !== undefined) row.leftMs = leftMs;
    if (rightMs !== undefined) row.rightMs = rightMs;
    if (leftMs !== undefined && rightMs !== undefined) row.diffMs = rightMs - leftMs;
    rows.push(row);
  }
  return rows;
}
