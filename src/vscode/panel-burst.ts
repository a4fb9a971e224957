// The panel's request-set side: shows a burst or a log's set, answers `openRequest` (one request's trace, with the
// way back) and `filterRequests` (the report of the narrowed set) from the RequestSet the host kept, and compares two
// request sets of the history. The webview only names a request by trace id; the host opens it only when that id
// is one of the shown set's requests.
import * as vscode from 'vscode';
import type { BurstLive, BurstReport, HostToWebview, RequestFilter, Trace } from '../protocol/messages';
import { redactTrace } from '../core/redact';
import { errorMessage } from '../core/errors';
import { loadEngine } from './engine-loader';
import { redactReport, type BurstItem, type History } from './history';
import { log } from './output';

export interface BurstHostDeps {
  history: History;
  post(m: HostToWebview): void;
  showTrace(trace: Trace, burstId: string): void;
}

export class BurstHost {
  /** The history id of the set the panel shows (or last showed, before a request of it was opened). */
  current?: string;

  constructor(private readonly d: BurstHostDeps) {}

  show(item: BurstItem, report: BurstReport = item.report): void {
    this.current = item.entry.id;
    item.filter = report === item.report ? undefined : item.filter;
    const filter = item.filter;
    this.d.post({ type: 'burst', id: item.entry.id, title: item.title, source: item.source, report, filter });
  }

  /** While a burst runs: its live counts, with the report so far (or an empty one). */
  live(id: string, title: string, report: BurstReport, live: BurstLive): void {
    this.current = undefined;
    this.d.post({ type: 'burst', id, title, source: 'burst', report: redactReport(report), live });
  }

  async openRequest(traceId: string): Promise<void> {
    const item = this.current ? this.d.history.getBurst(this.current) : undefined;
    if (!item) return;
    if (!item.report.probes.some((p) => p.traceId === traceId) && !this.shownHas(item, traceId)) {
      log.warn(`the panel asked for request ${traceId.slice(0, 64)}, which is not in the shown set`);
      return;
    }
    if (!item.set) {
      void vscode.window.showInformationMessage(
        'Kubetrace keeps the traces of the latest few request sets only; run the burst again to open its requests.',
      );
      return;
    }
    try {
      const trace = await item.set.trace(traceId);
      if (!trace) {
        void vscode.window.showInformationMessage(`Kubetrace: the trace of request ${traceId} was not kept.`);
        return;
      }
      this.d.showTrace(redactTrace(trace), item.entry.id);
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot open that request: ${errorMessage(e)}`);
    }
  }

  filter(filter: RequestFilter): void {
    const item = this.current ? this.d.history.getBurst(this.current) : undefined;
    if (!item?.set) {
      void vscode.window.showInformationMessage(
        'Kubetrace: this request set is no longer kept, so it cannot be filtered.',
      );
      return;
    }
    const empty = Object.keys(filter).length === 0;
    try {
      const report = empty ? item.report : redactReport(item.set.report(filter));
      item.filter = empty ? undefined : filter;
      this.current = item.entry.id;
      this.d.post({
        type: 'burst',
        id: item.entry.id,
        title: item.title,
        source: item.source,
        report,
        filter: item.filter,
      });
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot filter the requests: ${errorMessage(e)}`);
    }
  }

  /** Compares two request sets; false when the ids are not both request sets. */
  compare(leftId: string, rightId: string): boolean {
    const a = this.d.history.getBurst(leftId);
    const b = this.d.history.getBurst(rightId);
    if (!a || !b) return false;
    void (async () => {
      try {
        const r = (await loadEngine()).compareBursts(a.report, b.report);
        this.d.post({
          type: 'burstCompare',
          left: a.entry,
          right: b.entry,
          equal: r.equal,
          differences: r.differences,
        });
      } catch (e) {
        void vscode.window.showErrorMessage(`Cannot compare the two request sets: ${errorMessage(e)}`);
      }
    })();
    return true;
  }

  /** A filtered report lists requests the unfiltered one may have left out (it can list a sample only). */
  private shownHas(item: BurstItem, traceId: string): boolean {
    if (!item.set || !item.filter) return false;
    return item.set.report(item.filter).probes.some((p) => p.traceId === traceId);
  }
}
