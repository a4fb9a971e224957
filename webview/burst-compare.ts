// Two request sets side by side in the History tab: what differs between them, worst first, as compareBursts
// (src/core/burst/) found it.
import type { BurstCompareMessage, HistoryEntry } from '../src/protocol/messages';
import { el } from './dom';
import { formatClock, formatCount, formatDuration } from './format';
import { icon } from './icons';

const RANK = { error: 0, warning: 1, info: 2 } as const;

const name = (h: HistoryEntry) => `${h.target} at ${formatClock(h.time)}`;
const side = (v: number | string | undefined) =>
  v === undefined ? '—' : typeof v === 'number' ? formatCount(Math.round(v * 100) / 100) : v;

export function burstEntryText(h: HistoryEntry): string {
  const b = h.burst;
  return b ? `p50 ${formatDuration(b.p50Ms)} · p99 ${formatDuration(b.p99Ms)}` : '';
}

export function renderBurstCompare(c: BurstCompareMessage): HTMLElement {
  const head = el(
    'p',
    { class: 'kt-compare-legend' },
    el('span', { text: 'A: ' }),
    el('strong', { text: name(c.left) }),
    el('span', { text: ' · B: ' }),
    el('strong', { text: name(c.right) }),
  );
  const body = el('tbody');
  const rows = [...c.differences].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  for (const d of rows) {
    body.appendChild(
      el(
        'tr',
        { class: `kt-diff-row kt-diff-row--${d.severity}` },
        el(
          'th',
          { attrs: { scope: 'row' } },
          icon(d.severity === 'info' ? 'info' : d.severity),
          el('span', { text: ` ${d.what}` }),
        ),
        el('td', { class: 'kt-num', text: side(d.a) }),
        el('td', { class: 'kt-num', text: side(d.b) }),
      ),
    );
  }
  const table = el(
    'table',
    { class: 'kt-table kt-compare-table kt-burst-compare' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { text: 'What differs', attrs: { scope: 'col' } }),
        el('th', { class: 'kt-num', text: 'A', title: name(c.left), attrs: { scope: 'col' } }),
        el('th', { class: 'kt-num', text: 'B', title: name(c.right), attrs: { scope: 'col' } }),
      ),
    ),
    body,
  );
  return el(
    'section',
    { class: 'kt-compare', attrs: { 'aria-label': 'Comparison of two request sets' } },
    el('h3', { text: 'Comparison of two request sets' }),
    head,
    c.equal || !rows.length ? el('p', { text: 'No difference worth noting: the two sets behave alike.' }) : table,
  );
}
