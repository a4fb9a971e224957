// The request-set view's tables: span names (virtualized, it grows with the set), upstream pods, failures by
// status and layer. Every value goes in as text.
import type { BurstReport, ErrorStats, PodStats, SpanStats } from '../src/protocol/messages';
import { el } from './dom';
import { formatCount, formatDuration } from './format';
import { LAYER_TITLE } from './model';
import { VirtualTable } from './burst-table';

/** Rows of a plain table beyond this are counted, not drawn (a log can name thousands of pods). */
const PLAIN_ROWS = 200;

export function spanTable(): VirtualTable<SpanStats> {
  const d = (k: 'p50' | 'p90' | 'p99' | 'max') => ({
    title: k,
    width: '84px',
    num: true,
    text: (s: SpanStats) => formatDuration(s[k]),
    sort: (s: SpanStats) => s[k],
  });
  return new VirtualTable<SpanStats>({
    label: 'Spans by name',
    sortBy: 6,
    columns: [
      {
        title: 'Layer',
        width: '112px',
        text: (s) => LAYER_TITLE[s.layer],
        cls: (s) => `kt-vt-layer layer-${s.layer}`,
        sort: (s) => s.layer,
      },
      { title: 'Span', width: 'minmax(0, 1.4fr)', text: (s) => s.name, sort: (s) => s.name },
      { title: 'Service', width: 'minmax(0, 1fr)', text: (s) => s.service, sort: (s) => s.service },
      { title: 'Count', width: '72px', num: true, text: (s) => formatCount(s.count), sort: (s) => s.count },
      d('p50'),
      d('p90'),
      d('p99'),
      d('max'),
    ],
    rowTitle: (s) => `${s.service} ${s.name}`,
  });
}

function table(label: string, head: string[], numeric: number[], rows: HTMLElement[], total: number): HTMLElement {
  const t = el(
    'table',
    { class: 'kt-table kt-burst-table', attrs: { 'aria-label': label } },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...head.map((h, i) =>
          el('th', { class: numeric.includes(i) ? 'kt-num' : '', text: h, attrs: { scope: 'col' } }),
        ),
      ),
    ),
    el('tbody', {}, ...rows),
  );
  const more =
    total > rows.length
      ? el('p', { class: 'kt-muted', text: `${formatCount(total - rows.length)} more not shown.` })
      : null;
  return el('div', { class: 'kt-burst-table-wrap' }, t, more);
}

export function podTable(pods: readonly PodStats[]): HTMLElement {
  if (!pods.length) return el('p', { class: 'kt-muted', text: 'No upstream pod is known for these requests.' });
  const sorted = [...pods].sort((a, b) => b.p99 - a.p99).slice(0, PLAIN_ROWS);
  const rows = sorted.map((p) =>
    el(
      'tr',
      {},
      el('th', { text: p.pod, title: p.pod, attrs: { scope: 'row' } }),
      el('td', { class: 'kt-num', text: formatCount(p.count) }),
      el('td', { class: 'kt-num', text: formatDuration(p.p50) }),
      el('td', { class: 'kt-num', text: formatDuration(p.p99) }),
      el('td', { class: `kt-num${p.errors ? ' is-error' : ''}`, text: formatCount(p.errors) }),
    ),
  );
  return table(
    'Requests by upstream pod',
    ['Pod', 'Requests', 'p50', 'p99', 'Errors'],
    [1, 2, 3, 4],
    rows,
    pods.length,
  );
}

export function failureTable(failures: readonly ErrorStats[]): HTMLElement {
  if (!failures.length) return el('p', { class: 'kt-muted', text: 'No request failed.' });
  const sorted = [...failures].sort((a, b) => b.count - a.count).slice(0, PLAIN_ROWS);
  const rows = sorted.map((f) =>
    el(
      'tr',
      {},
      el('th', { text: f.status === undefined ? 'no response' : String(f.status), attrs: { scope: 'row' } }),
      el(
        'td',
        { class: `layer-${f.layer}` },
        el('span', { class: 'wf-swatch' }),
        el('span', { text: ` ${LAYER_TITLE[f.layer]}` }),
      ),
      el('td', { class: 'kt-num', text: formatCount(f.count) }),
      el('td', { class: 'kt-burst-example', text: f.example ?? '', title: f.example ?? '' }),
    ),
  );
  return table(
    'Failures by status and layer',
    ['Status', 'Failed in', 'Requests', 'Example'],
    [2],
    rows,
    failures.length,
  );
}

export function retriesNote(r: BurstReport): HTMLElement | null {
  const total = r.retries.reduce((a, x) => a + x.retries, 0);
  if (!total) return null;
  const top = [...r.retries].sort((a, b) => b.retries - a.retries).slice(0, 3);
  const most = top.map((x) => `${x.upstream} (${formatCount(x.retries)})`).join(', ');
  return el('p', { class: 'kt-muted', text: `${formatCount(total)} retries by the ingress; most to ${most}.` });
}
