// Tail attribution: where the slowest requests spent the time the median request did not (docs/ARCHITECTURE.md,
// "Request sets and bursts: the breakdown").
//
// The tail of percentile P is every request at or above the P-th percentile's duration (nearest rank). Its extra time
// is the tail's mean duration minus the duration of the median request (the request at the 50th percentile's rank,
// ties broken by arrival). Each span key's part of it is the tail's mean critical-path time in that key minus the
// median request's time in it. Because every request's owned times sum to its duration, the parts sum to the extra
// time exactly; comparing with one real request (not per-key medians, which need not add up) is what makes that so.
import { LAYERS } from '../../protocol/vocabulary';
import type { Layer } from '../trace/model';
import { splitKey } from './measure';
import type { Tail, TailContributor } from './model';
import type { RequestRecords } from './records';
import { nearestRankIndex } from './stats';

export const TAIL_PERCENTILES = [99, 95, 90] as const;

/** `sel`: the selected requests; `byDuration`: the same, sorted by duration (stable). */
export function tails(rec: RequestRecords, byDuration: Uint32Array, layers: Layer[]): Tail[] {
  return TAIL_PERCENTILES.map((p) => tail(rec, byDuration, layers, p));
}

function tail(rec: RequestRecords, byDuration: Uint32Array, layers: Layer[], p: number): Tail {
  const n = byDuration.length;
  if (!n)
    return { percentile: p, thresholdMs: 0, medianMs: 0, extraMs: 0, layers: [], sentence: `no requests, so no p${p}` };
  const median = byDuration[nearestRankIndex(n, 50)];
  const medianMs = rec.duration.get(median);
  const thresholdMs = rec.duration.get(byDuration[nearestRankIndex(n, p)]);
  let first = nearestRankIndex(n, p);
  while (first > 0 && rec.duration.get(byDuration[first - 1]) >= thresholdMs) first--;
  const count = n - first;
  const tailLayer = LAYERS.map(() => 0);
  const tailOwned = new Map<number, number>();
  let tailSum = 0;
  for (let j = first; j < n; j++) {
    const i = byDuration[j];
    tailSum += rec.duration.get(i);
    addRequest(rec, i, tailLayer, tailOwned);
  }
  const medLayer = LAYERS.map(() => 0);
  const medOwned = new Map<number, number>();
  addRequest(rec, median, medLayer, medOwned);
  const extraMs = tailSum / count - medianMs;
  let biggest: TailContributor | undefined;
  // By key text, so that ties go the same way whatever order the requests came in.
  const name = (k: number) => rec.keys.values[k];
  const keys = [...new Set([...tailOwned.keys(), ...medOwned.keys()])].sort((a, b) => (name(a) < name(b) ? -1 : 1));
  for (const k of keys) {
    const extra = (tailOwned.get(k) ?? 0) / count - (medOwned.get(k) ?? 0);
    // Below a nanosecond is float noise from summing, not time.
    if (extra > 1e-6 && (!biggest || extra > biggest.extraMs))
      biggest = { ...splitKey(rec.keys.values[k]), extraMs: extra };
  }
  const rows = layers.map((layer) => {
    const k = LAYERS.indexOf(layer);
    const medianShare = medianMs > 0 ? medLayer[k] / medianMs : 0;
    const tailShare = tailSum > 0 ? tailLayer[k] / tailSum : 0;
    return { layer, medianShare, tailShare, delta: tailShare - medianShare };
  });
  const out: Tail = { percentile: p, thresholdMs, medianMs, extraMs, layers: rows, sentence: '' };
  if (biggest) out.biggest = biggest;
  out.sentence = biggest
    ? `p${p} is ${formatMs(thresholdMs)}; ${formatMs(biggest.extraMs)} of the extra time is in ${biggest.service}'s \`${biggest.name}\``
    : `p${p} is ${formatMs(thresholdMs)}; the slowest ${100 - p}% spent no time beyond the median request (${formatMs(medianMs)})`;
  return out;
}

/** Adds request i's critical-path time per layer and per owned key. */
function addRequest(rec: RequestRecords, i: number, layer: number[], owned: Map<number, number>): void {
  const shape = rec.shapeOf(i);
  let at = rec.valuesAt(i);
  for (const k of shape.layers) layer[k] += rec.values.get(at++);
  at += shape.spans.length;
  for (const k of shape.owned) owned.set(k, (owned.get(k) ?? 0) + rec.values.get(at++));
}

/** `480 ms`, `12.5 ms`, `0.42 ms`, `2.3 s`: as many digits as a reader needs. */
export function formatMs(v: number): string {
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 10) return `${v.toFixed(1).replace(/\.0$/, '')} ms`;
  return `${v.toFixed(2).replace(/\.?0+$/, '')} ms`;
}
