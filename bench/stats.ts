// Small statistics for benches: medians and percentiles of samples.
export function median(xs: number[]): number {
  return percentile(xs, 50);
}
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}
