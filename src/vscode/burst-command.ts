// "Send Probe Burst...": asks how many requests, how many in flight and at what rate (checked against BURST_LIMITS),
// asks for consent outside the sandbox (more than BURST_LIMITS.confirmAbove requests, or anything but a GET), runs
// the burst with a cancellable progress notification and live counts, and shows the request set in the panel.
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { isSandbox } from '../core/kube/sandbox';
import { requestDetail } from '../core/probe/consent-text';
import { confirmSend } from './consent';
import type { BurstLive, BurstReport } from '../protocol/messages';
import {
  checkConcurrency,
  checkCount,
  checkRate,
  emptyReport,
  liveText,
  needsConsent,
  type BurstShape,
} from './burst-input';
import { readSettings } from './config';
import type { Cluster } from './cluster';
import { loadEngine } from './engine-loader';
import type { BurstItem, History } from './history';
import { log } from './output';
import { requestOptions, type ProbeRequest } from './probe-command';

export interface BurstDeps {
  cluster: Cluster;
  history: History;
  /** Shows live counts while the burst runs (throttled by the caller's panel). */
  live(id: string, title: string, report: BurstReport, live: BurstLive): void;
  show(item: BurstItem): void;
}

export async function askShape(title: string): Promise<BurstShape | undefined> {
  const box = (step: string, prompt: string, value: string, validateInput: (v: string) => string | undefined) =>
    vscode.window.showInputBox({ title: `${title} (${step})`, prompt, value, ignoreFocusOut: true, validateInput });
  const count = await box('1/3', 'How many requests?', '100', checkCount);
  if (count === undefined) return undefined;
  const concurrency = await box('2/3', 'How many in flight at once?', '4', checkConcurrency);
  if (concurrency === undefined) return undefined;
  const rate = await box(
    '3/3',
    'At most how many requests per second? (empty: as fast as the concurrency allows)',
    '',
    checkRate,
  );
  if (rate === undefined) return undefined;
  return {
    count: Number(count),
    concurrency: Number(concurrency),
    ratePerSecond: rate.trim() ? Number(rate) : undefined,
  };
}

let liveCounter = 0;

export async function sendBurst(req: ProbeRequest, deps: BurstDeps): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Probes are off until this workspace is trusted.');
    return;
  }
  const { cluster } = deps;
  if (!cluster.config || !cluster.api) {
    void vscode.window.showErrorMessage('Kubetrace: no cluster is loaded.');
    return;
  }
  const route = `${req.entry.namespace}/${req.entry.name}`;
  const method = (req.method ?? 'GET').toUpperCase();
  const shape = await askShape(`Burst through ${route}`);
  if (!shape) return;
  const config = cluster.config;
  const api = cluster.api;
  const consent = needsConsent(isSandbox(config), shape.count, method, req.body);
  if (consent) {
    const ok = await confirmSend({
      title: `Send ${shape.count} ${method} requests to ${req.host}${req.path} on ${config.contextName}?`,
      why: `This is a real cluster: the burst adds load${method === 'GET' && !req.body ? '' : ' and may change data'}.`,
      action: 'Send Burst',
      detail: requestDetail(req.headers, req.body),
    });
    if (!ok) return;
  }
  const settings = readSettings();
  const title = `${shape.count} × ${method} ${req.host ?? ''}${req.path ?? ''}`;
  const liveId = `live${++liveCounter}`;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Burst through ${route}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let shownAt = 0;
      let done = 0;
      try {
        const { runBurst } = await loadEngine();
        const set = await runBurst({
          ...requestOptions(req, settings),
          config,
          api,
          method,
          confirmed: consent || isSandbox(config),
          signal: abort.signal,
          count: shape.count,
          concurrency: shape.concurrency,
          ratePerSecond: shape.ratePerSecond,
          keepTraces: true,
          onProgress: (message) => progress.report({ message }),
          onLive: (l) => {
            const increment = ((l.answered - done) / shape.count) * 100;
            done = l.answered;
            progress.report({ message: liveText(l), increment });
            // The panel gets at most four updates a second; the notification takes every one.
            const now = Date.now();
            if (now - shownAt >= 250) {
              shownAt = now;
              deps.live(liveId, title, emptyReport(route), l);
            }
          },
        });
        const report = set.report();
        const item = deps.history.addBurst({ title, source: 'burst', set, report, time: new Date().toISOString() });
        log.info(
          `burst ${title} on ${route}: ${report.requests} requests, ${report.errors} errors; ${report.tail.sentence}`,
        );
        deps.show(item);
      } catch (e) {
        if (abort.signal.aborted) {
          log.info('burst cancelled');
          return;
        }
        log.error(`burst failed: ${errorMessage(e)}`);
        const hint = (e as { hint?: string }).hint;
        void vscode.window.showErrorMessage(`Burst failed: ${errorMessage(e)}${hint ? `. Hint: ${hint}` : ''}`);
      }
    },
  );
}
