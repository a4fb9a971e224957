// Small parts of the panel that app.ts wires: the progress line, the empty state's text, the UI state a `trace`
// or `empty` message leads to, what the toolbar and the saved state read from the waterfall and how it is put back,
// the tabs, the side pane, the skip link and the `/` key.
import type { Layer, SourceRef, SourceStatusMessage, TraceMessage } from '../src/protocol/messages';
import { renderDetails, type DetailsEvents, type SourceNote } from './details';
import { overview } from './overview';
import { el, replaceChildren } from './dom';
import { formatDuration } from './format';
import type { TraceView } from './model';
import { emptyState, type UiState } from './state';
import type { Waterfall } from './waterfall';

export function toolbarState(wf: Waterfall, view: TraceView | undefined) {
  const [a, b] = wf.range;
  return {
    matches: wf.matches,
    total: view?.spans.length ?? 0,
    query: wf.query,
    hidden: wf.hiddenLayers,
    present: new Set<Layer>(view?.groups.map((g) => g.layer) ?? []),
    zoomText: wf.zoom ? `${formatDuration(a)} – ${formatDuration(b)}` : '',
  };
}

/** The waterfall's part of the saved state. */
export function waterfallState(wf: Waterfall): Partial<UiState> {
  return {
    collapsed: [...wf.collapsed],
    collapsedLayers: [...wf.collapsedLayers],
    hiddenLayers: [...wf.hiddenLayers],
    query: wf.query,
    zoom: wf.zoom,
    labelWidth: wf.labelWidth,
  };
}

/** Only the model's fields go back: the host's check is strict and compares them with its own copy. */
export function modelRef(ref: SourceRef): SourceRef {
  const clean: SourceRef = { kind: ref.kind, path: ref.path };
  if (ref.line !== undefined) clean.line = ref.line;
  if (ref.endLine !== undefined) clean.endLine = ref.endLine;
  if (ref.function !== undefined) clean.function = ref.function;
  return clean;
}

/** `done` hides it; `fraction` in [0, 1], absent for "busy, amount unknown". */
export function showProgress(box: HTMLElement, message: string, fraction: number | undefined, done: boolean): void {
  box.hidden = done;
  if (done) {
    replaceChildren(box);
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
    box,
    bar,
    el('span', {
      class: 'kt-progress-text',
      text: fraction === undefined ? message : `${message} (${Math.round(fraction * 100)}%)`,
    }),
  );
}

export function renderEmpty(box: HTMLElement, s: UiState): void {
  if (s.pendingTraceId) {
    replaceChildren(
      box,
      el('h2', { text: 'Loading the trace…' }),
      el('p', { text: `Waiting for the extension to send trace ${s.pendingTraceId} again.` }),
    );
    return;
  }
  replaceChildren(
    box,
    el('h2', { text: 'No trace yet' }),
    s.emptyMessage ? el('p', { class: 'kt-empty-reason', text: s.emptyMessage }) : null,
    el('p', {
      text:
        'Right-click an Ingress in the Kubetrace view and choose Send Probe, or open a trace file. The ' +
        'request is followed through client, ingress, app and downstream, and each span links to its source.',
    }),
  );
}

/** What a `trace` message makes of the state; `same` when it is the trace already shown (a re-send after
 *  hide/show or reload), which keeps what the user had selected, zoomed... */
export function stateForTrace(prev: UiState, m: TraceMessage): { state: UiState; same: boolean } {
  const same = (prev.trace?.traceId ?? prev.pendingTraceId) === m.trace.traceId;
  const keep = same ? prev : emptyState();
  const state: UiState = {
    ...keep,
    pendingTraceId: undefined,
    trace: m.trace,
    probe: m.probe,
    historyId: m.historyId ?? (same ? prev.historyId : undefined),
    emptyMessage: undefined,
    history: prev.history,
    compareIds: prev.compareIds,
    compare: prev.compare,
    tab: 'trace',
    labelWidth: prev.labelWidth,
    selected: m.selected ?? keep.selected,
    burst: prev.burst,
    routeCompare: prev.routeCompare,
    mode: 'trace',
    fromBurst: m.burstId,
  };
  return { state, same };
}

/** Back to the empty state: the history, comparisons and column width stay. */
export function stateForEmpty(prev: UiState, message: string | undefined): UiState {
  return {
    ...emptyState(),
    history: prev.history,
    compareIds: prev.compareIds,
    compare: prev.compare,
    emptyMessage: message,
    labelWidth: prev.labelWidth,
  };
}

/** The note beside a span after the host answered `openSource`. */
export function sourceNote(m: SourceStatusMessage): SourceNote {
  return m.ok
    ? { ok: true, text: 'Opened in the editor.' }
    : { ok: false, text: m.reason ?? 'The editor could not open this place.' };
}

/** The first stop of the tab order: straight to the waterfall, past the header's and toolbar's controls. Hidden
 *  until focused, as skip links are. */
export function skipLink(target: () => HTMLElement | undefined): HTMLElement {
  // A button, not <a href>: the panel sets no href anywhere (webview/dom.ts refuses the attribute).
  const b = el('button', { class: 'kt-skip', text: 'Skip to the waterfall' });
  b.type = 'button';
  b.addEventListener('click', () => target()?.focus());
  return b;
}

/** Puts the waterfall back as the saved state had it: folds, hidden layers, filter, zoom, width, selection, scroll. */
export function restoreWaterfall(wf: Waterfall, s: UiState, view: TraceView | undefined, restoring: boolean): void {
  wf.collapsed = new Set(s.collapsed);
  wf.collapsedLayers = new Set(s.collapsedLayers);
  wf.hiddenLayers = new Set(s.hiddenLayers);
  wf.query = s.query;
  wf.zoom = s.zoom;
  if (wf.labelWidth !== s.labelWidth) wf.setLabelWidth(s.labelWidth);
  wf.selected = s.selected !== undefined && view ? (view.byId.get(s.selected) ?? -1) : -1;
  wf.setView(view);
  wf.setScrollTop(restoring && s.scrollTop ? s.scrollTop : 0);
  if (wf.selected >= 0) wf.select(wf.selected);
}

/** The panel's two tabs: Trace (whichever of its views is shown) and History with its count. */
export function tabs(trace: HTMLElement[], count: HTMLElement, history: HTMLElement) {
  return el(
    'vscode-tabs',
    { class: 'kt-tabs', attrs: { panel: '' } },
    el('vscode-tab-header', { attrs: { slot: 'header' } }, 'Trace'),
    el('vscode-tab-panel', { class: 'kt-tab-trace' }, ...trace),
    el('vscode-tab-header', { attrs: { slot: 'header' } }, 'History ', count),
    el('vscode-tab-panel', { class: 'kt-tab-history' }, history),
  ) as HTMLElement & { selectedIndex: number };
}

/** The side pane: the selected span's details, else the trace's overview; nothing without a trace. */
export function detailsOrOverview(
  view: TraceView | undefined,
  selected: string | undefined,
  notes: ReadonlyMap<string, SourceNote>,
  ev: DetailsEvents,
): HTMLElement | null {
  if (!view) return null;
  const i = selected !== undefined ? view.byId.get(selected) : undefined;
  if (i === undefined) return overview(view);
  return renderDetails(view, i, notes.get(view.spans[i].span.spanId), ev);
}

/** `/` focuses the filter, as in VS Code's lists, unless the user is typing somewhere. */
export function slashToFilter(e: KeyboardEvent, enabled: boolean): boolean {
  const t = e.target as HTMLElement | null;
  const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'VSCODE-TEXTFIELD');
  if (e.key !== '/' || typing || !enabled) return false;
  e.preventDefault();
  return true;
}
