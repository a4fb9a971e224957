// Jump to source: the ref must belong to the current trace (checked by the panel), and its file must lie in an
// allowed root (workspace folders, nginx source cache, nginx.sourcePath, the sandbox's nginx config).
import * as vscode from 'vscode';
import { checkAllowed, isLivePath } from '../core/sourcemap/roots';
import type { SourceRef } from '../core/trace/model';
import { LIVE_URI_SCHEME } from './live-docs';
import { errorMessage } from '../core/errors';

/** Opens `ref` beside the trace panel (never on top of it). */
export async function openSourceRef(
  ref: SourceRef,
  roots: string[],
  panelColumn?: vscode.ViewColumn,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let uri: vscode.Uri;
  if (isLivePath(ref.path)) {
    uri = vscode.Uri.from({ scheme: LIVE_URI_SCHEME, path: ref.path.slice('kubetrace-live:'.length) });
  } else {
    const allowed = checkAllowed(ref.path, roots);
    if (!allowed.ok) return { ok: false, reason: allowed.reason };
    uri = vscode.Uri.file(allowed.real);
  }
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = Math.max(0, Math.min((ref.line ?? 1) - 1, doc.lineCount - 1));
    const endLine = ref.endLine ? Math.max(line, Math.min(ref.endLine - 1, doc.lineCount - 1)) : line;
    const range = new vscode.Range(line, 0, endLine, doc.lineAt(endLine).text.length);
    const column = panelColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: column,
      preview: true,
      selection: new vscode.Range(line, 0, line, 0),
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.setDecorations(highlight(), [range]);
    setTimeout(() => editor.setDecorations(highlight(), []), 4000);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `cannot open ${ref.path}: ${errorMessage(e)}` };
  }
}

let deco: vscode.TextEditorDecorationType | undefined;
function highlight(): vscode.TextEditorDecorationType {
  deco ??= vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    isWholeLine: true,
  });
  return deco;
}
