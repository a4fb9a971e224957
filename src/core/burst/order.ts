// Requests ordered by duration (ties by index), for tails and the report's list. A report of the 100 MB benchmark
// log orders half a million requests: a comparator sort there holds two work arrays of 8 bytes a request in V8's
// heap besides the copy, so this sorts numbers natively instead, in typed arrays freed as soon as it returns.

/** The distinct durations must stay below 2^21 so that a rank times 2^32 plus an index is an exact double. */
const MAX_RANKS = 2 ** 21;
const SHIFT = 2 ** 32;

/** `sel` (request indices, ascending) ordered by `duration(i)`, ties in index order: a stable sort. */
export function byDuration(sel: Uint32Array, duration: (i: number) => number): Uint32Array {
  const n = sel.length;
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    d[j] = duration(sel[j]);
    // NaN would sort apart from what a comparator does with it; keep the comparator's answer for such a set.
    if (!Number.isFinite(d[j])) return compared(sel, duration);
  }
  // The distinct durations, ascending (-0 and 0 are one: the comparator sees no difference either).
  const distinct = Float64Array.from(d).sort();
  let m = 0;
  for (let j = 0; j < n; j++) if (m === 0 || distinct[j] !== distinct[m - 1]) distinct[m++] = distinct[j];
  if (m >= MAX_RANKS) return compared(sel, duration);
  // Each request's key is its duration's rank, then its index: sorting the keys sorts the requests.
  for (let j = 0; j < n; j++) d[j] = rank(distinct, m, d[j]) * SHIFT + sel[j];
  d.sort();
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) out[j] = d[j] % SHIFT;
  return out;
}

function compared(sel: Uint32Array, duration: (i: number) => number): Uint32Array {
  return Uint32Array.from(sel).sort((a, b) => duration(a) - duration(b) || a - b);
}

/** The index of `v` among the first m (distinct, ascending) values. */
function rank(values: Float64Array, m: number, v: number): number {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
