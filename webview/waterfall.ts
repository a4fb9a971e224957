// The waterfall: a virtualized list of rows (only the visible ones exist in the DOM, recycled on scroll),
// a time axis with ticks, zoom, and keyboard navigation. Bars are placed through CSSOM (style.left/width),
// which the CSP allows; nothing here builds markup from strings.
import type { Layer } from '../src/protocol/messages';
import { el, visible } from './dom';
import { formatDuration, formatTick, niceStep, ticks } from './format';
import { buildRows, LAYER_TITLE, shareText, type Row, type TraceView } from './model';
import { attachBrush, attachSplitter, handleKey } from './waterfall-input';
import { makeRow, placeBar, type RowEls } from './waterfall-row';

export const ROW_HEIGHT = 24;
const OVERSCAN = 8;
/** The span-name column: a share of the width by default, or what the user dragged the splitter to. */
const LABEL_SHARE = 0.42;
const LABEL_MIN = 160;
const LABEL_DEFAULT_MIN = 220;
const LABEL_MAX = 640;
const TRACK_MIN = 160;
const MIN_RANGE_MS = 0.001;

export interface WaterfallEvents {
  select(spanIndex: number): void;
  open(spanIndex: number): void;
  changed(): void;
}

export class Waterfall {
  readonly root: HTMLElement;
  collapsed = new Set<string>();
  collapsedLayers = new Set<Layer>();
  hiddenLayers = new Set<Layer>();
  query = '';
  zoom: [number, number] | undefined;
  selected = -1;
  matches = 0;
  private readonly noMatch: HTMLElement;
  /** Width the user gave the span-name column with the splitter; undefined = proportional default. */
  labelWidth: number | undefined;
  private view: TraceView | undefined;
  private rows: Row[] = [];
  private active = -1;
  private pool: RowEls[] = [];
  private trackW = 600;
  private labelW = 340;
  private rootW = 0;
  private viewH = 600;
  /** scrollTop, cached: reading it after a DOM change would force a layout on every paint */
  private top = 0;
  private generation = 0;
  private readonly axis: HTMLDivElement;
  private readonly brush: HTMLDivElement;
  private readonly grid: HTMLDivElement;
  private readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly win: HTMLDivElement;
  private readonly headLabel: HTMLDivElement;
  private readonly headTitle: HTMLSpanElement;
  private readonly splitter: HTMLDivElement;

  constructor(private readonly ev: WaterfallEvents) {
    this.headTitle = el('span', { class: 'wf-head-title', text: 'Span' });
    this.headLabel = el('div', { class: 'wf-head-label' }, this.headTitle);
    this.splitter = el('div', {
      class: 'wf-splitter',
      role: 'separator',
      tabIndex: 0,
      title: 'Drag to resize the span names (double-click resets)',
      attrs: { 'aria-label': 'Span name column width', 'aria-orientation': 'vertical' },
    });
    this.brush = el('div', { class: 'wf-brush', attrs: { hidden: '' } });
    this.axis = el('div', {
      class: 'wf-axis',
      title: 'Drag across the axis to zoom into a time range',
      attrs: { 'aria-hidden': 'true' },
    });
    this.grid = el('div', { class: 'wf-grid', attrs: { 'aria-hidden': 'true' } });
    this.noMatch = el('p', { class: 'wf-nomatch', attrs: { role: 'status', hidden: '' } });
    this.win = el('div', { class: 'wf-window' });
    this.spacer = el('div', { class: 'wf-spacer' }, this.win);
    this.scroller = el(
      'div',
      { class: 'wf-scroll', role: 'tree', tabIndex: 0, attrs: { 'aria-label': 'Spans by layer' } },
      this.spacer,
    );
    this.root = el(
      'section',
      { class: 'wf', attrs: { 'aria-label': 'Waterfall' } },
      el(
        'div',
        { class: 'wf-head' },
        this.headLabel,
        el('div', { class: 'wf-axis-wrap' }, this.axis, this.brush),
        this.splitter,
      ),
      el('div', { class: 'wf-body' }, this.grid, this.scroller, this.noMatch),
    );
    this.scroller.addEventListener('scroll', () => {
      this.top = this.scroller.scrollTop;
      this.paint();
    });
    this.scroller.addEventListener('click', (e) => this.onClick(e));
    this.scroller.addEventListener('dblclick', (e) => this.onDblClick(e));
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('focus', () => {
      if (this.active < 0 && this.rows.length) this.setActive(this.firstSpanRow());
    });
    attachBrush(this.axis, this.brush, {
      trackW: () => this.trackW,
      range: () => this.range,
      setZoom: (z) => this.setZoom(z),
    });
    attachSplitter(this.splitter, {
      labelW: () => this.labelW,
      setLabelWidth: (px) => this.setLabelWidth(px),
      changed: () => this.ev.changed(),
    });
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  get scrollElement(): HTMLElement {
    return this.scroller;
  }
  get rowCount(): number {
    return this.rows.length;
  }
  get range(): [number, number] {
    const total = Math.max(this.view?.totalMs ?? 0, MIN_RANGE_MS);
    return this.zoom ?? [0, total];
  }

  setView(view: TraceView | undefined): void {
    this.view = view;
    this.active = -1;
    this.refresh();
  }

  /** Rebuild rows after a change of trace, filter, collapse or layer toggles; keeps the selection in view. */
  refresh(): void {
    const r = this.view ? buildRows(this.view, this) : { rows: [], matches: 0 };
    this.rows = r.rows;
    this.matches = r.matches;
    // A filter or layer toggles that leave nothing: say so instead of an empty waterfall.
    const empty = !!this.view && this.rows.length === 0;
    this.noMatch.hidden = !empty;
    this.noMatch.textContent = !empty
      ? ''
      : this.query
        ? `No span matches "${this.query}". Clear the filter to see all ${this.view!.spans.length} spans.`
        : 'Every layer is hidden. Turn a layer back on in the toolbar.';
    this.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    const sel = this.rowOfSpan(this.selected);
    if (sel >= 0) this.active = sel;
    else if (this.active >= this.rows.length) this.active = this.rows.length - 1;
    this.drawAxis();
    this.paint();
  }

  select(spanIndex: number, reveal = true): void {
    if (!this.view || spanIndex < 0 || spanIndex >= this.view.spans.length) return;
    this.selected = spanIndex;
    let row = this.rowOfSpan(spanIndex);
    if (row < 0 && reveal) {
      this.expandTo(spanIndex);
      this.refresh();
      row = this.rowOfSpan(spanIndex);
    }
    if (row >= 0) {
      this.active = row;
      this.scrollToRow(row);
    }
    this.paint();
  }

  setZoom(z: [number, number] | undefined): void {
    const total = Math.max(this.view?.totalMs ?? 0, MIN_RANGE_MS);
    if (z) {
      let [a, b] = z[0] <= z[1] ? z : [z[1], z[0]];
      a = Math.max(0, a);
      b = Math.min(total, b);
      if (b - a < MIN_RANGE_MS) {
        const m = (a + b) / 2;
        a = Math.max(0, m - MIN_RANGE_MS / 2);
        b = a + MIN_RANGE_MS;
      }
      z = a <= 0 && b >= total ? undefined : [a, b];
    }
    this.zoom = z;
    this.drawAxis();
    this.paint();
    this.ev.changed();
  }

  /** factor < 1 zooms in, around the selected span when it is in range, else around the middle. */
  zoomBy(factor: number): void {
    const [a, b] = this.range;
    const sel = this.view && this.selected >= 0 ? this.view.spans[this.selected] : undefined;
    const mid =
      sel && sel.endMs >= a && sel.startMs <= b ? (Math.max(a, sel.startMs) + Math.min(b, sel.endMs)) / 2 : (a + b) / 2;
    const half = ((b - a) * factor) / 2;
    this.setZoom([mid - half, mid + half]);
  }

  setScrollTop(px: number): void {
    const max = Math.max(0, this.rows.length * ROW_HEIGHT - this.viewH);
    const top = Math.max(0, Math.min(px, max));
    if (top !== this.top) {
      this.top = top;
      this.scroller.scrollTop = top;
    }
    this.paint();
  }
  get scrollTop(): number {
    return this.top;
  }

  private layout(): void {
    // Read everything first, then write, so the browser lays out once.
    const w = this.root.clientWidth;
    const scrollbar = this.scroller.offsetWidth - this.scroller.clientWidth;
    const clientW = this.scroller.clientWidth;
    this.viewH = this.scroller.clientHeight || this.viewH;
    this.top = this.scroller.scrollTop;
    this.rootW = w;
    this.root.style.setProperty('--kt-scrollbar-w', `${scrollbar}px`);
    this.applyLabelWidth(clientW);
  }

  private labelFor(w: number): number {
    const max = Math.max(LABEL_MIN, Math.min(LABEL_MAX, w - TRACK_MIN));
    const want = this.labelWidth ?? Math.max(Math.min(LABEL_DEFAULT_MIN, w * 0.55), w * (w < 640 ? 0.5 : LABEL_SHARE));
    return Math.round(Math.max(Math.min(LABEL_MIN, w * 0.5), Math.min(max, want)));
  }

  private applyLabelWidth(clientW = this.scroller.clientWidth): void {
    const labelW = this.labelFor(this.rootW);
    this.labelW = labelW;
    this.root.style.setProperty('--kt-label-w', `${labelW}px`);
    this.splitter.setAttribute('aria-valuenow', String(labelW));
    this.splitter.setAttribute('aria-valuemin', String(LABEL_MIN));
    this.splitter.setAttribute(
      'aria-valuemax',
      String(Math.max(LABEL_MIN, Math.min(LABEL_MAX, this.rootW - TRACK_MIN))),
    );
    this.trackW = Math.max(50, clientW - labelW - 16);
    this.drawAxis();
    this.paint();
  }

  /** Set (or with undefined, reset) the span-name column width. */
  setLabelWidth(px: number | undefined): void {
    this.labelWidth =
      px === undefined || !Number.isFinite(px) ? undefined : Math.round(Math.max(LABEL_MIN, Math.min(LABEL_MAX, px)));
    this.applyLabelWidth();
  }

  private x(ms: number): number {
    const [a, b] = this.range;
    return ((ms - a) / (b - a)) * this.trackW;
  }

  private drawAxis(): void {
    const [a, b] = this.range;
    const target = Math.max(2, Math.floor(this.trackW / 90));
    const step = niceStep(b - a, target);
    this.axis.replaceChildren();
    this.grid.replaceChildren();
    for (const t of ticks(a, b, target)) {
      const left = `${this.x(t)}px`;
      const tick = el('div', { class: 'wf-tick' }, el('span', { class: 'wf-tick-label', text: formatTick(t, step) }));
      tick.style.left = left;
      this.axis.appendChild(tick);
      const line = el('div', { class: 'wf-gridline' });
      line.style.left = left;
      this.grid.appendChild(line);
    }
  }

  /** Render the rows in view into the recycled row elements. Called on every scroll. Row p always uses
   *  slot p % pool size, so a row that stays in view keeps its element and costs nothing. */
  paint(): void {
    const view = this.view;
    const first = Math.max(0, Math.floor(this.top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.top + this.viewH) / ROW_HEIGHT) + OVERSCAN);
    const need = last - first;
    if (this.pool.length < need) {
      while (this.pool.length < need + 8) {
        const r = makeRow();
        this.pool.push(r);
        this.win.appendChild(r.row);
      }
      for (const r of this.pool) r.key = '';
    }
    const gen = ++this.generation;
    const size = this.pool.length;
    if (view) {
      for (let p = first; p < last; p++) {
        const els = this.pool[p % size];
        els.used = gen;
        if (els.row.hidden) els.row.hidden = false;
        this.fillRow(els, p, view);
      }
    }
    for (const els of this.pool)
      if (els.used !== gen && !els.row.hidden) {
        els.row.hidden = true;
        els.key = '';
      }
    if (this.active >= first && this.active < last)
      this.scroller.setAttribute('aria-activedescendant', `kt-row-${this.active}`);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private fillRow(e: RowEls, p: number, view: TraceView): void {
    const r = this.rows[p];
    const [a, b] = this.range;
    const key =
      `${p}|${r.kind === 'span' ? r.i : r.group.layer}|${a}|${b}|${this.trackW}` +
      `|${this.expandKey(r)}|${this.active === p}|${this.selectedKey(r)}|${this.query}`;
    if (e.key === key) return;
    e.key = key;
    if (e.pos !== p) {
      e.pos = p;
      e.row.id = `kt-row-${p}`;
      e.row.dataset.pos = String(p);
      e.row.style.transform = `translateY(${p * ROW_HEIGHT}px)`;
    }
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
      expanded = !this.collapsedLayers.has(layer);
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
      expandable = info.children.length > 0 && !this.query;
      expanded = expandable && !this.collapsed.has(s.spanId);
      cls += ` layer-${s.layer}`;
      if (info.error) cls += ' is-error';
      if (info.critical) cls += ' is-critical';
      if (r.context) cls += ' is-context';
      if (r.i === this.selected) cls += ' is-selected';
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
      e.row.setAttribute('aria-selected', String(r.i === this.selected));
    }
    if (p === this.active) cls += ' is-active';
    if (expandable) cls += expanded ? ' is-expandable is-open' : ' is-expandable';
    e.row.className = cls;
    if (expandable) e.row.setAttribute('aria-expanded', String(expanded));
    else e.row.removeAttribute('aria-expanded');
    placeBar(e, start, end, a, b, this.trackW, (ms) => this.x(ms));
  }

  private expandKey(r: Row): string {
    if (r.kind === 'layer') return this.collapsedLayers.has(r.group.layer) ? 'c' : 'e';
    return this.view && this.collapsed.has(this.view.spans[r.i].span.spanId) ? 'c' : 'e';
  }
  private selectedKey(r: Row): string {
    return r.kind === 'span' && r.i === this.selected ? 's' : '';
  }

  private rowOfSpan(i: number): number {
    if (i < 0) return -1;
    for (let p = 0; p < this.rows.length; p++) {
      const r = this.rows[p];
      if (r.kind === 'span' && r.i === i) return p;
    }
    return -1;
  }

  private firstSpanRow(): number {
    const sel = this.rowOfSpan(this.selected);
    return sel >= 0 ? sel : 0;
  }

  /** Make a span visible: expand its layer and every collapsed ancestor. */
  private expandTo(i: number): void {
    const view = this.view!;
    const info = view.spans[i];
    this.collapsedLayers.delete(info.span.layer);
    this.hiddenLayers.delete(info.span.layer);
    for (let a = info.parent; a >= 0; a = view.spans[a].parent) this.collapsed.delete(view.spans[a].span.spanId);
  }

  private rowFromEvent(e: Event): number {
    const row = (e.target as Element | null)?.closest?.('.wf-row') as HTMLElement | null;
    return row?.dataset.pos ? Number(row.dataset.pos) : -1;
  }

  private onClick(e: MouseEvent): void {
    const p = this.rowFromEvent(e);
    if (p < 0) return;
    const onTwisty = (e.target as Element).closest('.wf-twisty');
    if (onTwisty || this.rows[p].kind === 'layer') {
      this.setActive(p);
      this.toggle(p);
      return;
    }
    this.activate(p);
  }

  private onDblClick(e: MouseEvent): void {
    const p = this.rowFromEvent(e);
    const r = this.rows[p];
    if (r?.kind === 'span' && !(e.target as Element).closest('.wf-twisty')) this.ev.open(r.i);
  }

  private activate(p: number): void {
    this.setActive(p);
    const r = this.rows[p];
    if (r?.kind === 'span' && r.i !== this.selected) {
      this.selected = r.i;
      this.paint();
      this.ev.select(r.i);
    }
  }

  private setActive(p: number): void {
    if (p < 0 || p >= this.rows.length) return;
    this.active = p;
    this.scrollToRow(p);
    this.paint();
  }

  private scrollToRow(p: number): void {
    const top = p * ROW_HEIGHT;
    const h = this.viewH;
    if (top < this.top) this.setScrollTop(top);
    else if (top + ROW_HEIGHT > this.top + h) this.setScrollTop(top + ROW_HEIGHT - h);
  }

  private isExpanded(p: number): boolean | undefined {
    const r = this.rows[p];
    if (r.kind === 'layer') return !this.collapsedLayers.has(r.group.layer);
    const info = this.view!.spans[r.i];
    if (!info.children.length || this.query) return undefined;
    return !this.collapsed.has(info.span.spanId);
  }

  private toggle(p: number, want?: boolean): void {
    const r = this.rows[p];
    const open = this.isExpanded(p);
    if (open === undefined || open === want) return;
    if (r.kind === 'layer') {
      if (open) this.collapsedLayers.add(r.group.layer);
      else this.collapsedLayers.delete(r.group.layer);
    } else {
      const id = this.view!.spans[r.i].span.spanId;
      if (open) this.collapsed.add(id);
      else this.collapsed.delete(id);
    }
    this.refresh();
    this.active = p;
    this.paint();
    this.ev.changed();
  }

  private parentRow(p: number): number {
    const r = this.rows[p];
    if (r.kind === 'layer') return -1;
    const parent = this.view!.spans[r.i].parent;
    for (let q = p - 1; q >= 0; q--) {
      const x = this.rows[q];
      if (x.kind === 'layer') return q;
      if (x.i === parent) return q;
    }
    return -1;
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.rows.length) return;
    const p = this.active < 0 ? 0 : this.active;
    const handled = handleKey(e.key, {
      count: this.rows.length,
      at: p,
      page: Math.max(1, Math.floor(this.viewH / ROW_HEIGHT) - 1),
      activate: (q) => this.activate(q),
      isExpanded: (q) => this.isExpanded(q),
      toggle: (q, want) => this.toggle(q, want),
      parentRow: (q) => this.parentRow(q),
      zoomBy: (f) => this.zoomBy(f),
      resetZoom: () => this.setZoom(undefined),
      enter: (q) => {
        const r = this.rows[q];
        if (r.kind === 'span') this.ev.open(r.i);
        else this.toggle(q);
      },
    });
    if (handled) e.preventDefault();
  }

  /** Controls shown in the header cell above the span names (the zoom buttons). */
  setHeadControls(node: HTMLElement): void {
    this.headLabel.appendChild(node);
  }
}
