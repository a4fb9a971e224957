// What the details pane shows before a span is chosen: time per layer, and how to go on.
import { unionMs } from '../src/protocol/compare';
import { el } from './dom';
import { formatDuration } from './format';
import { LAYER_TITLE, type TraceView } from './model';

export function overview(view: TraceView): HTMLElement {
  const total = view.totalMs;
  const rows = el('tbody');
  for (const g of view.groups) {
    const ms = unionMs(g.order.map((i): [number, number] => [view.spans[i].startMs, view.spans[i].endMs]));
    const meter = el('span', { class: 'kt-meter-fill' });
    meter.style.width = `${total > 0 ? Math.max(1, (ms / total) * 100) : 0}%`;
    rows.appendChild(
      el(
        'tr',
        { class: `layer-${g.layer}` },
        el(
          'th',
          { attrs: { scope: 'row' } },
          el('span', { class: 'wf-swatch' }),
          el('span', { text: LAYER_TITLE[g.layer] }),
        ),
        // The span count goes under the time, not in a column of its own: beside a 300 px details pane, a fourth
        // column left the meters a few pixels wide.
        el(
          'td',
          { class: 'kt-num' },
          el('span', { text: formatDuration(ms) }),
          el('span', {
            class: 'kt-overview-count kt-muted',
            text: `${g.order.length} span${g.order.length === 1 ? '' : 's'}`,
          }),
        ),
        el('td', { class: 'kt-meter-cell' }, el('span', { class: 'kt-meter' }, meter)),
      ),
    );
  }
  return el(
    'div',
    { class: 'kt-overview' },
    el('h2', { class: 'kt-details-title', text: 'Time by layer' }),
    el('table', { class: 'kt-table kt-overview-table' }, rows),
    el('p', {
      class: 'kt-muted',
      text: 'Layers overlap in time (the ingress waits for the app), so the rows do not add up to the total.',
    }),
    el('p', {
      class: 'kt-hint',
      text:
        'Select a span in the waterfall to see its attributes, logs and ' +
        'source. Double-click a span, or press Enter, to open its source.',
    }),
  );
}
