// What a burst (or any set of requests, e.g. a production access log) reports: the breakdown of its latency by layer,
// by span name and by upstream pod, and which layer the tail's extra time came from. Times are milliseconds.
// `kubetrace load --json` prints a BurstReport; the panel's request-set view draws one.
import type { Diagnostic, Layer } from '../trace/model';

/** Nearest-rank percentiles of one measure. */
export interface Stats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** A layer's own time per request (the time its spans own on the request's critical path). */
export interface LayerStats extends Stats {
  layer: Layer;
  /** This layer's part of all the requests' time; the shares of a report sum to 1. */
  share: number;
}

/** One span name's durations (e.g. client `connect`, ingress `upstream.header`, orders' `SELECT stock`). */
export interface SpanStats extends Stats {
  layer: Layer;
  service: string;
  name: string;
}

export interface TailContributor {
  layer: Layer;
  service: string;
  name: string;
  extraMs: number;
}

/** What the slowest (100 - percentile)% of requests spent beyond the median request, and where. */
export interface Tail {
  percentile: number; // 99, 95 or 90: the slowest 1%, 5% or 10%
  /** The percentile's duration and the median's. */
  thresholdMs: number;
  medianMs: number;
  extraMs: number;
  /** Per layer: its share of the tail requests' time minus its share of the median request's. */
  layers: { layer: Layer; medianShare: number; tailShare: number; delta: number }[];
  biggest?: TailContributor;
  /** One sentence, e.g. "p99 is 480 ms; 410 ms of the extra time is in inventory's `SELECT stock`". */
  sentence: string;
}

export interface PodStats {
  pod: string;
  count: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The requests that failed, by status and by the layer that failed them. */
export interface ErrorStats {
  status?: number; // absent: no response (connection error, timeout)
  layer: Layer;
  count: number;
  example?: string; // a message, e.g. "upstream prematurely closed connection"
}

export interface RetryStats {
  upstream: string; // pod name, or the address when no pod is known
  retries: number;
}

export interface HistogramBin {
  lowerMs: number;
  upperMs: number;
  count: number;
}

/** One request of the set: enough to draw it and to open its full trace. */
export interface RequestSummary {
  traceId: string;
  startUnixNano: string;
  durationMs: number;
  status?: number;
  complete: boolean;
  pod?: string;
  newConnection: boolean;
  method?: string;
  path?: string;
  error?: string;
}

export interface BurstReport {
  route: string;
  requests: number;
  completed: number;
  errors: number;
  durationMs: number;
  rps: number;
  layers: LayerStats[];
  spans: SpanStats[];
  /** The slowest 1%; `tails` has 1%, 5% and 10%. */
  tail: Tail;
  tails: Tail[];
  pods: PodStats[];
  failures: ErrorStats[];
  retries: RetryStats[];
  /** Log-scale bins of the whole request's duration. */
  histogram: HistogramBin[];
  probes: RequestSummary[];
  diagnostics: Diagnostic[];
}

/** Live counts while a burst runs (progress in VS Code, a status line in the CLI). */
export interface BurstLive {
  sent: number;
  answered: number;
  traced: number;
  errors: number;
  p50?: number;
  p99?: number;
}

/** Narrows a request set (the panel's filters; all given fields must match). */
export interface RequestFilter {
  /** A status (e.g. 502), a class ("5xx"), or "error" (no response, or status >= 500). */
  status?: number | '2xx' | '3xx' | '4xx' | '5xx' | 'error';
  /** A substring of the request path. */
  path?: string;
  /** The upstream pod (or address) that served the request. */
  upstream?: string;
  fromUnixNano?: string;
  toUnixNano?: string;
}
