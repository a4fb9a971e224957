// How a probe's outcome goes into the session's history (and so into the panel's History tab): the same for a
// single probe and for each probe of a route comparison.
import type { ProbeOutcome } from '../core/probe/run';
import { redact } from '../core/redact';
import type { Trace } from '../core/trace/model';
import type { History, HistoryItem } from './history';

/** `https://shop.test:8443/orders?kt=…` -> `shop.test/orders`: what tells two probes of one route apart. */
export function hostPath(url: string): string {
  try {
    const u = new URL(url);
    return redact(`${u.hostname}${u.pathname}`);
  } catch {
    return redact(url);
  }
}

/** `trace` is the outcome's trace with sources mapped, when they were (a comparison keeps it as it came). */
export function recordProbe(
  history: History,
  target: string,
  method: string,
  outcome: ProbeOutcome,
  trace: Trace = outcome.trace,
  rerun?: () => Promise<void>,
): HistoryItem {
  const common = {
    status: outcome.response.status,
    durationMs: outcome.timings.exchangeMs,
    error: outcome.response.error?.message,
  };
  return history.add({
    trace,
    curl: outcome.curl,
    probe: { target, method, url: outcome.url, via: outcome.target.kind, ...common },
    entry: {
      time: new Date().toISOString(),
      target,
      traceId: trace.traceId,
      method,
      url: hostPath(outcome.url),
      ...common,
    },
    rerun,
  });
}
