// Open Trace File on an access log with many requests: the request-set view of the whole log (summarizeLog,
// streamed with progress) instead of its first 200 requests as traces. Small logs, other formats, and a build
// without the log summary keep the trace-by-trace import (src/vscode/trace-files.ts).
import { join } from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { loadEngine } from './engine-loader';
import type { BurstItem, History } from './history';
import { log } from './output';

/** A log with more requests than this opens as a request set. */
export const LOG_SET_MIN_REQUESTS = 20;

/** The opened set; 'cancelled'; or undefined when the file should be imported trace by trace. */
export async function openLogSet(uri: vscode.Uri, history: History): Promise<BurstItem | 'cancelled' | undefined> {
  const engine = await loadEngine();
  const opened = await engine.openImport(uri.fsPath);
  if (!opened.format.endsWith('-log')) return undefined;
  const name = uri.path.split('/').pop() ?? 'access log';
  const abort = new AbortController();
  try {
    const set = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading ${name}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let done = 0;
        return engine.summarizeLog(uri.fsPath, {
          signal: abort.signal,
          // Shipped next to this bundle: a big log is read by worker threads too (core/burst/log-parallel.ts).
          workerScript: join(__dirname, 'log-worker.js'),
          onProgress: (p) => {
            const pct = p.totalBytes ? Math.floor((p.bytes / p.totalBytes) * 100) : 0;
            progress.report({ message: `${p.requests.toLocaleString('en-US')} requests`, increment: pct - done });
            done = pct;
          },
        });
      },
    );
    if (set.requests <= LOG_SET_MIN_REQUESTS) return undefined;
    const report = set.report();
    log.info(`opened ${uri.fsPath} as a request set: ${set.requests} requests, ${report.errors} errors`);
    return history.addBurst({ title: name, source: 'log', set, report, time: new Date().toISOString() });
  } catch (e) {
    if (abort.signal.aborted) return 'cancelled';
    log.warn(`${uri.fsPath}: no request-set view (${errorMessage(e)}); importing it trace by trace`);
    return undefined;
  }
}
