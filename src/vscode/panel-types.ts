// The trace panel's contract with the rest of the extension: its view type, the actions it asks the host for,
// and what it remembers of what it showed.
import type { ProbeSummary, Trace } from '../protocol/messages';

export const PANEL_VIEW_TYPE = 'kubetrace.trace';

export interface PanelActions {
  openSource(ref: import('../core/trace/model').SourceRef): Promise<{ ok: true } | { ok: false; reason: string }>;
  exportTrace(trace: Trace, format: 'otlp' | 'jaeger'): Promise<void>;
  /** Re-runs the last probe, or, after a window reload, the one the panel shows. */
  rerun(shown?: ProbeSummary): Promise<void>;
  copyCurl(): Promise<void>;
}

/** What the panel showed when it was closed, so reopening it shows the same trace and selection. */
export interface Shown {
  trace: Trace;
  probe?: ProbeSummary;
  historyId?: string;
  selected?: string;
}
