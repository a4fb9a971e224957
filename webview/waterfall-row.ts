// One recycled waterfall row: its parts are made once; painting only sets text, classes and CSSOM styles
// (no inline style attributes, which the panel's CSP refuses).
import { el } from './dom';
import { formatDuration } from './format';
import { icon } from './icons';

export interface RowEls {
  row: HTMLDivElement;
  indent: HTMLSpanElement;
  twisty: HTMLSpanElement;
  name: HTMLSpanElement;
  service: HTMLSpanElement;
  badge: HTMLSpanElement;
  bar: HTMLDivElement;
  dur: HTMLSpanElement;
  key: string;
  pos: number;
  used: number;
}

export function makeRow(): RowEls {
  const indent = el('span', { class: 'wf-indent' });
  const twisty = el('span', { class: 'wf-twisty' }, icon('chevronRight'));
  const flags = el(
    'span',
    { class: 'wf-flags' },
    el('span', { class: 'wf-swatch' }),
    icon('error', 'wf-flag-error'),
    icon('flame', 'wf-flag-critical'),
  );
  const name = el('span', { class: 'wf-name' });
  const service = el('span', { class: 'wf-service' });
  const badge = el('span', { class: 'wf-badge' });
  const bar = el('div', { class: 'wf-bar' });
  const dur = el('span', { class: 'wf-dur' });
  const row = el(
    'div',
    { class: 'wf-row', role: 'treeitem' },
    el('div', { class: 'wf-label' }, indent, twisty, flags, name, service, badge),
    el('div', { class: 'wf-track' }, bar, dur),
  );
  row.hidden = true;
  return { row, indent, twisty, name, service, badge, bar, dur, key: '', pos: -1, used: 0 };
}

/** Positions the bar for [start, end] (ms) in the visible range [a, b], and its duration label beside or inside it. */
export function placeBar(
  e: RowEls,
  start: number,
  end: number,
  a: number,
  b: number,
  trackW: number,
  x: (ms: number) => number,
): void {
  const dur = formatDuration(end - start);
  e.dur.textContent = dur;
  if (end < a || start > b) {
    e.bar.hidden = true;
    e.dur.className = 'wf-dur is-offscreen';
    e.dur.style.left = '0px';
    e.dur.style.right = '';
    return;
  }
  e.bar.hidden = false;
  const left = Math.max(0, x(start));
  const right = Math.min(trackW, x(end));
  const width = Math.max(2, right - left);
  e.bar.style.left = `${left}px`;
  e.bar.style.width = `${width}px`;
  const labelW = dur.length * 7 + 8;
  if (left + width + 6 + labelW <= trackW) {
    e.dur.className = 'wf-dur';
    e.dur.style.right = '';
    e.dur.style.left = `${left + width + 6}px`;
  } else if (left >= labelW + 6) {
    e.dur.className = 'wf-dur';
    e.dur.style.left = '';
    e.dur.style.right = `${trackW - left + 6}px`;
  } else {
    e.dur.className = 'wf-dur is-inside';
    e.dur.style.left = '';
    e.dur.style.right = `${Math.max(4, trackW - right + 6)}px`;
  }
}
