// The latency histogram of the whole request: the report's log-scale bins on a log-scale x axis, with the median
// and the tail's threshold marked. A bounded SVG: one rect per bin (the report caps bins at 1,000).
import type { BurstReport } from '../src/protocol/messages';
import { formatCount, formatDuration, formatTick } from './format';
import { logTicks, svg, tip } from './burst-svg';
import { histogramOf } from './burst-model';

const H = 170;
const PAD = { left: 44, right: 12, top: 16, bottom: 26 };

export interface Mark {
  label: string;
  ms: number;
}

export function renderHistogram(report: BurstReport, marks: Mark[], width: number): SVGSVGElement {
  const bins = trimmed(histogramOf(report));
  const root = svg('svg', {
    class: 'kt-hist',
    width,
    height: H,
    viewBox: `0 0 ${width} ${H}`,
    role: 'img',
    'aria-label': describe(report, marks),
  });
  if (!bins.length) {
    root.appendChild(
      svg('text', { x: width / 2, y: H / 2, 'text-anchor': 'middle', class: 'kt-chart-note' }, 'No requests yet'),
    );
    return root;
  }
  const lo = Math.max(1e-3, Math.min(...bins.map((b) => (b.lowerMs > 0 ? b.lowerMs : b.upperMs / 2))));
  const hi = Math.max(lo * 10, ...bins.map((b) => b.upperMs));
  const plotW = Math.max(40, width - PAD.left - PAD.right);
  const plotH = H - PAD.top - PAD.bottom;
  const x = (ms: number) => PAD.left + ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / Math.log10(hi / lo)) * plotW;
  const top = Math.max(1, ...bins.map((b) => b.count));
  const y = (n: number) => PAD.top + plotH - (n / top) * plotH;

  for (const t of countTicks(top)) {
    root.appendChild(svg('line', { x1: PAD.left, x2: PAD.left + plotW, y1: y(t), y2: y(t), class: 'kt-grid' }));
    root.appendChild(
      svg('text', { x: PAD.left - 6, y: y(t) + 4, 'text-anchor': 'end', class: 'kt-tick' }, formatCount(t)),
    );
  }
  for (const b of bins) {
    if (!b.count) continue;
    const x0 = x(b.lowerMs);
    const r = svg('rect', {
      x: x0 + 0.5,
      y: y(b.count),
      width: Math.max(1, x(b.upperMs) - x0 - 1),
      height: Math.max(1, PAD.top + plotH - y(b.count)),
      class: 'kt-hist-bar',
    });
    tip(r, `${formatDuration(b.lowerMs)} – ${formatDuration(b.upperMs)}: ${formatCount(b.count)} requests`);
    root.appendChild(r);
  }
  root.appendChild(
    svg('line', { x1: PAD.left, x2: PAD.left + plotW, y1: PAD.top + plotH, y2: PAD.top + plotH, class: 'kt-axis' }),
  );
  for (const t of logTicks(lo, hi)) {
    root.appendChild(
      svg('line', { x1: x(t), x2: x(t), y1: PAD.top + plotH, y2: PAD.top + plotH + 4, class: 'kt-axis' }),
    );
    root.appendChild(
      svg(
        'text',
        { x: x(t), y: H - 8, 'text-anchor': 'middle', class: 'kt-tick' },
        formatTick(t, t >= 1000 ? 1000 : t),
      ),
    );
  }
  for (const m of marks) {
    if (!(m.ms > 0)) continue;
    const mx = x(m.ms);
    const line = svg('line', { x1: mx, x2: mx, y1: PAD.top - 4, y2: PAD.top + plotH, class: 'kt-hist-mark' });
    tip(line, `${m.label}: ${formatDuration(m.ms)}`);
    root.appendChild(line);
    const anchor = mx > PAD.left + plotW - 60 ? 'end' : 'start';
    root.appendChild(
      svg(
        'text',
        { x: mx + (anchor === 'end' ? -3 : 3), y: PAD.top + 6, 'text-anchor': anchor, class: 'kt-hist-mark-text' },
        m.label,
      ),
    );
  }
  return root;
}

/** Empty bins before the first and after the last non-empty one take no room. */
function trimmed(bins: BurstReport['histogram']): BurstReport['histogram'] {
  const first = bins.findIndex((b) => b.count > 0);
  if (first < 0) return [];
  let last = bins.length - 1;
  while (last > first && bins[last].count === 0) last--;
  return bins.slice(first, last + 1);
}

function countTicks(top: number): number[] {
  if (top <= 4) return Array.from({ length: top }, (_, i) => i + 1);
  const step = 10 ** Math.floor(Math.log10(top / 2));
  const s = top / step > 10 ? step * 5 : top / step > 5 ? step * 2 : step;
  const out: number[] = [];
  for (let t = s; t <= top; t += s) out.push(t);
  return out;
}

function describe(r: BurstReport, marks: Mark[]): string {
  const m = marks.map((k) => `${k.label} ${formatDuration(k.ms)}`).join(', ');
  return `Latency histogram of ${formatCount(r.requests)} requests, log scale${m ? `: ${m}` : ''}`;
}
