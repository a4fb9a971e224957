// The panel: owns the UI state, applies host messages, and wires the parts together.
import type { HostToWebview, Layer, SourceRef } from '../src/protocol/messages';
import { checkHostMessage } from '../src/protocol/validate';
import { post } from './api';
import { renderDetails, type SourceNote } from './details';
import { renderDiagnostics } from './diagnostics';
import { el, replaceChildren } from './dom';
import { formatDuration } from './format';
import { renderHistory } from './history';
import { buildTraceView, type TraceView } from './model';
import { emptyState, restoreState, saveNow, scheduleSave, type UiState } from './state';
import { Toolbar } from './toolbar';
import { Header } from './header';
import { overview } from './overview';
import { Waterfall } from './waterfall';
import { BurstView } from './burst';

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
    const backButton = el('button', { class: 'kt-tool kt-back-button', text: '← Back to the requests' });
    backButton.type = 'button';
    backButton.addEventListener('click', () => {
      this.state.mode = 'burst';
      this.showMode();
      this.save();
    });
    this.back.appendChild(backButton);
    this.traceBody = el(
      'div',
      { class: 'kt-trace' },
      el('div', { class: 'kt-main' }, this.toolbar.root, this.waterfall.root),
      this.details,
    );
    this.tabs = el(
      'vscode-tabs',
      { class: 'kt-tabs', attrs: { panel: '' } },
      el('vscode-tab-header', { attrs: { slot: 'header' } }, 'Trace'),
      el('vscode-tab-panel', { class: 'kt-tab-trace' }, this.emptyBox, this.traceBody, this.burst.root),
      el('vscode-tab-header', { attrs: { slot: 'header' } }, 'History ', this.historyCount),
      el('vscode-tab-panel', { class: 'kt-tab-history' }, this.historyBox),
    ) as HTMLElement & { selectedIndex: number };
    this.tabs.addEventListener('vsc-tabs-select', () => {
      this.state.tab = this.tabs.selectedIndex === 1 ? 'history' : 'trace';
      this.save();
    });
    replaceChildren(root, this.progress, this.back, this.header.root, this.diags, this.tabs);
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
        // Same trace again (a re-send after hide/show or reload): keep what the user had selected, zoomed...
        const same = (this.state.trace?.traceId ?? this.state.pendingTraceId) === m.trace.traceId;
        const keep = same ? this.state : emptyState();
        this.state = {
          ...keep,
          pendingTraceId: undefined,
          trace: m.trace,
          probe: m.probe,
          historyId: m.historyId ?? (same ? this.state.historyId : undefined),
          emptyMessage: undefined,
          history: this.state.history,
          compareIds: this.state.compareIds,
          compare: this.state.compare,
          tab: 'trace',
          labelWidth: this.state.labelWidth,
          selected: m.selected ?? keep.selected,
          burst: this.state.burst,
          mode: 'trace',
          fromBurst: m.burstId,
        };
        if (!same) this.notes.clear();
        this.applyTrace(same);
        this.tabs.selectedIndex = 0;
        this.renderHistory();
        performance.mark('kt-trace-rendered');
        break;
      }
      case 'burst':
        this.state.burst = m;
        this.state.mode = 'burst';
        this.state.tab = 'trace';
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
        this.showProgress(m.message, m.fraction, m.done === true);
        return;
      case 'compare':
      case 'burstCompare':
        this.state.compare = m;
        this.state.tab = 'history';
        this.renderHistory();
        this.tabs.selectedIndex = 1;
        break;
      case 'sourceStatus':
        this.notes.set(
          m.spanId,
          m.ok
            ? { ok: true, text: 'Opened in the editor.' }
            : { ok: false, text: m.reason ?? 'The editor could not open this place.' },
        );
        if (this.state.selected === m.spanId) this.renderDetails();
        return;
      case 'empty':
        this.state = {
          ...emptyState(),
          history: this.state.history,
          compareIds: this.state.compareIds,
          compare: this.state.compare,
          emptyMessage: m.message,
          labelWidth: this.state.labelWidth,
        };
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
    this.header.render(s.trace, s.probe, this.view);
    this.emptyBox.hidden = !!this.view;
    this.traceBody.hidden = !this.view;
    if (!this.view) this.renderEmpty();
    const wf = this.waterfall;
    wf.collapsed = new Set(s.collapsed);
    wf.collapsedLayers = new Set(s.collapsedLayers);
    wf.hiddenLayers = new Set(s.hiddenLayers);
    wf.query = s.query;
    wf.zoom = s.zoom;
    if (wf.labelWidth !== s.labelWidth) wf.setLabelWidth(s.labelWidth);
    wf.selected = s.selected !== undefined && this.view ? (this.view.byId.get(s.selected) ?? -1) : -1;
    this.toolbar.setQuery(s.query);
    wf.setView(this.view);
    if (restoring && s.scrollTop) wf.setScrollTop(s.scrollTop);
    else wf.setScrollTop(0);
    if (wf.selected >= 0) wf.select(wf.selected);
    replaceChildren(
      this.diags,
      this.view ? renderDiagnostics(this.view.trace.diagnostics, (id) => this.showSpan(id)) : null,
    );
    this.updateToolbar();
    this.renderDetails();
    this.showMode();
  }

  /** The Trace tab shows the request set or the trace; a trace opened from the set offers the way back. */
  private showMode(): void {
    const s = this.state;
    const burst = s.mode === 'burst' && !!s.burst;
    if (burst) this.burst.show(s.burst!);
    this.burst.root.hidden = !burst;
    this.header.root.hidden = burst;
    this.diags.hidden = burst;
    this.emptyBox.hidden = burst || !!this.view;
    this.traceBody.hidden = burst || !this.view;
    this.back.hidden = burst || !s.fromBurst || s.burst?.id !== s.fromBurst;
  }

  private renderEmpty(): void {
    if (this.state.pendingTraceId) {
      replaceChildren(
        this.emptyBox,
        el('h2', { text: 'Loading the trace…' }),
        el('p', { text: `Waiting for the extension to send trace ${this.state.pendingTraceId} again.` }),
      );
      return;
    }
    replaceChildren(
      this.emptyBox,
      el('h2', { text: 'No trace yet' }),
      this.state.emptyMessage ? el('p', { class: 'kt-empty-reason', text: this.state.emptyMessage }) : null,
      el('p', {
        text:
          'Right-click an Ingress in the Kubetrace view and choose Send Probe, or open a trace file. The ' +
          'request is followed through client, ingress, app and downstream, and each span links to its source.',
      }),
    );
  }

  private renderDetails(): void {
    const view = this.view;
    if (!view) {
      replaceChildren(this.details);
      return;
    }
    const i = this.state.selected !== undefined ? view.byId.get(this.state.selected) : undefined;
    if (i === undefined) {
      replaceChildren(this.details, overview(view));
      return;
    }
    const spanId = view.spans[i].span.spanId;
    replaceChildren(
      this.details,
      renderDetails(view, i, this.notes.get(spanId), {
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
      renderHistory(s.history, s.historyId, s.compareIds, s.compare, {
        open: (id) => post({ type: 'selectHistory', id }),
        toggleCompare: (id, on) => {
          const ids = s.compareIds.filter((x) => x !== id);
          if (on) ids.push(id);
          s.compareIds = ids.slice(-2);
          this.renderHistory();
          this.save();
        },
        compare: () => {
          // Older probe on the left, so the difference reads as "what changed since".
          const order = s.history.map((h) => h.id);
          const [a, b] = [...s.compareIds].sort((x, y) => order.indexOf(y) - order.indexOf(x));
          post({ type: 'compare', leftId: a, rightId: b });
        },
      }),
    );
  }

  private showProgress(message: string, fraction: number | undefined, done: boolean): void {
    this.progress.hidden = done;
    if (done) {
      replaceChildren(this.progress);
      return;
    }
    const bar = el('vscode-progress-bar', { attrs: { 'aria-label': message } }) as HTMLElement & {
      value?: number;
      max: number;
    };
    if (fraction !== undefined) {
      bar.max = 1;
      bar.value = fraction;
    }
    replaceChildren(
      this.progress,
      bar,
      el('span', {
        class: 'kt-progress-text',
        text: fraction === undefined ? message : `${message} (${Math.round(fraction * 100)}%)`,
      }),
    );
  }

  private updateToolbar(): void {
    const wf = this.waterfall;
    const present = new Set<Layer>(this.view?.groups.map((g) => g.layer) ?? []);
    const [a, b] = wf.range;
    this.toolbar.update({
      matches: wf.matches,
      total: this.view?.spans.length ?? 0,
      query: wf.query,
      hidden: wf.hiddenLayers,
      present,
      zoomText: wf.zoom ? `${formatDuration(a)} – ${formatDuration(b)}` : '',
    });
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
    // Only the model's fields go back: the host's check is strict and compares them with its own copy.
    const clean: SourceRef = { kind: ref.kind, path: ref.path };
    if (ref.line !== undefined) clean.line = ref.line;
    if (ref.endLine !== undefined) clean.endLine = ref.endLine;
    if (ref.function !== undefined) clean.function = ref.function;
    post({ type: 'openSource', spanId, ref: clean });
    if (this.state.selected === spanId) this.renderDetails();
  }

  private onGlobalKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'VSCODE-TEXTFIELD');
    if (e.key === '/' && !typing && this.view) {
      e.preventDefault();
      this.toolbar.input.focus();
    }
  }

  private save(): void {
    const wf = this.waterfall;
    Object.assign(this.state, {
      collapsed: [...wf.collapsed],
      collapsedLayers: [...wf.collapsedLayers],
      hiddenLayers: [...wf.hiddenLayers],
      query: wf.query,
      zoom: wf.zoom,
      labelWidth: wf.labelWidth,
    });
    scheduleSave(() => this.state);
  }

  flush(): void {
    saveNow(this.state);
  }
}
