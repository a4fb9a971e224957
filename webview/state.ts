// What the panel keeps across hide/show and reloads (acquireVsCodeApi().getState/setState).
import type {
  BurstCompareMessage,
  BurstMessage,
  CompareMessage,
  HistoryEntry,
  Layer,
  ProbeSummary,
  RouteCompareMessage,
  Trace,
} from '../src/protocol/messages';
import { checkHostMessage } from '../src/protocol/validate';
import { isPlainObject } from '../src/protocol/check';
import { loadState, saveState } from './api';
import { LAYERS, isOneOf } from '../src/protocol/vocabulary';

export type Tab = 'trace' | 'history';

export interface UiState {
  v: 1;
  trace?: Trace;
  probe?: ProbeSummary;
  historyId?: string;
  emptyMessage?: string;
  selected?: string;
  collapsed: string[];
  collapsedLayers: Layer[];
  hiddenLayers: Layer[];
  query: string;
  zoom?: [number, number];
  tab: Tab;
  history: HistoryEntry[];
  compareIds: string[];
  compare?: CompareMessage | BurstCompareMessage;
  /** The request set last shown, and whether the Trace tab shows it (`burst`) or a trace. */
  burst?: BurstMessage;
  mode?: 'trace' | 'burst' | 'routeCompare';
  /** The route comparison last shown ("Compare With Route..."). */
  routeCompare?: RouteCompareMessage;
  /** The shown trace is a request of this set: the panel offers a way back to it. */
  fromBurst?: string;
  scrollTop?: number;
  /** Span-name column width set with the splitter (px); kept across traces. */
  labelWidth?: number;
  /** The trace the saved UI state belongs to, when the trace itself was too big to save. */
  pendingTraceId?: string;
}

export function emptyState(): UiState {
  return {
    v: 1,
    collapsed: [],
    collapsedLayers: [],
    hiddenLayers: [],
    query: '',
    tab: 'trace',
    history: [],
    compareIds: [],
  };
}

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
const layers = (x: unknown): Layer[] => strings(x).filter((s): s is Layer => isOneOf(LAYERS, s));

/** Saved state is re-checked like a host message: it is data that came from elsewhere once. */
export function restoreState(): UiState {
  try {
    return readState(loadState());
  } catch {
    return emptyState();
  }
}

function readState(raw: unknown): UiState {
  const s = emptyState();
  if (!isPlainObject(raw) || raw.v !== 1) return s;
  if (raw.trace !== undefined) {
    const r = checkHostMessage({
      type: 'trace',
      trace: raw.trace,
      ...(raw.probe !== undefined ? { probe: raw.probe } : {}),
    });
    if (r.ok && r.message.type === 'trace') {
      s.trace = r.message.trace;
      s.probe = r.message.probe;
    }
  }
  if (raw.history !== undefined) {
    const r = checkHostMessage({ type: 'history', entries: raw.history });
    if (r.ok && r.message.type === 'history') s.history = r.message.entries;
  }
  if (raw.compare !== undefined) {
    const r = checkHostMessage(raw.compare);
    if (r.ok && (r.message.type === 'compare' || r.message.type === 'burstCompare')) s.compare = r.message;
  }
  if (raw.burst !== undefined) {
    const r = checkHostMessage(raw.burst);
    if (r.ok && r.message.type === 'burst') s.burst = r.message;
  }
  if (raw.routeCompare !== undefined) {
    const r = checkHostMessage(raw.routeCompare);
    if (r.ok && r.message.type === 'routeCompare') s.routeCompare = r.message;
  }
  if (raw.mode === 'burst' && s.burst) s.mode = 'burst';
  if (raw.mode === 'routeCompare' && s.routeCompare) s.mode = 'routeCompare';
  if (typeof raw.fromBurst === 'string') s.fromBurst = raw.fromBurst;
  if (typeof raw.historyId === 'string') s.historyId = raw.historyId;
  if (typeof raw.pendingTraceId === 'string' && !s.trace) s.pendingTraceId = raw.pendingTraceId;
  if (typeof raw.emptyMessage === 'string') s.emptyMessage = raw.emptyMessage;
  if (typeof raw.selected === 'string') s.selected = raw.selected;
  s.collapsed = strings(raw.collapsed);
  s.collapsedLayers = layers(raw.collapsedLayers);
  s.hiddenLayers = layers(raw.hiddenLayers);
  if (typeof raw.query === 'string') s.query = raw.query;
  if (
    Array.isArray(raw.zoom) &&
    raw.zoom.length === 2 &&
    raw.zoom.every((z) => typeof z === 'number' && Number.isFinite(z))
  ) {
    s.zoom = [raw.zoom[0] as number, raw.zoom[1] as number];
  }
  if (raw.tab === 'history') s.tab = 'history';
  s.compareIds = strings(raw.compareIds).slice(0, 2);
  if (typeof raw.scrollTop === 'number' && Number.isFinite(raw.scrollTop)) s.scrollTop = raw.scrollTop;
  if (typeof raw.labelWidth === 'number' && Number.isFinite(raw.labelWidth) && raw.labelWidth > 0)
    s.labelWidth = raw.labelWidth;
  return s;
}

/** Bigger traces are not copied into the saved state (VS Code keeps it as JSON): the host re-sends the
 *  current trace when the panel says `ready`, and the saved UI state (selection, zoom...) applies to it. */
export const MAX_SAVED_SPANS = 2_000;

/** A request set is saved up to this many listed requests; a bigger one comes back when the host sends it again. */
export const MAX_SAVED_REQUESTS = 5_000;

function persistable(s: UiState): UiState {
  let out =
    s.burst && s.burst.report.probes.length > MAX_SAVED_REQUESTS ? { ...s, burst: undefined, mode: undefined } : s;
  const rc = out.routeCompare;
  // Two big traces are not kept either: the comparison is shown again by running it again.
  if (rc && rc.a.spans.length + rc.b.spans.length > MAX_SAVED_SPANS)
    out = { ...out, routeCompare: undefined, mode: out.mode === 'routeCompare' ? undefined : out.mode };
  if (!out.trace || out.trace.spans.length <= MAX_SAVED_SPANS) return out;
  return { ...out, trace: undefined, probe: undefined, pendingTraceId: out.trace.traceId };
}

function write(s: UiState): void {
  try {
    saveState(persistable(s));
  } catch (e) {
    console.warn(`kubetrace: could not save the panel state: ${String(e)}`);
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;
/** Saving copies the whole state (and a big trace), so coalesce bursts of changes. */
export function scheduleSave(get: () => UiState, delayMs = 150): void {
  if (timer !== undefined) return;
  timer = setTimeout(() => {
    timer = undefined;
    write(get());
  }, delayMs);
}
export function saveNow(state: UiState): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  write(state);
}
