// The panel: owns the UI state, applies host messages, and wires the parts together.
import type { HostToWebview, Layer, SourceRef } from '../src/protocol/messages';
import { checkHostMessage } from '../src/protocol/validate';
import { post } from './api';
import type { SourceNote } from './details';
import { renderDiagnostics } from './diagnostics';
import { el, replaceChildren } from './dom';
import { historyTab } from './history';
import { buildTraceView, type TraceView } from './model';
import { restoreState, saveNow, scheduleSave, type UiState } from './state';
import {
  detailsOrOverview,
  modelRef,
  slashToFilter,
  restoreWaterfall,
  tabs,
  skipLink,
  sourceNote,
  renderEmpty,
  showProgress,
  stateForEmpty,
  stateForTrace,
  toolbarState,
  waterfallState,
} from './panel-bits';
import { Toolbar } from './toolbar';
import { Header } from './header';
import { Waterfall } from './waterfall';
import { BurstView, backButton } from './burst';
import { RouteCompareView } from './route-compare';

export class App {
  private state: UiState;
  private view: TraceView | undefined;
  private readonly notes = new Map<string, SourceNote>();
  private readonly header: Header;
  private readonly toolbar: Toolbar;
  private readonly waterfall: Waterfall;
  private readonly diags = el('div', { class: 'kt-diags-wrap' });
  private readonly details = el('aside', { class: 'kt-side', attrs: { 'aria-label': 'Span details' } });
  private readonly traceBody: HTMLElement;
  private readonly emptyBox = el('div', { class: 'kt-empty' });
  private readonly historyBox = el('div', { class: 'kt-history-wrap' });
  private readonly progress = el('div', { class: 'kt-progress', attrs: { hidden: '', role: 'status' } });
  private readonly tabs: HTMLElement & { selectedIndex: number };
  private readonly historyCount = el('vscode-badge', { attrs: { variant: 'counter' } });
  private readonly burst: BurstView;
  private readonly routes = new RouteCompareView({ openTrace: (id) => post({ type: 'selectHistory', id }) });
  private readonly back = el('div', { class: 'kt-back', attrs: { hidden: '' } });

  constructor(private readonly root: HTMLElement) {
    this.state = restoreState();
    this.header = new Header();
    this.waterfall = new Waterfall({
      select: (i) => {
        this.state.selected = this.view?.spans[i].span.spanId;
        this.renderDetails();
        this.save();
        this.tellSelected();
      },
      open: (i) => this.openMain(i),
      changed: () => {
        this.updateToolbar();
        this.save();
      },
    });
    this.waterfall.scrollElement.addEventListener(
      'scroll',
      () => {
        this.state.scrollTop = this.waterfall.scrollTop;
        this.save();
      },
      { passive: true },
    );
    this.toolbar = new Toolbar({
      query: (q) => {
        this.state.query = q;
        this.waterfall.query = q;
        this.waterfall.refresh();
        this.updateToolbar();
        this.save();
      },
      toggleLayer: (l) => this.toggleLayer(l),
      zoom: (k) => (k === 'reset' ? this.waterfall.setZoom(undefined) : this.waterfall.zoomBy(k === 'in' ? 0.5 : 2)),
    });
    this.waterfall.setHeadControls(this.toolbar.zoomGroup);
    this.burst = new BurstView({
      openRequest: (traceId) => post({ type: 'openRequest', traceId }),
      filter: (filter) => post({ type: 'filterRequests', filter }),
    });
    this.back.appendChild(
      backButton(() => {
        this.state.mode = 'burst';
        this.showMode();
        this.save();
      }),
    );
    this.traceBody = el(
      'div',
      { class: 'kt-trace' },
      el('div', { class: 'kt-main' }, this.toolbar.root, this.waterfall.root),
      this.details,
    );
    this.tabs = tabs(
      [this.emptyBox, this.traceBody, this.burst.root, this.routes.root],
      this.historyCount,
      this.historyBox,
    );
    this.tabs.addEventListener('vsc-tabs-select', () => {
      this.state.tab = this.tabs.selectedIndex === 1 ? 'history' : 'trace';
      this.save();
    });
    const skip = skipLink(() => (this.traceBody.hidden ? undefined : this.waterfall.scrollElement));
    replaceChildren(root, skip, this.progress, this.back, this.header.root, this.diags, this.tabs);
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    document.addEventListener('keydown', (e) => this.onGlobalKey(e));
    this.applyTrace(true);
    this.renderHistory();
    this.tabs.selectedIndex = this.state.tab === 'history' ? 1 : 0;
  }

  /** Everything arriving is validated first: a bad message is dropped and said so, never half-rendered. */
  onMessage(data: unknown): void {
    performance.mark('kt-message');
    const r = checkHostMessage(data);
    performance.mark('kt-validated');
    if (!r.ok) {
      console.warn(`kubetrace: ignored a message from the extension: ${r.error}`);
      return;
    }
    this.apply(r.message);
  }

  private apply(m: HostToWebview): void {
    switch (m.type) {
      case 'trace': {
        const { state, same } = stateForTrace(this.state, m);
        this.state = state;
        if (!same) this.notes.clear();
        this.applyTrace(same);
        this.tabs.selectedIndex = 0;
        this.renderHistory();
        performance.mark('kt-trace-rendered');
        break;
      }
      case 'burst': {
        // Live updates of the set already shown do not pull the user back from a trace or the History tab.
        const follow = !m.live || this.state.burst?.id !== m.id || this.state.mode === 'burst';
        this.state.burst = m;
        if (follow) Object.assign(this.state, { mode: 'burst', tab: 'trace' });
        this.showMode();
        if (follow) this.tabs.selectedIndex = 0;
        break;
      }
      case 'routeCompare':
        Object.assign(this.state, { routeCompare: m, mode: 'routeCompare', tab: 'trace' });
        this.showMode();
        this.tabs.selectedIndex = 0;
        break;
      case 'history':
        this.state.history = m.entries;
        if (m.currentId !== undefined) this.state.historyId = m.currentId;
        this.state.compareIds = this.state.compareIds.filter((id) => m.entries.some((h) => h.id === id));
        this.renderHistory();
        break;
      case 'progress':
        showProgress(this.progress, m.message, m.fraction, m.done === true);
        return;
      case 'compare':
      case 'burstCompare':
        this.state.compare = m;
        this.state.tab = 'history';
        this.renderHistory();
        this.tabs.selectedIndex = 1;
        break;
      case 'sourceStatus':
        this.notes.set(m.spanId, sourceNote(m));
        if (this.state.selected === m.spanId) this.renderDetails();
        return;
      case 'empty':
        this.state = stateForEmpty(this.state, m.message);
        this.notes.clear();
        this.applyTrace(false);
        this.renderHistory();
        break;
    }
    this.save();
  }

  private applyTrace(restoring: boolean): void {
    const s = this.state;
    this.view = s.trace ? buildTraceView(s.trace) : undefined;
    performance.mark('kt-model-built');
    const set = s.fromBurst && s.burst?.id === s.fromBurst ? s.burst : undefined;
    this.header.render(s.trace, s.probe, this.view, set && `One request of ${set.title}`);
    this.emptyBox.hidden = !!this.view;
    this.traceBody.hidden = !this.view;
    if (!this.view) renderEmpty(this.emptyBox, s);
    this.toolbar.setQuery(s.query);
    restoreWaterfall(this.waterfall, s, this.view, restoring);
    replaceChildren(
      this.diags,
      this.view ? renderDiagnostics(this.view.trace.diagnostics, (id) => this.showSpan(id)) : null,
    );
    this.updateToolbar();
    this.renderDetails();
    this.showMode();
  }

  /** The Trace tab shows the request set, the route comparison or the trace; a trace opened from the set offers
   *  the way back. */
  private showMode(): void {
    const s = this.state;
    const burst = s.mode === 'burst' && !!s.burst;
    const routes = s.mode === 'routeCompare' && !!s.routeCompare;
    if (burst) this.burst.show(s.burst!);
    if (routes) this.routes.show(s.routeCompare!);
    this.burst.root.hidden = !burst;
    this.routes.root.hidden = !routes;
    const other = burst || routes;
    this.header.root.hidden = other;
    this.diags.hidden = other;
    this.emptyBox.hidden = other || !!this.view;
    this.traceBody.hidden = other || !this.view;
    this.back.hidden = other || !s.fromBurst || s.burst?.id !== s.fromBurst;
  }

  private renderDetails(): void {
    replaceChildren(
      this.details,
      detailsOrOverview(this.view, this.state.selected, this.notes, {
        openSource: (id, ref) => this.openSource(id, ref),
        selectSpan: (j) => this.selectSpan(j),
      }),
    );
  }

  private renderHistory(): void {
    const s = this.state;
    this.historyCount.textContent = String(s.history.length);
    this.historyCount.hidden = !s.history.length;
    replaceChildren(
      this.historyBox,
      historyTab(s, () => (this.renderHistory(), this.save())),
    );
  }

  private updateToolbar(): void {
    this.toolbar.update(toolbarState(this.waterfall, this.view));
  }

  private toggleLayer(l: Layer): void {
    const h = this.waterfall.hiddenLayers;
    if (h.has(l)) h.delete(l);
    else h.add(l);
    this.waterfall.refresh();
    this.updateToolbar();
    this.save();
  }

  private selectSpan(i: number): void {
    if (!this.view) return;
    this.state.selected = this.view.spans[i].span.spanId;
    this.waterfall.select(i);
    this.renderDetails();
    this.save();
    this.tellSelected();
  }

  /** The host keeps the selection, so the panel closed and reopened selects the same span. */
  private tellSelected(): void {
    if (this.state.selected) post({ type: 'selectSpan', spanId: this.state.selected });
  }

  private showSpan(spanId: string): boolean {
    const i = this.view?.byId.get(spanId);
    if (i === undefined) return false;
    this.selectSpan(i);
    return true;
  }

  private openMain(i: number): void {
    const span = this.view?.spans[i].span;
    if (!span) return;
    this.selectSpan(i);
    if (span.source) this.openSource(span.spanId, span.source);
  }

  private openSource(spanId: string, ref: SourceRef): void {
    this.notes.set(spanId, { ok: true, text: 'Opening…' });
    post({ type: 'openSource', spanId, ref: modelRef(ref) });
    if (this.state.selected === spanId) this.renderDetails();
  }

  private onGlobalKey(e: KeyboardEvent): void {
    if (slashToFilter(e, !!this.view && this.state.mode !== 'burst')) this.toolbar.input.focus();
  }

  private save(): void {
    Object.assign(this.state, waterfallState(this.waterfall));
    scheduleSave(() => this.state);
  }

  flush(): void {
    saveNow(this.state);
  }
}
