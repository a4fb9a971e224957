// The filters of a request set (status, path, upstream, time range). Applying posts `filterRequests`; the host
// answers with the report of the narrowed set. Times are seconds after the set's first request.
import type { RequestFilter } from '../src/protocol/messages';
import { STATUS_CLASSES } from '../src/protocol/messages';
import { el, replaceChildren } from './dom';
import { nanosAt, secondsOf } from './burst-model';

export interface FilterContext {
  /** The set's zero for the time fields, in ms since the epoch. */
  base: number;
  statuses: number[];
  upstreams: string[];
}

type Field = HTMLInputElement | HTMLSelectElement;

export class Filters {
  readonly root: HTMLFormElement;
  private readonly status = el('select', { attrs: { name: 'status', 'aria-label': 'Status' } });
  private readonly path = el('input', { attrs: { name: 'path', type: 'search', placeholder: '/orders' } });
  private readonly upstream = el('select', { attrs: { name: 'upstream', 'aria-label': 'Upstream' } });
  private readonly from = el('input', { attrs: { name: 'from', type: 'number', placeholder: '0' } });
  private readonly to = el('input', { attrs: { name: 'to', type: 'number', placeholder: 'end' } });
  private ctx: FilterContext = { base: 0, statuses: [], upstreams: [] };

  constructor(apply: (f: RequestFilter) => void) {
    for (const f of [this.from, this.to]) {
      f.min = '0';
      f.step = 'any';
    }
    const field = (label: string, f: Field) =>
      el('label', { class: 'kt-filter-field' }, el('span', { text: label }), f);
    const applyButton = el('button', { class: 'kt-tool kt-filter-apply', text: 'Apply' });
    applyButton.type = 'submit';
    const clear = el('button', { class: 'kt-tool', text: 'Clear' });
    clear.type = 'button';
    clear.addEventListener('click', () => {
      this.set({});
      apply({});
    });
    this.root = el(
      'form',
      { class: 'kt-burst-filters', attrs: { 'aria-label': 'Filter requests' } },
      field('Status', this.status),
      field('Path contains', this.path),
      field('Upstream', this.upstream),
      field('From (s)', this.from),
      field('To (s)', this.to),
      applyButton,
      clear,
    );
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      apply(this.read());
    });
  }

  /** The choices (statuses and upstreams seen in the whole set) and the time base. */
  setContext(ctx: FilterContext): void {
    this.ctx = ctx;
    const keep = { status: this.status.value, upstream: this.upstream.value };
    const opt = (value: string, text: string) => el('option', { text, attrs: { value } });
    replaceChildren(
      this.status,
      opt('', 'any'),
      ...STATUS_CLASSES.map((c) => opt(c, c === 'error' ? 'error (no response or 5xx)' : c)),
      ...ctx.statuses.map((s) => opt(String(s), String(s))),
    );
    replaceChildren(this.upstream, opt('', 'any'), ...ctx.upstreams.map((u) => opt(u, u)));
    this.status.value = keep.status;
    this.upstream.value = keep.upstream;
  }

  /** Shows a filter (the one the host applied). */
  set(f: RequestFilter): void {
    this.status.value = f.status === undefined ? '' : String(f.status);
    if (f.status !== undefined && this.status.value !== String(f.status)) {
      this.status.appendChild(el('option', { text: String(f.status), attrs: { value: String(f.status) } }));
      this.status.value = String(f.status);
    }
    this.path.value = f.path ?? '';
    if (f.upstream !== undefined && ![...this.upstream.options].some((o) => o.value === f.upstream))
      this.upstream.appendChild(el('option', { text: f.upstream, attrs: { value: f.upstream } }));
    this.upstream.value = f.upstream ?? '';
    this.from.value = secondsOf(f.fromUnixNano, this.ctx.base);
    this.to.value = secondsOf(f.toUnixNano, this.ctx.base);
  }

  read(): RequestFilter {
    const f: RequestFilter = {};
    const s = this.status.value;
    if (s) f.status = /^\d+$/.test(s) ? Number(s) : (s as RequestFilter['status']);
    if (this.path.value.trim()) f.path = this.path.value.trim();
    if (this.upstream.value) f.upstream = this.upstream.value;
    const from = Number.parseFloat(this.from.value);
    const to = Number.parseFloat(this.to.value);
    if (Number.isFinite(from) && from > 0) f.fromUnixNano = nanosAt(this.ctx.base, from);
    if (Number.isFinite(to) && to >= 0) f.toUnixNano = nanosAt(this.ctx.base, to);
    return f;
  }
}
