// The report of a request set until every measure has its accumulator: counts, rate and every request's summary.
import type { Diagnostic } from '../trace/model';
import type { BurstReport, RequestSummary, Tail } from './model';

export interface ReportMeta {
  route: string;
  durationMs: number;
  diagnostics: Diagnostic[];
}

export function basicReport(meta: ReportMeta, probes: RequestSummary[]): BurstReport {
  const errors = probes.filter((p) => p.error !== undefined || (p.status ?? 0) >= 500).length;
  const answered = probes.filter((p) => p.status !== undefined).length;
  const tail: Tail = { percentile: 99, thresholdMs: 0, medianMs: 0, extraMs: 0, layers: [], sentence: '' };
  return {
    route: meta.route,
    requests: probes.length,
    completed: probes.filter((p) => p.complete).length,
    errors,
    durationMs: meta.durationMs,
    rps: meta.durationMs > 0 ? answered / (meta.durationMs / 1000) : 0,
    layers: [],
    spans: [],
    tail,
    tails: [],
    pods: [],
    failures: [],
    retries: [],
    histogram: [],
    probes,
    diagnostics: meta.diagnostics,
  };
}
