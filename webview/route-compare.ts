// "Compare With Route...": the same request through two routes (an Ingress and the HTTPRoute replacing it, say).
// The verdict and what differs first, then what the migration did not carry over and the time by layer; below,
// the first probe's waterfall of each side, A above B. A span opened (Enter, double-click) opens that side's trace
// in the Trace view, where its sources open: the waterfalls here are for looking, the host checks sources there.
import type { CompareSide, Difference, Layer, RouteCompareMessage, Trace } from '../src/protocol/messages';
import { button, el, replaceChildren } from './dom';
import { formatDiff, formatDuration } from './format';
import { icon } from './icons';
import { buildTraceView, LAYER_TITLE } from './model';
import { Waterfall } from './waterfall';
import { LAYERS } from '../src/protocol/vocabulary';

export interface RouteCompareEvents {
  /** Show the trace of this history entry in the Trace view. */
  openTrace(historyId: string): void;
}

const RANK = { error: 0, warning: 1, info: 2 } as const;
const ms = (v: number | undefined) => (v === undefined ? '—' : formatDuration(v));
const value = (v: string | number | undefined) => (v === undefined ? '(absent)' : String(v));
const probes = (s: CompareSide) => `${s.traceIds.length} probe${s.traceIds.length === 1 ? '' : 's'}`;

/** The verdict as the CLI says it: info rows (time) never make two routes differ. */
export function verdict(m: RouteCompareMessage): string {
  const n = m.comparison.differences.filter((d) => d.severity !== 'info').length;
  return m.comparison.equal ? 'The routes answer alike' : `The routes differ: ${n} difference${n === 1 ? '' : 's'}`;
}

/** Columns from `numFrom` on hold numbers (right-aligned, header too). */
function table(cls: string, label: string, cols: string[], numFrom: number, rows: HTMLElement[]): HTMLTableElement {
  return el(
    'table',
    { class: `kt-table kt-compare-table ${cls}`, attrs: { 'aria-label': label } },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...cols.map((c, i) => el('th', { class: i >= numFrom ? 'kt-num' : '', text: c, attrs: { scope: 'col' } })),
      ),
    ),
    el('tbody', {}, ...rows),
  );
}

function differenceRow(d: Difference): HTMLElement {
  return el(
    'tr',
    { class: `kt-diff-row kt-diff-row--${d.severity}` },
    el('td', { class: 'kt-rcmp-sev' }, icon(d.severity), el('span', { text: ` ${d.severity}` })),
    el('th', { text: d.what, attrs: { scope: 'row' } }),
    el('td', { class: 'kt-rcmp-val', text: value(d.a) }),
    el('td', { class: 'kt-rcmp-val', text: value(d.b) }),
  );
}

function layerRows(a: CompareSide, b: CompareSide): HTMLElement[] {
  const rows: HTMLElement[] = [];
  for (const layer of [...LAYERS, 'total'] as const) {
    const x = a.layers[layer];
    const y = b.layers[layer];
    if (x === undefined && y === undefined) continue;
    const name =
      layer === 'total'
        ? el('th', { text: 'Whole exchange', attrs: { scope: 'row' } })
        : el(
            'th',
            { class: `layer-${layer}`, attrs: { scope: 'row' } },
            el('span', { class: 'wf-swatch' }),
            el('span', { text: LAYER_TITLE[layer as Layer] }),
          );
    rows.push(
      el(
        'tr',
        { class: layer === 'total' ? 'is-total' : '' },
        name,
        el('td', { class: 'kt-num', text: ms(x) }),
        el('td', { class: 'kt-num', text: ms(y) }),
        el('td', { class: 'kt-num', text: x !== undefined && y !== undefined ? formatDiff(y - x) : '—' }),
      ),
    );
  }
  return rows;
}

function sideLine(tag: string, s: CompareSide): HTMLElement {
  return el(
    'p',
    { class: 'kt-rcmp-side' },
    el('strong', { text: `${tag}: ${s.route}` }),
    el('span', { text: ` ${s.url ? `${s.url} ` : ''}→ ${s.status} (${probes(s)}, median ${ms(s.medianMs)})` }),
  );
}

interface Side {
  head: HTMLElement;
  wf: Waterfall;
  id?: string;
}

export class RouteCompareView {
  readonly root = el('div', { class: 'kt-rcmp', attrs: { hidden: '' } });
  private readonly summary = el('div', { class: 'kt-rcmp-summary' });
  private sides: Side[] = [];

  constructor(private readonly ev: RouteCompareEvents) {
    this.root.append(this.summary);
  }

  /** The waterfalls are made on the first comparison: until then the panel has one waterfall, the trace's. */
  private makeSides(): Side[] {
    return [0, 1].map(() => {
      const side: Side = {
        head: el('header', { class: 'kt-rcmp-wf-head' }),
        wf: new Waterfall({
          select: () => {},
          open: () => side.id && this.ev.openTrace(side.id),
          changed: () => {},
        }),
      };
      this.root.append(
        el('section', { class: 'kt-rcmp-wf' }, side.head, el('div', { class: 'kt-rcmp-wf-body' }, side.wf.root)),
      );
      return side;
    });
  }

  show(m: RouteCompareMessage): void {
    if (!this.sides.length) this.sides = this.makeSides();
    const c = m.comparison;
    const diffs = [...c.differences].sort((x, y) => RANK[x.severity] - RANK[y.severity]);
    replaceChildren(
      this.summary,
      el(
        'h2',
        { class: `kt-rcmp-verdict ${c.equal ? 'is-equal' : 'is-different'}` },
        icon(c.equal ? 'check' : 'error'),
        el('span', { text: ` ${verdict(m)}` }),
      ),
      sideLine('A', c.a),
      sideLine('B', c.b),
      diffs.length
        ? table('kt-rcmp-diffs', 'Differences', ['Severity', 'What', 'A', 'B'], 4, diffs.map(differenceRow))
        : el('p', { text: 'No differences in status, headers, body, backends, TLS or propagation.' }),
      c.notCarriedOver.length
        ? el(
            'section',
            { class: 'kt-rcmp-nco', attrs: { 'aria-label': 'Not carried over' } },
            el('h3', { text: 'Not carried over (read from the objects, nothing sent)' }),
            el(
              'ul',
              {},
              ...c.notCarriedOver.map((n) =>
                el('li', {}, el('strong', { text: n.what }), el('span', { text: `: ${n.detail}` })),
              ),
            ),
          )
        : null,
      el('h3', { text: 'Time by layer (median)' }),
      table('kt-rcmp-layers', 'Time by layer, median', ['Layer', 'A', 'B', 'B − A'], 1, layerRows(c.a, c.b)),
    );
    [
      [m.a, c.a, m.aHistoryId],
      [m.b, c.b, m.bHistoryId],
    ].forEach(([trace, side, id], i) =>
      this.showSide(i, trace as Trace, side as CompareSide, id as string | undefined),
    );
  }

  private showSide(i: number, trace: Trace, s: CompareSide, id: string | undefined): void {
    const side = this.sides[i];
    const tag = i ? 'B' : 'A';
    side.id = id;
    replaceChildren(
      side.head,
      el('h3', { text: `${tag}: ${s.route} → ${s.status}` }),
      el('span', { class: 'kt-muted', text: `first of ${probes(s)}, trace ${trace.traceId}` }),
      // Only when the host can show that trace: no button that does nothing.
      id
        ? button('Open in Trace view', () => this.ev.openTrace(id), {
            class: 'kt-tool',
            title: `Open trace ${tag} with its span details and sources`,
          })
        : null,
    );
    side.wf.root.setAttribute('aria-label', `Waterfall of ${tag}: ${s.route}`);
    side.wf.setView(buildTraceView(trace));
  }
}
