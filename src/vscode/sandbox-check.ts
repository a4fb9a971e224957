// Before Start Sandbox: are the system packages it runs installed? The list and the messages are
// src/core/sandbox-needs.ts; this file runs the programs and shows the answer with a "Copy command" action.
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  installLine,
  missingMessage,
  missingSandboxNeeds,
  optionalMessage,
  type CommandProbe,
} from '../core/sandbox-needs';
import { log } from './output';

const runs: CommandProbe = (command, args) =>
  new Promise((resolve) => execFile(command, args, { timeout: 10_000 }, (err) => resolve(!err)));

/** True when the sandbox can start; otherwise the user has been told what to install. */
export async function sandboxNeedsMet(probe: CommandProbe = runs): Promise<boolean> {
  const missing = await missingSandboxNeeds(probe, { env: process.env, exists: existsSync });
  if (!missing.length) return true;
  const required = missing.some((n) => n.required);
  const text = required ? missingMessage(missing) : optionalMessage(missing);
  const line = installLine(missing, process.platform);
  (required ? log.error : log.warn)(text);
  const show = required ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  void show(text, 'Copy command', 'Show Output').then(async (pick) => {
    if (pick === 'Copy command') await vscode.env.clipboard.writeText(line);
    if (pick === 'Show Output') await vscode.commands.executeCommand('kubetrace.showOutput');
  });
  return !required;
}
