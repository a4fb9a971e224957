// A burst: many traced probes through one route, sharing the probe's stages (docs/ARCHITECTURE.md, "How a probe
// flows through the code"): the route is resolved once, the target opened once (one port-forward for all), every
// request is sent by probe/send.ts with its own trace id and marks, and the spans of all of them are collected in
// bulk (collect.ts) and assembled one trace at a time by probe/finish.ts.
import { setMaxListeners } from 'node:events';
import { UsageError } from '../errors';
import { isSandbox } from '../kube/sandbox';
import { chooseTraceBackend } from '../probe/backend';
import { Connections } from '../probe/connections';
import { AbortList, secureContextFor } from '../probe/http';
import { resolveIngress } from '../probe/resolve';
import { resolveHTTPRoute } from '../probe/resolve-route';
import { routeKind } from '../probe/route-ref';
import { forwardDiagnostics, newProbeIds, probeCa, sendOnTarget, type Sent } from '../probe/send';
import type { Diagnostic, Trace } from '../trace/model';
import { BurstCollector } from './collect';
import { LiveCounts } from './live';
import type { RequestFilter, RequestSummary } from './model';
import { runPool } from './pool';
import { RequestBreakdown } from './breakdown';
import { requestSummary } from './summary';
import { BURST_LIMITS, type BurstOptions, type RequestSet } from './types';

export interface BurstRun extends RequestSet {
  route: string;
  /** Requests answered (or failed) and traced, complete or not. */
  requests: RequestSummary[];
  /** How many traces were complete. */
  traces: number;
  /** The trace ids of the requests whose trace was still incomplete when the burst stopped waiting. */
  incomplete: string[];
  /** From the first request out to the last answer. */
  durationMs: number;
  /** How many traces were complete within `ms` after the last answer (the rest later, or never). */
  completedWithin(ms: number): number;
  diagnostics: Diagnostic[];
}

/** Checks the caps and the consent before anything is sent; returns the count (undefined for a duration). */
export function checkBurst(o: BurstOptions): void {
  const { maxRequests, maxDurationMs, confirmAbove } = BURST_LIMITS;
  if (o.count !== undefined && o.durationMs !== undefined)
    throw new UsageError('a burst is a count or a duration, not both', 'use -n COUNT or --duration D');
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 1 || o.count > maxRequests))
    throw new UsageError(`a burst sends 1 to ${maxRequests} requests, not ${o.count}`);
  if (o.durationMs !== undefined && (!(o.durationMs > 0) || o.durationMs > maxDurationMs))
    throw new UsageError(`a burst lasts at most ${maxDurationMs / 1000} s`);
  const c = o.concurrency ?? 4;
  if (!Number.isInteger(c) || c < 1 || c > BURST_LIMITS.maxConcurrency)
    throw new UsageError(`the concurrency is 1 to ${BURST_LIMITS.maxConcurrency}, not ${c}`);
  if (o.ratePerSecond !== undefined && !(o.ratePerSecond > 0)) throw new UsageError('the rate must be above 0');
  const count = o.durationMs !== undefined ? undefined : (o.count ?? 100);
  if ((count === undefined || count > confirmAbove) && !isSandbox(o.config) && !o.confirmed)
    throw new UsageError(
      `a burst of ${count ?? 'up to ' + maxRequests} requests to a cluster that is not the Kubetrace sandbox needs confirmation`,
      `add --yes to send more than ${confirmAbove} requests`,
    );
}

export async function runBurst(o: BurstOptions): Promise<BurstRun> {
  checkBurst(o);
  const progress = o.onProgress ?? (() => {});
  const kind = await routeKind(o.api, { kind: o.kind, namespace: o.namespace, name: o.name }, o.signal);
  const r = kind === 'HTTPRoute' ? await resolveHTTPRoute(o, progress) : await resolveIngress(o, progress);
  const route = `${r.route.kind === 'HTTPRoute' ? 'httproute/' : ''}${o.namespace}/${o.name}`;
  progress(r.viaPortForward ? 'opening a port-forward to the controller' : 'opening the target');
  const target = await r.openTarget();
  const concurrency = o.concurrency ?? 4;
  const keepAlive = o.keepAlive !== false;
  // At most `concurrency` requests are in flight, so the pool never holds more connections than that.
  const pool = keepAlive ? new Connections() : undefined;
  const backend = chooseTraceBackend({
    api: o.api,
    snapshot: r.snapshot,
    setting: o.traceBackend,
    namespace: o.namespace,
  });
  const live = new LiveCounts(o.onLive);
  const requests: RequestSummary[] = [];
  const kept = new Map<string, Trace>();
  // Each trace's numbers go into the breakdown as it completes; the trace itself is kept only when asked.
  const breakdown = new RequestBreakdown({
    route,
    maxProbes: BURST_LIMITS.maxRequests,
    lookup: async (id) => kept.get(id),
  });
  const incomplete: string[] = [];
  const completedAt: number[] = [];
  const collector = new BurstCollector({
    api: o.api,
    r,
    target,
    backend: backend.backends[0],
    holdUntilLast: o.count !== undefined && o.count <= HOLD_UNTIL_LAST_MAX ? o.count : 0,
    onTrace: (trace: Trace, sent: Sent, complete: boolean) => {
      const summary = requestSummary(trace, sent, r.method, complete);
      requests.push(summary);
      breakdown.add(trace, summary);
      if (o.keepTraces) kept.set(trace.traceId, trace);
      if (!complete) incomplete.push(trace.traceId);
      else completedAt.push(performance.now());
    },
    // Counted when decided, so the live count keeps up while assembling waits for the last answer.
    onDecided: () => {
      live.traced++;
      live.tick();
    },
  });
  const stop = new AbortController();
  // Every worker waiting for its slot (and the collector's polls) listens on this one signal: up to the concurrency
  // cap at once is expected, not a leak, so Node's default warning at 10 listeners would only alarm the user.
  setMaxListeners(BURST_LIMITS.maxConcurrency + 32, stop.signal);
  const onAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  // The requests in flight are cut short through one listener for all of them.
  const aborts = new AbortList(stop.signal);
  const ca = probeCa(o);
  // Parsing the CA set (tens of milliseconds) happens now, not in the first request of the timed part.
  if (target.scheme === 'https' && ca.length) secureContextFor(ca);
  const sending = { done: false };
  let first: number | undefined;
  let last = performance.now();
  progress('opening the logs');
  await collector.open(stop.signal);
  progress('sending');
  const collecting = collector.run(sending, () => last + WAIT_AFTER_LAST_MS, stop.signal);
  try {
    await runPool(
      {
        count: o.count,
        durationMs: o.durationMs,
        maxRequests: BURST_LIMITS.maxRequests,
        concurrency,
        ratePerSecond: o.ratePerSecond,
        signal: stop.signal,
      },
      async () => {
        const ids = newProbeIds();
        collector.expect(ids);
        live.sent++;
        first ??= performance.now();
        const sent = await sendOnTarget({ ...o, signal: stop.signal }, r, target, {
          ca,
          ids,
          pool,
          aborts,
        });
        // A request cut short by cancellation is not a result.
        if (stop.signal.aborted && sent.res.error) return;
        last = performance.now();
        collector.answered(sent);
        live.answer(
          Number(sent.clientWindow.endUnixNano - sent.clientWindow.startUnixNano) / 1e6,
          !!sent.res.error || (sent.res.status ?? 0) >= 500,
        );
      },
    );
  } finally {
    sending.done = true;
    pool?.destroy();
    if (target.forward) await target.forward.close().catch(() => {});
  }
  progress('collecting spans');
  const failures = await collecting;
  o.signal?.removeEventListener('abort', onAbort);
  live.tick(true);
  const durationMs = first === undefined ? 0 : last - first;
  const diagnostics: Diagnostic[] = [
    ...r.diagnostics,
    ...backend.diagnostics,
    ...forwardDiagnostics(target),
    ...collector.diagnostics,
  ];
  for (const f of failures)
    diagnostics.push({
      code: 'source-failed',
      severity: 'warning',
      message: f,
      hint: 'the traces show what the other feeds gave',
    });
  if (incomplete.length)
    diagnostics.push({
      code: 'burst-incomplete',
      severity: 'warning',
      message: `${incomplete.length} of ${requests.length} traces were incomplete when the burst stopped waiting`,
      hint: 'each has a burst-trace-incomplete diagnostic naming what was missing',
    });
  requests.sort((a, b) => (BigInt(a.startUnixNano) < BigInt(b.startUnixNano) ? -1 : 1));
  return {
    route,
    requests,
    traces: requests.length - incomplete.length,
    incomplete,
    durationMs,
    diagnostics,
    completedWithin: (ms: number) => completedAt.filter((t) => t - last <= ms).length,
    report: (filter?: RequestFilter) => {
      const report = breakdown.report(filter);
      report.diagnostics.push(...diagnostics);
      return report;
    },
    trace: (traceId: string) => breakdown.trace(traceId),
  };
}

/** A burst of up to this many requests assembles its traces after its last answer (BurstCollector). */
const HOLD_UNTIL_LAST_MAX = 1000;

/** The burst stops waiting for spans this long after its last answer (docs/ARCHITECTURE.md: a probe waits 5 s). */
const WAIT_AFTER_LAST_MS = 5000;
