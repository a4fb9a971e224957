// A stand-in for a chat agent, used only by Kubetrace's e2e tests: no chat model runs on these machines, so this
// extension calls the kubetrace_probe tool the way an agent's tool call reaches it, through vscode.lm.invokeTool.
// Without a chat session (no toolInvocationToken) VS Code still runs the tool's prepareInvocation and, when it
// returns confirmationMessages, asks the user in a modal dialog before invoke; that dialog is what the test reads.
// Each outcome is one line in the "Agent Stand-in" log: "result: <first lines>", "cancelled" or "error: <message>".
'use strict';
const vscode = require('vscode');

function activate(context) {
  const out = vscode.window.createOutputChannel('Agent Stand-in', { log: true });
  context.subscriptions.push(
    out,
    vscode.commands.registerCommand('agentStandin.probe', async () => {
      out.info('invoking kubetrace_probe shop/orders');
      try {
        const r = await vscode.lm.invokeTool('kubetrace_probe', {
          input: { route: 'shop/orders' },
          toolInvocationToken: undefined,
        });
        const text = r.content.map((p) => (typeof p.value === 'string' ? p.value : '')).join('');
        out.info(`result: ${text.split('\n').slice(0, 3).join(' | ')}`);
      } catch (e) {
        if (e && (e.name === 'Canceled' || e instanceof vscode.CancellationError)) out.info('cancelled');
        else out.info(`error: ${e && e.message}`);
      }
    }),
  );
}

module.exports = { activate };
