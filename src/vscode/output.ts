// The output channel. Every line goes through redact(), so tokens and Authorization headers never reach it.
import * as vscode from 'vscode';
import { redact } from '../core/redact';

let channel: vscode.LogOutputChannel | undefined;

export function output(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Kubetrace', { log: true });
  return channel;
}

export const log = {
  info: (m: string) => output().info(redact(m)),
  warn: (m: string) => output().warn(redact(m)),
  error: (m: string) => output().error(redact(m)),
};
