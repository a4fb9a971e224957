// Trace backends (Jaeger, Tempo, Zipkin) queried by trace id, over any transport (a URL, or the API server's service proxy).
import type { SpanBatch } from '../../trace/model';

export type BackendKind = 'jaeger' | 'jaeger-v3' | 'tempo' | 'zipkin';

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}
/** GET `path` (absolute, e.g. `/api/traces/abc`) on the backend. May reject on network errors and aborts. */
export type Transport = (
  path: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<TransportResponse>;

export interface Backend {
  kind: BackendKind;
  transport: Transport;
  /** Tempo only: ask for OTLP protobuf (the default) or JSON. */
  accept?: 'protobuf' | 'json';
}

export interface FetchOptions {
  /** Give up after this long (all attempts together), with a `backend-timeout` diagnostic. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** When the trace is complete enough to stop polling. Default: any span at all. */
  isComplete?: (r: SpanBatch) => boolean;
  /** First wait between attempts (default 100 ms); it grows 1.5x per attempt, up to 1 s. */
  pollIntervalMs?: number;
  /** Clock in ms (tests); default performance.now. */
  now?: () => number;
  /** One attempt only: the caller does its own polling. A 404 gives `backend-not-found`. */
  once?: boolean;
}

/** A backend found in the cluster or named by the `kubetrace.traceBackend` setting. */
export interface BackendCandidate {
  kind: BackendKind;
  /** Set for URL settings; otherwise namespace/service/port name a Service to reach through the API server. */
  url?: string;
  namespace?: string;
  service?: string;
  port?: number | string;
  /** Why this candidate was chosen, in plain words. */
  reason: string;
  /** Higher is a better guess (discovery only). */
  score?: number;
}
