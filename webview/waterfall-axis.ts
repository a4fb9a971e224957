// The waterfall's geometry: how wide the span-name column is, and the time axis with its ticks and grid lines.
import { el } from './dom';
import { formatTick, niceStep, ticks } from './format';

/** The span-name column: a share of the width by default, or what the user dragged the splitter to. */
const LABEL_SHARE = 0.42;
export const LABEL_MIN = 160;
const LABEL_DEFAULT_MIN = 220;
const LABEL_MAX = 640;
const TRACK_MIN = 160;

/** The widest the name column may be in a waterfall `w` pixels wide (the bars keep TRACK_MIN). */
export const labelMax = (w: number): number => Math.max(LABEL_MIN, Math.min(LABEL_MAX, w - TRACK_MIN));

/** A width the user asked for, within the column's bounds. */
export const clampLabel = (px: number): number => Math.round(Math.max(LABEL_MIN, Math.min(LABEL_MAX, px)));

/** The name column's width for a waterfall `w` pixels wide, honouring the user's width where it fits. */
export function labelWidth(w: number, userWidth: number | undefined): number {
  const want = userWidth ?? Math.max(Math.min(LABEL_DEFAULT_MIN, w * 0.55), w * (w < 640 ? 0.5 : LABEL_SHARE));
  return Math.round(Math.max(Math.min(LABEL_MIN, w * 0.5), Math.min(labelMax(w), want)));
}

/** Ticks on the axis and grid lines behind the bars, about one per 90 px of the track. */
export function drawTicks(
  axis: HTMLElement,
  grid: HTMLElement,
  [a, b]: [number, number],
  trackW: number,
  x: (ms: number) => number,
): void {
  const target = Math.max(2, Math.floor(trackW / 90));
  const step = niceStep(b - a, target);
  axis.replaceChildren();
  grid.replaceChildren();
  for (const t of ticks(a, b, target)) {
    const left = `${x(t)}px`;
    const tick = el('div', { class: 'wf-tick' }, el('span', { class: 'wf-tick-label', text: formatTick(t, step) }));
    tick.style.left = left;
    axis.appendChild(tick);
    const line = el('div', { class: 'wf-gridline' });
    line.style.left = left;
    grid.appendChild(line);
  }
}
