// History of this session's probes, and the per-layer comparison of two of them.
import type { BurstCompareMessage, CompareMessage, HistoryEntry } from '../src/protocol/messages';
import { burstEntryText, renderBurstCompare } from './burst-compare';
import { el } from './dom';
import { formatClock, formatDiff, formatDuration } from './format';
import { icon } from './icons';
import { post } from './api';
import type { UiState } from './state';
import { LAYER_TITLE } from './model';

export interface HistoryEvents {
  open(id: string): void;
  toggleCompare(id: string, on: boolean): void;
  compare(): void;
}

/** The History tab for the panel's state: opening an entry and comparing two post to the host; ticking a box
 *  changes the state and calls `changed`. */
export function historyTab(s: UiState, changed: () => void): HTMLElement {
  return renderHistory(s.history, s.historyId, s.compareIds, s.compare, {
    open: (id) => post({ type: 'selectHistory', id }),
    toggleCompare: (id, on) => {
      const ids = s.compareIds.filter((x) => x !== id);
      if (on) ids.push(id);
      s.compareIds = ids.slice(-2);
      changed();
    },
    compare: () => {
      // Older entry on the left, so the difference reads as "what changed since".
      const order = s.history.map((h) => h.id);
      const [a, b] = [...s.compareIds].sort((x, y) => order.indexOf(y) - order.indexOf(x));
      post({ type: 'compare', leftId: a, rightId: b });
    },
  });
}

function statusCell(h: HistoryEntry): HTMLElement {
  if (h.burst) {
    const e = h.burst.errors;
    return el(
      'span',
      { class: `kt-status ${e ? 'kt-status--error' : 'kt-status--ok'}` },
      icon(e ? 'error' : 'check'),
      el('span', { text: `${h.burst.requests} requests, ${e} error${e === 1 ? '' : 's'}` }),
    );
  }
  if (h.error) return el('span', { class: 'kt-status kt-status--error' }, icon('error'), el('span', { text: h.error }));
  if (h.status === undefined) return el('span', { class: 'kt-muted', text: '—' });
  const bad = h.status >= 500;
  return el(
    'span',
    { class: `kt-status ${bad ? 'kt-status--error' : h.status >= 400 ? 'kt-status--warn' : 'kt-status--ok'}` },
    icon(bad ? 'error' : h.status >= 400 ? 'warning' : 'check'),
    el('span', { text: String(h.status) }),
  );
}

export function renderHistory(
  entries: readonly HistoryEntry[],
  currentId: string | undefined,
  chosen: readonly string[],
  compare: CompareMessage | BurstCompareMessage | undefined,
  ev: HistoryEvents,
): HTMLElement {
  const root = el('div', { class: 'kt-history' });
  if (!entries.length) {
    root.appendChild(
      el(
        'div',
        { class: 'kt-history-empty' },
        icon('history'),
        el('p', {
          text: 'No earlier probes in this session yet. Each probe you send is listed here, so two can be compared.',
        }),
      ),
    );
    return root;
  }
  const bar = el(
    'div',
    { class: 'kt-history-bar' },
    el('span', {
      class: 'kt-muted',
      text: mixed(entries, chosen)
        ? 'Compare two probes, or two bursts: not one of each.'
        : chosen.length === 2
          ? 'Two chosen.'
          : 'Tick two probes (or two bursts) to compare them.',
    }),
  );
  const cmp = el('vscode-button', { text: 'Compare' });
  const ready = chosen.length === 2 && !mixed(entries, chosen);
  if (!ready) cmp.setAttribute('disabled', '');
  cmp.addEventListener('click', () => {
    if (ready) ev.compare();
  });
  bar.appendChild(cmp);
  root.appendChild(bar);

  const table = el('table', { class: 'kt-table kt-history-table' });
  table.appendChild(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Compare', attrs: { scope: 'col' } }),
        el('th', { text: 'Time', attrs: { scope: 'col' } }),
        el('th', { text: 'Target', attrs: { scope: 'col' } }),
        el('th', { text: 'Status', attrs: { scope: 'col' } }),
        el('th', { class: 'kt-num', text: 'Duration', attrs: { scope: 'col' } }),
        el('th', { text: '', attrs: { scope: 'col' } }),
      ),
    ),
  );
  const body = el('tbody');
  for (const h of entries) {
    // The checkbox's input is named by its own <label>, which shows the slotted text: a visually hidden
    // name there is what a screen reader says (an aria-label on the host element does not reach the input).
    const name = `Compare ${h.target} at ${formatClock(h.time)}`;
    const box = el(
      'vscode-checkbox',
      { attrs: { 'aria-label': name } },
      el('span', { class: 'kt-visually-hidden', text: name }),
    );
    if (chosen.includes(h.id)) box.setAttribute('checked', '');
    box.addEventListener('change', () => ev.toggleCompare(h.id, (box as unknown as { checked: boolean }).checked));
    const open = el('vscode-button', { text: h.id === currentId ? 'Shown' : 'Open', attrs: { secondary: '' } });
    if (h.id === currentId) open.setAttribute('disabled', '');
    open.addEventListener('click', () => ev.open(h.id));
    body.appendChild(
      el(
        'tr',
        { class: h.id === currentId ? 'is-current' : '', attrs: { 'data-id': h.id } },
        el('td', {}, box),
        el('td', { text: formatClock(h.time), title: h.time }),
        el('td', {}, ...requestCell(h)),
        el('td', {}, statusCell(h)),
        el('td', {
          class: 'kt-num',
          text: h.burst ? burstEntryText(h) : h.durationMs === undefined ? '—' : formatDuration(h.durationMs),
        }),
        el('td', {}, open),
      ),
    );
  }
  table.appendChild(body);
  root.appendChild(table);
  if (compare) root.appendChild(compare.type === 'burstCompare' ? renderBurstCompare(compare) : renderCompare(compare));
  return root;
}

/** What was requested (`GET shop.test/orders/fail`), then the route it went through, quieter. */
function requestCell(h: HistoryEntry): HTMLElement[] {
  const what = `${h.method ? `${h.method} ` : ''}${h.url ?? h.target}`;
  return h.url
    ? [el('span', { text: what }), el('span', { class: 'kt-muted kt-history-route', text: ` via ${h.target}` })]
    : [el('span', { text: what })];
}

/** Two probes that asked different things: their times differ for more than one reason. */
function differentRequests(a: HistoryEntry, b: HistoryEntry): string | undefined {
  const show = (h: HistoryEntry) => `${h.method ?? ''} ${h.url ?? h.target}`.trim();
  if (show(a) === show(b)) return undefined;
  return `A and B are different requests (${show(a)}; ${show(b)}): compare their layers with that in mind.`;
}

/** One probe and one burst are chosen: they do not compare. */
function mixed(entries: readonly HistoryEntry[], chosen: readonly string[]): boolean {
  const kinds = new Set(chosen.map((id) => !!entries.find((h) => h.id === id)?.burst));
  return kinds.size > 1;
}

export function renderCompare(c: CompareMessage): HTMLElement {
  const name = (h: HistoryEntry) => `${h.method ? `${h.method} ` : ''}${h.url ?? h.target} at ${formatClock(h.time)}`;
  const differ = differentRequests(c.left, c.right);
  const table = el('table', { class: 'kt-table kt-compare-table' });
  table.appendChild(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'Layer', attrs: { scope: 'col' } }),
        el('th', { class: 'kt-num', text: 'A', title: name(c.left), attrs: { scope: 'col' } }),
        el('th', { class: 'kt-num', text: 'B', title: name(c.right), attrs: { scope: 'col' } }),
        el('th', { class: 'kt-num', text: 'Difference (B − A)', attrs: { scope: 'col' } }),
      ),
    ),
  );
  const body = el('tbody');
  for (const r of c.rows) {
    const ms = (v: number | undefined) => (v === undefined ? 'no spans' : formatDuration(v));
    let diff: HTMLElement;
    if (r.diffMs === undefined) diff = el('span', { class: 'kt-muted', text: '—' });
    else {
      const base =
        r.leftMs && r.leftMs > 0
          ? ` (${r.diffMs > 0 ? '+' : '−'}${Math.abs((r.diffMs / r.leftMs) * 100).toFixed(0)}%)`
          : '';
      const word = Math.abs(r.diffMs) < 0.05 ? 'same' : r.diffMs > 0 ? 'slower' : 'faster';
      diff = el(
        'span',
        { class: `kt-diff kt-diff--${word}` },
        el('span', { text: `${formatDiff(r.diffMs)}${base}` }),
        el('span', { class: 'kt-diff-word', text: ` ${word}` }),
      );
    }
    const layerCell =
      r.layer === 'total'
        ? el('th', { text: 'Whole trace', attrs: { scope: 'row' } })
        : el(
            'th',
            { class: `layer-${r.layer}`, attrs: { scope: 'row' } },
            el('span', { class: 'wf-swatch' }),
            el('span', { text: LAYER_TITLE[r.layer] }),
          );
    body.appendChild(
      el(
        'tr',
        { class: r.layer === 'total' ? 'is-total' : '' },
        layerCell,
        el('td', { class: 'kt-num', text: ms(r.leftMs) }),
        el('td', { class: 'kt-num', text: ms(r.rightMs) }),
        el('td', { class: 'kt-num' }, diff),
      ),
    );
  }
  table.appendChild(body);
  return el(
    'section',
    { class: 'kt-compare', attrs: { 'aria-label': 'Comparison' } },
    el('h3', { text: 'Comparison' }),
    el(
      'p',
      { class: 'kt-compare-legend' },
      el('span', { text: 'A: ' }),
      el('strong', { text: name(c.left) }),
      el('span', { text: ' · B: ' }),
      el('strong', { text: name(c.right) }),
    ),
    ...(differ ? [el('p', { class: 'kt-compare-note', text: differ, attrs: { role: 'note' } })] : []),
    table,
  );
}
