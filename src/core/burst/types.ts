// What the burst engine takes and gives, and what any request set (a burst, an access log) offers its viewers:
// the CLI (`kubetrace load`, `import --summary`), the VS Code panel and the agent tools.
import type { ProbeOptions } from '../probe/types';
import type { Trace } from '../trace/model';
import type { BurstLive, BurstReport, RequestFilter } from './model';

/** Hard caps, whatever the user asks for. Outside the sandbox more than `confirmAbove` requests need `--yes`. */
export const BURST_LIMITS = {
  maxRequests: 10_000,
  maxDurationMs: 600_000,
  confirmAbove: 20,
  agentMax: 50,
  maxConcurrency: 256,
} as const;

export interface BurstOptions extends Omit<ProbeOptions, 'maxWaitMs'> {
  /** How many requests (default 100), or for how long (`durationMs`); never more than BURST_LIMITS allow. */
  count?: number;
  durationMs?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** At most this many requests per second in total; absent: as fast as the concurrency allows. */
  ratePerSecond?: number;
  /** Reuse connections like a client pool (default true); false opens a connection per request. */
  keepAlive?: boolean;
  /** Keep every trace so that `trace(id)` can return it (VS Code: yes; the CLI's `--json`: no, to bound memory). */
  keepTraces?: boolean;
  onLive?: (live: BurstLive) => void;
}

/** A set of requests that can be broken down, narrowed and opened one by one. */
export interface RequestSet {
  report(filter?: RequestFilter): BurstReport;
  /** One request's full trace, or undefined when it was not kept. */
  trace(traceId: string): Promise<Trace | undefined>;
}
