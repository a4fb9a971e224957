// One recycled waterfall row: its parts are made once; painting only sets text, classes and CSSOM styles
// (no inline style attributes, which the panel's CSP refuses).
import type { Layer } from '../src/protocol/messages';
import { el, visible } from './dom';
import { formatDuration } from './format';
import { icon } from './icons';
import { LAYER_TITLE, shareText, type Row, type TraceView } from './model';

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

/** What the row shows in the name column (text, classes, ARIA) for a layer or a span row; the caller places it. */
export function fillRowText(
  e: RowEls,
  r: Row,
  view: TraceView,
  o: { collapsed: Set<string>; collapsedLayers: Set<Layer>; query: string; selected: number },
): { cls: string; start: number; end: number; expandable: boolean; expanded: boolean } {
  let cls = 'wf-row';
  let start: number;
  let end: number;
  let expandable: boolean;
  let expanded: boolean;
  if (r.kind === 'layer') {
    const g = r.group;
    const layer = g.layer;
    start = g.startMs;
    end = g.endMs;
    expandable = true;
    expanded = !o.collapsedLayers.has(layer);
    cls += ` wf-row--layer layer-${layer}`;
    e.indent.style.width = '0px';
    e.name.textContent = LAYER_TITLE[layer];
    e.service.textContent = `${r.count} span${r.count === 1 ? '' : 's'}`;
    e.badge.textContent = g.errors ? `${g.errors} error${g.errors === 1 ? '' : 's'}` : '';
    e.row.removeAttribute('title');
    e.row.setAttribute('aria-level', '1');
    e.row.setAttribute('aria-label', `${LAYER_TITLE[layer]} layer, ${r.count} spans, ${formatDuration(end - start)}`);
    e.row.removeAttribute('aria-selected');
  } else {
    const info = view.spans[r.i];
    const s = info.span;
    start = info.startMs;
    end = info.endMs;
    expandable = info.children.length > 0 && !o.query;
    expanded = expandable && !o.collapsed.has(s.spanId);
    cls += ` layer-${s.layer}`;
    if (info.error) cls += ' is-error';
    if (info.critical) cls += ' is-critical';
    if (r.context) cls += ' is-context';
    if (r.i === o.selected) cls += ' is-selected';
    e.indent.style.width = `${Math.min(r.depth, 24) * 14}px`;
    e.name.textContent = visible(s.name);
    // The service repeats down a subtree; say it only where it changes, so names get the room.
    e.service.textContent =
      info.parent >= 0 && view.spans[info.parent].span.service === s.service ? '' : visible(s.service);
    const share = shareText(info.criticalShare);
    e.row.title =
      visible(`${s.name} · ${s.service}`) + (share ? ` · owns ${share} of the request on the critical path` : '');
    e.badge.textContent = info.error ? 'error' : share;
    e.row.setAttribute('aria-level', String(r.depth + 2));
    const onPath = info.critical ? `, on the critical path${share ? `, owns ${share}` : ''}` : '';
    e.row.setAttribute(
      'aria-label',
      `${visible(s.name)}, ${visible(s.service)}, ${formatDuration(end - start)}${info.error ? ', error' : ''}${onPath}`,
    );
    e.row.setAttribute('aria-selected', String(r.i === o.selected));
  }
  return { cls, start, end, expandable, expanded };
}
