// The waterfall: a virtualized list of rows (only the visible ones exist in the DOM, recycled on scroll),
// a time axis with ticks, zoom, and keyboard navigation. Bars are placed through CSSOM (style.left/width),
// which the CSP allows; nothing here builds markup from strings.
import type { Layer } from '../src/protocol/messages';
import { makeParts, type WaterfallParts } from './waterfall-parts';
import { clampLabel, drawTicks, LABEL_MIN, labelMax, labelWidth } from './waterfall-axis';
import { buildRows, type Row, type TraceView } from './model';
import { attachBrush, attachSplitter, handleKey } from './waterfall-input';
import { expandKey, expandTo, isExpanded, parentRow, rowOfSpan } from './waterfall-nav';
import { fillRowText, makeRow, placeBar, type RowEls } from './waterfall-row';

export const ROW_HEIGHT = 24;
const OVERSCAN = 8;
const MIN_RANGE_MS = 0.001;

export interface WaterfallEvents {
  select(spanIndex: number): void;
  open(spanIndex: number): void;
  changed(): void;
}

export class Waterfall {
  readonly root: HTMLElement;
  private readonly dom: WaterfallParts;
  collapsed = new Set<string>();
  collapsedLayers = new Set<Layer>();
  hiddenLayers = new Set<Layer>();
  query = '';
  zoom: [number, number] | undefined;
  selected = -1;
  matches = 0;
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

  constructor(private readonly ev: WaterfallEvents) {
    this.dom = makeParts();
    this.root = this.dom.root;
    this.dom.scroller.addEventListener('scroll', () => {
      this.top = this.dom.scroller.scrollTop;
      this.paint();
    });
    this.dom.scroller.addEventListener('click', (e) => this.onClick(e));
    this.dom.scroller.addEventListener('dblclick', (e) => this.onDblClick(e));
    this.dom.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.dom.scroller.addEventListener('focus', () => {
      if (this.active < 0 && this.rows.length) this.setActive(this.firstSpanRow());
    });
    attachBrush(this.dom.axis, this.dom.brush, {
      trackW: () => this.trackW,
      range: () => this.range,
      setZoom: (z) => this.setZoom(z),
    });
    attachSplitter(this.dom.splitter, {
      labelW: () => this.labelW,
      setLabelWidth: (px) => this.setLabelWidth(px),
      changed: () => this.ev.changed(),
    });
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  get scrollElement(): HTMLElement {
    return this.dom.scroller;
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
    this.dom.noMatch.hidden = !empty;
    this.dom.noMatch.textContent = !empty
      ? ''
      : this.query
        ? `No span matches "${this.query}". Clear the filter to see all ${this.view!.spans.length} spans.`
        : 'Every layer is hidden. Turn a layer back on in the toolbar.';
    this.dom.spacer.style.height = `${this.rows.length * ROW_HEIGHT}px`;
    const sel = rowOfSpan(this.rows, this.selected);
    if (sel >= 0) this.active = sel;
    else if (this.active >= this.rows.length) this.active = this.rows.length - 1;
    this.drawAxis();
    this.paint();
  }

  select(spanIndex: number, reveal = true): void {
    if (!this.view || spanIndex < 0 || spanIndex >= this.view.spans.length) return;
    this.selected = spanIndex;
    let row = rowOfSpan(this.rows, spanIndex);
    if (row < 0 && reveal) {
      expandTo(this.view, spanIndex, this);
      this.refresh();
      row = rowOfSpan(this.rows, spanIndex);
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
      this.dom.scroller.scrollTop = top;
    }
    this.paint();
  }
  get scrollTop(): number {
    return this.top;
  }

  private layout(): void {
    // Read everything first, then write, so the browser lays out once.
    const w = this.root.clientWidth;
    const scrollbar = this.dom.scroller.offsetWidth - this.dom.scroller.clientWidth;
    const clientW = this.dom.scroller.clientWidth;
    this.viewH = this.dom.scroller.clientHeight || this.viewH;
    this.top = this.dom.scroller.scrollTop;
    this.rootW = w;
    this.root.style.setProperty('--kt-scrollbar-w', `${scrollbar}px`);
    this.applyLabelWidth(clientW);
  }

  private applyLabelWidth(clientW = this.dom.scroller.clientWidth): void {
    const labelW = labelWidth(this.rootW, this.labelWidth);
    this.labelW = labelW;
    this.root.style.setProperty('--kt-label-w', `${labelW}px`);
    this.dom.splitter.setAttribute('aria-valuenow', String(labelW));
    this.dom.splitter.setAttribute('aria-valuemin', String(LABEL_MIN));
    this.dom.splitter.setAttribute('aria-valuemax', String(labelMax(this.rootW)));
    this.trackW = Math.max(50, clientW - labelW - 16);
    this.drawAxis();
    this.paint();
  }

  /** Set (or with undefined, reset) the span-name column width. */
  setLabelWidth(px: number | undefined): void {
    this.labelWidth = px === undefined || !Number.isFinite(px) ? undefined : clampLabel(px);
    this.applyLabelWidth();
  }

  private x(ms: number): number {
    const [a, b] = this.range;
    return ((ms - a) / (b - a)) * this.trackW;
  }

  private drawAxis(): void {
    drawTicks(this.dom.axis, this.dom.grid, this.range, this.trackW, (ms) => this.x(ms));
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
        this.dom.win.appendChild(r.row);
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
      this.dom.scroller.setAttribute('aria-activedescendant', `kt-row-${this.active}`);
    else this.dom.scroller.removeAttribute('aria-activedescendant');
  }

  private fillRow(e: RowEls, p: number, view: TraceView): void {
    const r = this.rows[p];
    const [a, b] = this.range;
    const key =
      `${p}|${r.kind === 'span' ? r.i : r.group.layer}|${a}|${b}|${this.trackW}` +
      `|${expandKey(r, this.view, this)}|${this.active === p}|${this.selectedKey(r)}|${this.query}`;
    if (e.key === key) return;
    e.key = key;
    if (e.pos !== p) {
      e.pos = p;
      e.row.id = `kt-row-${p}`;
      e.row.dataset.pos = String(p);
      e.row.style.transform = `translateY(${p * ROW_HEIGHT}px)`;
    }
    const c = fillRowText(e, r, view, this);
    let cls = c.cls;
    const { start, end, expandable, expanded } = c;
    if (p === this.active) cls += ' is-active';
    if (expandable) cls += expanded ? ' is-expandable is-open' : ' is-expandable';
    e.row.className = cls;
    if (expandable) e.row.setAttribute('aria-expanded', String(expanded));
    else e.row.removeAttribute('aria-expanded');
    placeBar(e, start, end, a, b, this.trackW, (ms) => this.x(ms));
  }

  private selectedKey(r: Row): string {
    return r.kind === 'span' && r.i === this.selected ? 's' : '';
  }

  private firstSpanRow(): number {
    const sel = rowOfSpan(this.rows, this.selected);
    return sel >= 0 ? sel : 0;
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

  private toggle(p: number, want?: boolean): void {
    const r = this.rows[p];
    const open = isExpanded(this.rows[p], this.view!, this);
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

  private onKey(e: KeyboardEvent): void {
    if (!this.rows.length) return;
    const p = this.active < 0 ? 0 : this.active;
    const handled = handleKey(e.key, {
      count: this.rows.length,
      at: p,
      page: Math.max(1, Math.floor(this.viewH / ROW_HEIGHT) - 1),
      activate: (q) => this.activate(q),
      isExpanded: (q) => isExpanded(this.rows[q], this.view!, this),
      toggle: (q, want) => this.toggle(q, want),
      parentRow: (q) => parentRow(this.rows, this.view!, q),
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
    this.dom.headLabel.appendChild(node);
  }
}
