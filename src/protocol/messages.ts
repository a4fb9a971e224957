// Messages between the extension host and the trace panel webview: one tagged union each way.
// Types, and the small closed lists they use. The trace itself is the core model, imported as types so the
// webview bundle carries no core code.
import type { Layer, SourceRef, Trace } from '../core/trace/model';
import type { BurstLive, BurstReport, RequestFilter } from '../core/burst/model';
import type { RouteComparison } from '../core/compare/run';

export type {
  Attributes,
  AttributeValue,
  Diagnostic,
  Layer,
  Severity,
  SourceRef,
  Span,
  SpanEvent,
  SpanLink,
  Step,
  Trace,
} from '../core/trace/model';
export type { CompareSide, RouteComparison } from '../core/compare/run';
export type { Difference } from '../core/compare/diff';
export type {
  BurstLive,
  BurstReport,
  ErrorStats,
  HistogramBin,
  LayerStats,
  PodStats,
  RequestFilter,
  RequestSummary,
  SpanStats,
  Stats,
  Tail,
} from '../core/burst/model';

export const VIAS = ['load-balancer', 'port-forward'] as const;
export const EXPORT_FORMATS = ['otlp', 'jaeger'] as const;
export const COPY_WHATS = ['traceId', 'curl'] as const;
/** Where a request set came from: a burst this session sent, or an access log that was opened. */
export const SET_SOURCES = ['burst', 'log'] as const;
/** RequestFilter's status classes (src/core/burst/model.ts). */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'error'] as const;

/** What the panel shows above the waterfall for a probe (absent for imported traces). */
export interface ProbeSummary {
  target: string; // e.g. "default/orders"
  method: string; // e.g. "GET"
  url: string; // shown as text only, never as a link
  status?: number; // HTTP status; absent when no response came back
  durationMs?: number; // the client's view of the whole exchange
  via?: (typeof VIAS)[number];
  error?: string; // why the probe got no response, in plain words
}

/** One earlier probe or import of this session. */
export interface HistoryEntry {
  id: string;
  time: string; // ISO 8601
  target: string;
  traceId: string;
  method?: string;
  /** Host and path of a probe (`shop.test/orders/fail`), so two probes of one route tell apart; redacted. */
  url?: string;
  status?: number;
  durationMs?: number;
  error?: string;
  /** Set for a burst or a log's request set (then `traceId` is empty): what the history list shows of it. */
  burst?: BurstEntry;
}

export interface BurstEntry {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** One difference between two bursts, as compareBursts (src/core/burst/) reports it; a side is absent when that
 *  row (a layer, a span name) is not in that set. */
export interface BurstDifference {
  what: string;
  a?: number | string;
  b?: number | string;
  severity: 'info' | 'warning' | 'error';
}

/** One line of a comparison; `layer: 'total'` is the whole trace. Missing sides mean the layer had no spans. */
export interface CompareRow {
  layer: Layer | 'total';
  leftMs?: number;
  rightMs?: number;
  diffMs?: number; // right - left, when both exist
}

// ---- host -> webview ----
export interface TraceMessage {
  type: 'trace';
  trace: Trace;
  probe?: ProbeSummary;
  historyId?: string;
  /** The span to select: the one the user had selected when the panel was closed and reopened. */
  selected?: string;
  /** The trace is one request of this burst (opened from the request-set view): the panel offers a way back. */
  burstId?: string;
}
/** A request set (a burst, or an access log): its report under `filter`, and while a burst runs, its live counts. */
export interface BurstMessage {
  type: 'burst';
  id: string;
  title: string;
  source: (typeof SET_SOURCES)[number];
  report: BurstReport;
  live?: BurstLive;
  filter?: RequestFilter;
}
/** The host's answer to `compare` when both history entries are request sets. */
export interface BurstCompareMessage {
  type: 'burstCompare';
  left: HistoryEntry;
  right: HistoryEntry;
  equal: boolean;
  differences: BurstDifference[];
}
export interface HistoryMessage {
  type: 'history';
  entries: HistoryEntry[];
  currentId?: string;
}
/** `done: true` hides the progress display; `fraction` in [0, 1], absent for "busy, amount unknown". */
export interface ProgressMessage {
  type: 'progress';
  message: string;
  fraction?: number;
  done?: boolean;
}
export interface CompareMessage {
  type: 'compare';
  left: HistoryEntry;
  right: HistoryEntry;
  rows: CompareRow[];
}
/** "Compare With Route...": what differs between two routes' answers, with the first probe's trace of each side.
 *  The history ids, when given, let the panel open a side's trace in the Trace view (where sources open). */
export interface RouteCompareMessage {
  type: 'routeCompare';
  comparison: RouteComparison;
  a: Trace;
  b: Trace;
  aHistoryId?: string;
  bHistoryId?: string;
}
/** The host's answer to `openSource`: opened, or refused with a reason the panel shows beside the span. */
export interface SourceStatusMessage {
  type: 'sourceStatus';
  spanId: string;
  ok: boolean;
  reason?: string;
}
/** Back to the empty state, optionally with a line saying why (e.g. "The probe failed: connection refused"). */
export interface EmptyMessage {
  type: 'empty';
  message?: string;
}

export type HostToWebview =
  | TraceMessage
  | BurstMessage
  | BurstCompareMessage
  | HistoryMessage
  | ProgressMessage
  | CompareMessage
  | RouteCompareMessage
  | SourceStatusMessage
  | EmptyMessage;

// ---- webview -> host ----
export interface ReadyMessage {
  type: 'ready';
}
/** The host must find `ref` on that span of the current trace (see findSpanSourceRef) before opening anything. */
export interface OpenSourceMessage {
  type: 'openSource';
  spanId: string;
  ref: SourceRef;
}
export interface SelectHistoryMessage {
  type: 'selectHistory';
  id: string;
}
export interface CompareRequestMessage {
  type: 'compare';
  leftId: string;
  rightId: string;
}
export interface ExportMessage {
  type: 'export';
  format: (typeof EXPORT_FORMATS)[number];
}
export interface CopyMessage {
  type: 'copy';
  what: (typeof COPY_WHATS)[number];
}
export interface RerunMessage {
  type: 'rerun';
}
/** The user selected a span: the host remembers it, so a reopened panel selects it again. */
export interface SelectSpanMessage {
  type: 'selectSpan';
  spanId: string;
}

/** Open one request of the shown request set: the host answers with its `trace` (carrying `burstId`). */
export interface OpenRequestMessage {
  type: 'openRequest';
  traceId: string;
}
/** Narrow the shown request set: the host answers with a `burst` message of report(filter). */
export interface FilterRequestsMessage {
  type: 'filterRequests';
  filter: RequestFilter;
}

export type WebviewToHost =
  | ReadyMessage
  | OpenSourceMessage
  | SelectHistoryMessage
  | CompareRequestMessage
  | ExportMessage
  | CopyMessage
  | RerunMessage
  | SelectSpanMessage
  | OpenRequestMessage
  | FilterRequestsMessage;
