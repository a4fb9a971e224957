// A virtualized table for lists that grow with the request set (span names, requests): only the rows in view exist,
// recycled on scroll. The body is one focusable grid: arrows, Page Up/Down, Home/End move the active row, Enter
// acts on it, and a click does both. Sortable columns sort on their header button.
import { el, replaceChildren } from './dom';

export interface Column<T> {
  title: string;
  /** Grid track, e.g. "minmax(0, 1fr)" or "8ch". */
  width: string;
  num?: boolean;
  text(row: T): string;
  sort?(row: T): number | string;
  cls?(row: T): string;
}

export interface TableOptions<T> {
  label: string;
  columns: Column<T>[];
  /** Visible rows before the body scrolls. */
  visibleRows?: number;
  /** The initial sort: a column index, descending. */
  sortBy?: number;
  enter?(row: T): void;
  active?(row: T | undefined): void;
  rowTitle?(row: T): string;
}

export const TABLE_ROW_H = 24;
const OVERSCAN = 6;

export class VirtualTable<T> {
  readonly root: HTMLElement;
  private rows: T[] = [];
  private pool: HTMLElement[] = [];
  private activeIndex = -1;
  private sortCol: number | undefined;
  private sortDesc = true;
  private readonly head: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly note: HTMLElement;

  constructor(private readonly o: TableOptions<T>) {
    this.sortCol = o.sortBy;
    this.head = el('div', { class: 'kt-vt-row kt-vt-head', role: 'row' });
    this.spacer = el('div', { class: 'kt-vt-spacer', role: 'rowgroup' });
    this.scroller = el('div', { class: 'kt-vt-body', tabIndex: 0 }, this.spacer);
    this.note = el('p', { class: 'kt-muted kt-vt-note', attrs: { hidden: '' } });
    this.root = el(
      'div',
      { class: 'kt-vt', role: 'grid', attrs: { 'aria-label': o.label } },
      el('div', { class: 'kt-vt-headgroup', role: 'rowgroup' }, this.head),
      this.scroller,
      this.note,
    );
    this.root.style.setProperty('--kt-vt-cols', o.columns.map((c) => c.width).join(' '));
    this.scroller.style.maxHeight = `${(o.visibleRows ?? 12) * TABLE_ROW_H}px`;
    this.scroller.addEventListener('scroll', () => this.paint(), { passive: true });
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('focus', () => {
      if (this.activeIndex < 0 && this.rows.length) this.setActive(0);
    });
    this.scroller.addEventListener('click', (e) => {
      const r = (e.target as Element).closest<HTMLElement>('.kt-vt-row');
      if (!r?.dataset.i) return;
      this.setActive(Number(r.dataset.i));
      this.o.enter?.(this.rows[this.activeIndex]);
    });
    this.renderHead();
  }

  get body(): HTMLElement {
    return this.scroller;
  }
  get active(): T | undefined {
    return this.rows[this.activeIndex];
  }

  setRows(rows: T[], note = ''): void {
    this.rows = rows;
    this.sort();
    this.activeIndex = Math.min(this.activeIndex, rows.length - 1);
    this.root.setAttribute('aria-rowcount', String(rows.length + 1));
    this.spacer.style.height = `${rows.length * TABLE_ROW_H}px`;
    this.note.hidden = !note;
    this.note.textContent = note;
    for (const r of this.pool) r.dataset.key = '';
    this.paint();
  }

  /** Makes row `i` (in the current order) the active one and scrolls it into view. */
  setActive(i: number): void {
    if (i < 0 || i >= this.rows.length) return;
    this.activeIndex = i;
    const top = i * TABLE_ROW_H;
    const h = this.scroller.clientHeight || TABLE_ROW_H * 12;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + TABLE_ROW_H > this.scroller.scrollTop + h) this.scroller.scrollTop = top + TABLE_ROW_H - h;
    this.paint();
    this.o.active?.(this.rows[i]);
  }

  private renderHead(): void {
    replaceChildren(
      this.head,
      ...this.o.columns.map((c, i) => {
        const sorted = this.sortCol === i;
        const cell = el('div', {
          class: `kt-vt-cell${c.num ? ' kt-num' : ''}`,
          role: 'columnheader',
          attrs: sorted ? { 'aria-sort': this.sortDesc ? 'descending' : 'ascending' } : {},
        });
        if (!c.sort) {
          cell.textContent = c.title;
          return cell;
        }
        const b = el('button', {
          class: 'kt-vt-sort',
          text: `${c.title}${sorted ? (this.sortDesc ? ' ↓' : ' ↑') : ''}`,
        });
        b.type = 'button';
        b.title = `Sort by ${c.title}`;
        b.addEventListener('click', () => {
          this.sortDesc = this.sortCol === i ? !this.sortDesc : true;
          this.sortCol = i;
          this.setRows(this.rows, this.note.textContent ?? '');
          this.renderHead();
        });
        cell.appendChild(b);
        return cell;
      }),
    );
  }

  private sort(): void {
    const c = this.sortCol === undefined ? undefined : this.o.columns[this.sortCol];
    if (!c?.sort) return;
    const key = c.sort;
    const dir = this.sortDesc ? -1 : 1;
    this.rows = [...this.rows].sort((a, b) => {
      const x = key(a),
        y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
  }

  private paint(): void {
    const top = this.scroller.scrollTop;
    const h = this.scroller.clientHeight || TABLE_ROW_H * 12;
    const first = Math.max(0, Math.floor(top / TABLE_ROW_H) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + h) / TABLE_ROW_H) + OVERSCAN);
    while (this.pool.length < last - first) {
      const r = el('div', { class: 'kt-vt-row', role: 'row' });
      this.pool.push(r);
      this.spacer.appendChild(r);
    }
    this.pool.forEach((r, k) => {
      const i = first + k;
      if (i >= last) {
        r.hidden = true;
        return;
      }
      r.hidden = false;
      this.fill(r, i);
    });
    const active = this.activeIndex >= first && this.activeIndex < last;
    if (active) this.scroller.setAttribute('aria-activedescendant', this.rowId(this.activeIndex));
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private rowId(i: number): string {
    return `kt-vt-${this.o.label.replace(/\W+/g, '-').toLowerCase()}-${i}`;
  }

  private fill(r: HTMLElement, i: number): void {
    const row = this.rows[i];
    const cls = `kt-vt-row${i === this.activeIndex ? ' is-active' : ''}`;
    const key = `${i}|${cls}`;
    if (r.dataset.key === key && r.className === cls) return;
    r.dataset.key = key;
    r.dataset.i = String(i);
    r.id = this.rowId(i);
    r.className = cls;
    r.setAttribute('aria-rowindex', String(i + 2));
    r.style.transform = `translateY(${i * TABLE_ROW_H}px)`;
    r.title = this.o.rowTitle?.(row) ?? '';
    replaceChildren(
      r,
      ...this.o.columns.map((c) =>
        el('div', {
          class: `kt-vt-cell${c.num ? ' kt-num' : ''} ${c.cls?.(row) ?? ''}`,
          role: 'gridcell',
          text: c.text(row),
        }),
      ),
    );
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.rows.length) return;
    const page = Math.max(1, Math.floor((this.scroller.clientHeight || TABLE_ROW_H * 12) / TABLE_ROW_H) - 1);
    const at = Math.max(0, this.activeIndex);
    const to: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + page,
      PageUp: at - page,
      Home: 0,
      End: this.rows.length - 1,
    };
    if (e.key in to) this.setActive(Math.max(0, Math.min(this.rows.length - 1, to[e.key])));
    else if (e.key === 'Enter' && this.activeIndex >= 0) this.o.enter?.(this.rows[this.activeIndex]);
    else return;
    e.preventDefault();
  }
}
