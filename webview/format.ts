// Number and time formatting for the panel. Pure.

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${(ms * 1000).toFixed(a < 0.01 ? 2 : 0)} µs`;
  if (a < 10) return `${ms.toFixed(2)} ms`;
  if (a < 1000) return `${ms.toFixed(1)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** "+12.3 ms" / "−4.0 ms": the sign is always shown, so a difference never reads as a duration. */
export function formatDiff(ms: number): string {
  if (ms === 0) return '±0 ms';
  return `${ms > 0 ? '+' : '−'}${formatDuration(Math.abs(ms))}`;
}

/** A 1/2/5 × 10^n step giving about `target` intervals over `range`. */
export function niceStep(range: number, target: number): number {
  if (!(range > 0) || !(target > 0)) return 1;
  const raw = range / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

export function ticks(from: number, to: number, target: number): number[] {
  const step = niceStep(to - from, target);
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + step * 1e-9 && out.length < 200; t += step) out.push(t);
  return out;
}

export function formatTick(ms: number, step: number): string {
  const decimals = (x: number) => Math.max(0, Math.ceil(-Math.log10(x) - 1e-9));
  if (step >= 1000) return `${(ms / 1000).toFixed(decimals(step / 1000))} s`;
  return `${ms.toFixed(decimals(step))} ms`;
}

export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Attribute and event values as one line of text. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}
