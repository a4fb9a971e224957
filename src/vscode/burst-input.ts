// What "Send Probe Burst..." checks and shows, without VS Code: the input boxes' rules (BURST_LIMITS), when a
// burst needs the user's consent, the live counts as one line, and the empty report shown until the first results.
import { BURST_LIMITS } from '../core/burst/types';
import type { BurstLive, BurstReport } from '../protocol/messages';

export interface BurstShape {
  count: number;
  concurrency: number;
  ratePerSecond?: number;
}

const MAX_CONCURRENCY = 64;

/** Input-box checks: an error message, or undefined when the value is fine. */
export function checkCount(v: string): string | undefined {
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 1 && n <= BURST_LIMITS.maxRequests
    ? undefined
    : `a whole number from 1 to ${BURST_LIMITS.maxRequests.toLocaleString('en-US')}`;
}
export function checkConcurrency(v: string): string | undefined {
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY
    ? undefined
    : `a whole number from 1 to ${MAX_CONCURRENCY}`;
}
export function checkRate(v: string): string | undefined {
  if (!v.trim()) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && n > 0 && n <= 10_000
    ? undefined
    : 'requests per second above 0 (at most 10,000), or empty';
}

/** Whether a burst needs the user's consent: outside the sandbox, above the cap or not a GET. */
export function needsConsent(sandbox: boolean, count: number, method: string, body?: string): boolean {
  return !sandbox && (count > BURST_LIMITS.confirmAbove || method !== 'GET' || !!body);
}

export function liveText(l: BurstLive): string {
  const ms = (v?: number) => (v === undefined ? '—' : `${v.toFixed(v < 10 ? 1 : 0)} ms`);
  return `${l.sent} sent · ${l.answered} answered · ${l.traced} traced · ${l.errors} errors · p50 ${ms(l.p50)} · p99 ${ms(l.p99)}`;
}

/** A report of no requests yet, shown with the live counts until the burst ends. */
export function emptyReport(route: string): BurstReport {
  const tail = { percentile: 99, thresholdMs: 0, medianMs: 0, extraMs: 0, layers: [], sentence: '' };
  return {
    ...{ route, requests: 0, completed: 0, errors: 0, durationMs: 0, rps: 0, layers: [], spans: [], tail, tails: [] },
    ...{ pods: [], failures: [], retries: [], histogram: [], probes: [], diagnostics: [] },
  };
}
