// The question asked before Kubetrace sends something that may change a real cluster. A quick pick rather than a
// modal dialog, so that the default (Enter) is Cancel: the user must choose to send.
import * as vscode from 'vscode';

export async function confirmSend(o: { title: string; why: string; action: string; detail: string }) {
  const cancel: vscode.QuickPickItem = { label: '$(close) Cancel', description: 'send nothing' };
  const send: vscode.QuickPickItem = { label: `$(warning) ${o.action}`, detail: o.detail };
  const pick = await vscode.window.showQuickPick([cancel, send], {
    title: o.title,
    placeHolder: `${o.why} Enter cancels; choose "${o.action}" to send.`,
    ignoreFocusOut: true,
  });
  return pick === send;
}
