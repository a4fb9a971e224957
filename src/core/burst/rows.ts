// The layer and span rows of a report, computed one key at a time so that only one key's samples are in memory at
// once: a 100 MB log has half a million requests, and a sample store per key at once would cost tens of MB. The keys
// take turns in one buffer (Samples): an array per key is freed only when V8 collects it, and a report of the
// benchmark log left a dozen 4 MB arrays for the collector, about 40 MB of the process's peak.
import { LAYERS } from '../../protocol/vocabulary';
import { splitKey } from './measure';
import type { LayerStats, SpanStats } from './model';
import type { RequestRecords, Shape } from './records';
import { sortedStats } from './stats';

/** One buffer for each key's samples in turn: `take(n)` gives n slots, valid until the next take. */
export class Samples {
  private buf = new Float64Array(0);

  take(n: number): Float64Array {
    if (this.buf.length < n) this.buf = new Float64Array(Math.max(n, 2 * this.buf.length));
    return this.buf.subarray(0, n);
  }
}

/** Per layer present in any selected request: its time in every selected request (0 where it had none). */
export function layerRows(rec: RequestRecords, sel: Uint32Array, totalMs: number, buf: Samples): LayerStats[] {
  const present = new Set<number>();
  for (const shape of shapesOf(rec, sel)) for (const k of shape.layers) present.add(k);
  return [...present]
    .sort((a, b) => a - b)
    .map((k) => {
      const samples = buf.take(sel.length);
      let sum = 0;
      sel.forEach((i, j) => {
        const p = rec.shapeOf(i).layers.indexOf(k);
        const v = p < 0 ? 0 : rec.values.get(rec.valuesAt(i) + p);
        sum += v;
        samples[j] = v;
      });
      return { layer: LAYERS[k], ...sortedStats(samples.sort()), share: totalMs > 0 ? sum / totalMs : 0 };
    });
}

/** Per span key: the duration of every span with that key in the selected requests. */
export function spanRows(rec: RequestRecords, sel: Uint32Array, buf: Samples): SpanStats[] {
  const keys = new Set<number>();
  const positions = new Map<Shape, Map<number, number[]>>();
  for (const shape of shapesOf(rec, sel)) {
    const at = new Map<number, number[]>();
    shape.spans.forEach((k, p) => {
      keys.add(k);
      const list = at.get(k);
      if (list) list.push(p);
      else at.set(k, [p]);
    });
    positions.set(shape, at);
  }
  // Each key's sample count first, so its samples go into one array of the right size, sorted in place.
  const counts = new Map<number, number>();
  for (const i of sel)
    for (const [k, at] of positions.get(rec.shapeOf(i)) as Map<number, number[]>)
      counts.set(k, (counts.get(k) ?? 0) + at.length);
  const rows: SpanStats[] = [];
  for (const k of keys) {
    const samples = buf.take(counts.get(k) ?? 0);
    let n = 0;
    for (const i of sel) {
      const shape = rec.shapeOf(i);
      const at = positions.get(shape)?.get(k);
      if (!at) continue;
      const base = rec.valuesAt(i) + shape.layers.length;
      for (const p of at) samples[n++] = rec.values.get(base + p);
    }
    rows.push({ ...splitKey(rec.keys.values[k]), ...sortedStats(samples.sort()) });
  }
  return rows.sort(
    (a, b) =>
      LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer) ||
      b.p50 - a.p50 ||
      cmp(a.service, b.service) ||
      cmp(a.name, b.name),
  );
}

function shapesOf(rec: RequestRecords, sel: Uint32Array): Set<Shape> {
  const out = new Set<Shape>();
  for (const i of sel) out.add(rec.shapeOf(i));
  return out;
}

export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
