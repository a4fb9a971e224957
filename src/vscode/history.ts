// The session's probes, imports and request sets (bursts, big access logs), newest first. Traces are kept with
// secrets redacted; a request set keeps its RequestSet (for filters and opening one request) only while it is
// among the latest few, since it may hold every trace of the burst.
import type { BurstReport, HistoryEntry, ProbeSummary, RequestFilter, Trace } from '../protocol/messages';
import { redact, redactTrace } from '../core/redact';
import type { CurlRequest } from '../core/probe/curl';
import type { RequestSet } from '../core/burst/types';

export interface HistoryItem {
  entry: HistoryEntry;
  trace: Trace;
  probe?: ProbeSummary;
  curl?: CurlRequest;
  rerun?: () => Promise<void>;
}

export interface BurstItem {
  entry: HistoryEntry;
  title: string;
  source: 'burst' | 'log';
  /** The unfiltered report. */
  report: BurstReport;
  set?: RequestSet;
  filter?: RequestFilter;
}

const MAX = 50;
const MAX_BURSTS = 20;
/** Request sets that keep their RequestSet (and with it, their traces). */
const KEEP_SETS = 3;

/** Paths and messages from a log may carry tokens in their query: redacted like everything else kept. */
export function redactReport(r: BurstReport): BurstReport {
  return {
    ...r,
    probes: r.probes.map((p) => ({
      ...p,
      ...(p.path !== undefined ? { path: redact(p.path) } : {}),
      ...(p.error !== undefined ? { error: redact(p.error) } : {}),
    })),
    failures: r.failures.map((f) => (f.example === undefined ? f : { ...f, example: redact(f.example) })),
  };
}

export class History {
  private items: HistoryItem[] = [];
  private bursts: BurstItem[] = [];
  private counter = 0;

  add(item: Omit<HistoryItem, 'entry'> & { entry: Omit<HistoryEntry, 'id'> }): HistoryItem {
    const full: HistoryItem = {
      ...item,
      trace: redactTrace(item.trace),
      entry: { ...item.entry, id: `h${++this.counter}` },
    };
    this.items.unshift(full);
    if (this.items.length > MAX) this.items.length = MAX;
    return full;
  }
  addBurst(item: Omit<BurstItem, 'entry' | 'report'> & { report: BurstReport; time: string }): BurstItem {
    const report = redactReport(item.report);
    const full: BurstItem = {
      title: item.title,
      source: item.source,
      set: item.set,
      report,
      entry: {
        id: `b${++this.counter}`,
        time: item.time,
        target: item.title,
        traceId: '',
        burst: {
          requests: report.requests,
          errors: report.errors,
          p50Ms: report.tail.medianMs,
          p99Ms: report.tails.find((t) => t.percentile === 99)?.thresholdMs ?? report.tail.thresholdMs,
        },
      },
    };
    this.bursts.unshift(full);
    if (this.bursts.length > MAX_BURSTS) this.bursts.length = MAX_BURSTS;
    for (const b of this.bursts.slice(KEEP_SETS)) b.set = undefined;
    return full;
  }
  get(id: string): HistoryItem | undefined {
    return this.items.find((i) => i.entry.id === id);
  }
  getBurst(id: string): BurstItem | undefined {
    return this.bursts.find((i) => i.entry.id === id);
  }
  latest(): HistoryItem | undefined {
    return this.items[0];
  }
  latestBurst(): BurstItem | undefined {
    return this.bursts[0];
  }
  probes(): HistoryItem[] {
    return this.items.filter((i) => i.probe);
  }
  entries(): HistoryEntry[] {
    const all = [...this.items.map((i) => i.entry), ...this.bursts.map((b) => b.entry)];
    // Newest first; ids count up, so they break ties of the same millisecond.
    return all.sort((a, b) => b.time.localeCompare(a.time) || Number(b.id.slice(1)) - Number(a.id.slice(1)));
  }
}
