// The request-set view: a burst this session sent, or a big access log. The tail sentence first, then the latency
// histogram, the percentiles by layer, requests over time (click or Enter opens one request's trace), the span
// names, the pods and the failures; filters narrow the set on the host, live counts show while a burst runs.
import type { BurstMessage, RequestFilter, Tail } from '../src/protocol/messages';
import { append, el, replaceChildren } from './dom';
import { formatCount, formatDuration } from './format';
import { renderDiagnostics } from './diagnostics';
import { renderHistogram } from './burst-histogram';
import { renderBars } from './burst-bars';
import { Filters } from './burst-filters';
import { Scatter } from './burst-scatter';
import { failureTable, podTable, retriesNote, spanTable } from './burst-sections';
import { baseMs, wholePercentiles } from './burst-model';
import { onWidth } from './burst-svg';

export interface BurstEvents {
  openRequest(traceId: string): void;
  filter(f: RequestFilter): void;
}

/** Above a trace opened from a request set: the way back to the set. */
export function backButton(onBack: () => void): HTMLButtonElement {
  const b = el('button', { class: 'kt-tool kt-back-button', text: '← Back to the requests' });
  b.type = 'button';
  b.addEventListener('click', onBack);
  return b;
}

function card(title: string, ...body: (Node | null)[]): HTMLElement {
  return el('section', { class: 'kt-card', attrs: { 'aria-label': title } }, el('h3', { text: title }), ...body);
}

/** The tail sentence with `code` spans as code. */
export function sentence(t: Tail): HTMLElement {
  const p = el('p', { class: 'kt-burst-tail', role: 'note' });
  t.sentence.split('`').forEach((part, i) => append(p, i % 2 ? el('code', { text: part }) : part));
  return p;
}

export function describeFilter(f: RequestFilter | undefined): string {
  if (!f) return '';
  const parts: string[] = [];
  if (f.status !== undefined) parts.push(`status ${f.status}`);
  if (f.path) parts.push(`path contains "${f.path}"`);
  if (f.upstream) parts.push(`upstream ${f.upstream}`);
  if (f.fromUnixNano || f.toUnixNano) parts.push('a time range');
  return parts.join(', ');
}

export class BurstView {
  readonly root = el('div', { class: 'kt-burst', attrs: { hidden: '' } });
  private readonly head = el('header', { class: 'kt-burst-head' });
  private readonly live = el('div', { class: 'kt-burst-live', role: 'status', attrs: { 'aria-live': 'polite' } });
  private readonly tail = el('div', { class: 'kt-burst-tail-wrap' });
  private readonly filters: Filters;
  private readonly hist = el('div', { class: 'kt-hist-wrap' });
  private readonly bars = el('div');
  private readonly scatter: Scatter;
  private readonly spans = spanTable();
  private readonly pods = el('div');
  private readonly failures = el('div');
  private readonly diags = el('div', { class: 'kt-diags-wrap' });
  private current: BurstMessage | undefined;
  /** The set whose filter choices are shown: they come from its unfiltered report. */
  private contextOf = '';
  private histWidth = 0;

  constructor(ev: BurstEvents) {
    this.filters = new Filters((f) => ev.filter(f));
    this.scatter = new Scatter({ open: (id) => ev.openRequest(id) });
    append(
      this.root,
      this.head,
      this.live,
      this.tail,
      this.diags,
      this.filters.root,
      el(
        'div',
        { class: 'kt-burst-grid' },
        card('Latency of the whole request', this.hist),
        card('Percentiles by layer', this.bars),
      ),
      card('Requests over time', this.scatter.root),
      card('Spans by name', this.spans.root),
      el('div', { class: 'kt-burst-grid' }, card('Upstream pods', this.pods), card('Failures', this.failures)),
    );
    onWidth(this.hist, (w) => {
      this.histWidth = w;
      this.drawHistogram();
    });
  }

  get shown(): BurstMessage | undefined {
    return this.current;
  }
  get scatterView(): Scatter {
    return this.scatter;
  }

  show(m: BurstMessage): void {
    const r = m.report;
    const sameSet = this.current?.id === m.id;
    const reportChanged = !sameSet || this.current?.report !== r;
    this.current = m;
    this.renderHead(m);
    this.renderLive(m);
    if (!reportChanged) return;
    const filtered = !!describeFilter(m.filter);
    if (!sameSet || (!filtered && this.contextOf !== `${m.id}|${r.requests}`)) {
      this.contextOf = `${m.id}|${r.requests}`;
      const statuses = new Set<number>();
      for (const p of r.probes) if (p.status !== undefined && statuses.size < 40) statuses.add(p.status);
      this.filters.setContext({
        base: baseMs(r.probes),
        statuses: [...statuses].sort((a, b) => a - b),
        upstreams: r.pods.map((p) => p.pod).slice(0, 500),
      });
    }
    this.filters.set(m.filter ?? {});
    replaceChildren(this.tail, r.requests && r.tail.sentence ? sentence(r.tail) : null, retriesNote(r));
    replaceChildren(
      this.diags,
      renderDiagnostics(r.diagnostics, () => false),
    );
    this.drawHistogram();
    replaceChildren(this.bars, r.requests ? renderBars(r) : el('p', { class: 'kt-muted', text: 'No requests yet.' }));
    this.scatter.setReport(r);
    this.spans.setRows(r.spans, r.spans.length ? '' : 'No span names yet.');
    replaceChildren(this.pods, podTable(r.pods));
    replaceChildren(this.failures, failureTable(r.failures));
  }

  private drawHistogram(): void {
    const r = this.current?.report;
    if (!r || !this.histWidth) return;
    const w = wholePercentiles(r);
    const marks = r.requests
      ? [
          { label: 'p50', ms: w.p50 },
          { label: 'p99', ms: w.p99 },
        ]
      : [];
    replaceChildren(this.hist, renderHistogram(r, marks, this.histWidth));
  }

  private renderHead(m: BurstMessage): void {
    const r = m.report;
    const filter = describeFilter(m.filter);
    replaceChildren(
      this.head,
      el(
        'div',
        { class: 'kt-title' },
        el('span', { class: 'kt-method', text: m.source === 'log' ? 'LOG' : 'BURST' }),
        el('h2', { class: 'kt-url', text: m.title, title: m.title }),
      ),
      el(
        'div',
        { class: 'kt-meta' },
        el('span', { text: r.route }),
        el('span', {
          text: `${formatCount(r.requests)} requests${r.completed < r.requests ? ` (${formatCount(r.completed)} traced)` : ''}`,
        }),
        el('span', { class: r.errors ? 'kt-meta-error' : '', text: `${formatCount(r.errors)} errors` }),
        r.rps ? el('span', { text: `${r.rps.toFixed(1)} req/s` }) : null,
        el('span', { text: `over ${formatDuration(r.durationMs)}` }),
        filter ? el('span', { class: 'kt-burst-filtered', text: `filtered: ${filter}` }) : null,
      ),
    );
  }

  private renderLive(m: BurstMessage): void {
    const l = m.live;
    this.live.hidden = !l;
    if (!l) {
      replaceChildren(this.live);
      return;
    }
    const pct = (v: number | undefined) => (v === undefined ? '—' : formatDuration(v));
    replaceChildren(
      this.live,
      el('vscode-progress-bar', { attrs: { 'aria-label': 'Burst running', indeterminate: '' } }),
      el('span', {
        class: 'kt-burst-live-text',
        text:
          `Running: ${formatCount(l.sent)} sent · ${formatCount(l.answered)} answered · ${formatCount(l.traced)} traced · ` +
          `${formatCount(l.errors)} errors · p50 ${pct(l.p50)} · p99 ${pct(l.p99)}`,
      }),
    );
  }
}
