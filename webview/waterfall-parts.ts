// The waterfall's fixed DOM: header (name column title, axis with its zoom brush, column splitter), the scroller
// whose window holds the recycled rows, the grid behind them, and the "no span matches" note.
import { el } from './dom';

export interface WaterfallParts {
  root: HTMLElement;
  headTitle: HTMLSpanElement;
  headLabel: HTMLDivElement;
  splitter: HTMLDivElement;
  brush: HTMLDivElement;
  axis: HTMLDivElement;
  grid: HTMLDivElement;
  noMatch: HTMLElement;
  win: HTMLDivElement;
  spacer: HTMLDivElement;
  scroller: HTMLDivElement;
}

export function makeParts(): WaterfallParts {
  const headTitle = el('span', { class: 'wf-head-title', text: 'Span' });
  const headLabel = el('div', { class: 'wf-head-label' }, headTitle);
  const splitter = el('div', {
    class: 'wf-splitter',
    role: 'separator',
    tabIndex: 0,
    title: 'Drag to resize the span names (double-click resets)',
    attrs: { 'aria-label': 'Span name column width', 'aria-orientation': 'vertical' },
  });
  const brush = el('div', { class: 'wf-brush', attrs: { hidden: '' } });
  const axis = el('div', {
    class: 'wf-axis',
    title: 'Drag across the axis to zoom into a time range',
    attrs: { 'aria-hidden': 'true' },
  });
  const grid = el('div', { class: 'wf-grid', attrs: { 'aria-hidden': 'true' } });
  const noMatch = el('p', { class: 'wf-nomatch', attrs: { role: 'status', hidden: '' } });
  const win = el('div', { class: 'wf-window' });
  const spacer = el('div', { class: 'wf-spacer' }, win);
  const scroller = el(
    'div',
    { class: 'wf-scroll', role: 'tree', tabIndex: 0, attrs: { 'aria-label': 'Spans by layer' } },
    spacer,
  );
  const root = el(
    'section',
    { class: 'wf', attrs: { 'aria-label': 'Waterfall' } },
    el('div', { class: 'wf-head' }, headLabel, el('div', { class: 'wf-axis-wrap' }, axis, brush), splitter),
    el('div', { class: 'wf-body' }, grid, scroller, noMatch),
  );
  return { root, headTitle, headLabel, splitter, brush, axis, grid, noMatch, win, spacer, scroller };
}
