// Open Trace File... (import) and Export Trace (OTLP / Jaeger JSON), with secrets redacted on the way out.
import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import { loadEngine } from './engine-loader';
import { redactTrace } from '../core/redact';
import type { Trace } from '../core/trace/model';
import { errorMessage } from '../core/errors';
import { log } from './output';

export async function importTraceFile(uri: vscode.Uri): Promise<{ traces: Trace[]; problems: string[] }> {
  const opened = await (await loadEngine()).openImport(uri.fsPath);
  const traces: Trace[] = [];
  const problems: string[] = [];
  for await (const item of opened.items) {
    if ('trace' in item) traces.push(item.trace);
    else if ('lineNumber' in item) problems.push(`line ${item.lineNumber}: ${item.error}`);
    else if ('diagnostic' in item) problems.push(item.diagnostic.message);
    if (traces.length >= 200) {
      problems.push('only the first 200 traces are shown');
      break;
    }
  }
  log.info(`imported ${uri.fsPath} as ${opened.format}: ${traces.length} trace(s), ${problems.length} problem(s)`);
  for (const p of problems.slice(0, 50)) log.warn(`${uri.fsPath}: ${p}`);
  return { traces, problems };
}

export async function exportTraceFile(trace: Trace, format: 'otlp' | 'jaeger'): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    title: `Export trace as ${format === 'otlp' ? 'OTLP JSON' : 'Jaeger JSON'}`,
    defaultUri: vscode.Uri.file(
      `${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '.'}/trace-${trace.traceId.slice(0, 8)}.${format}.json`,
    ),
    filters: { JSON: ['json'] },
  });
  if (!target) return;
  try {
    await writeFile(target.fsPath, (await loadEngine()).exportTraces([redactTrace(trace)], format));
    void vscode.window
      .showInformationMessage(`Trace exported to ${target.fsPath}`, 'Open', 'Reveal in Explorer')
      .then((a) => {
        if (a === 'Open') void vscode.window.showTextDocument(target, { preview: false });
        else if (a === 'Reveal in Explorer') void vscode.commands.executeCommand('revealInExplorer', target);
      });
  } catch (e) {
    void vscode.window.showErrorMessage(`Export failed: ${errorMessage(e)}`);
  }
}
