// "Start Sandbox": runs `kubetrace sandbox` from the extension's own CLI bundle and switches the view to it.
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Cluster } from './cluster';
import { log } from './output';

let child: ChildProcess | undefined;

export async function startSandbox(ext: vscode.ExtensionContext, cluster: Cluster): Promise<void> {
  const cli = join(ext.extensionUri.fsPath, 'dist', 'cli.js');
  if (child && child.exitCode === null) { void vscode.window.showInformationMessage('The Kubetrace sandbox is already running.'); return; }
  const kubeconfig = join(ext.globalStorageUri.fsPath, 'sandbox', 'sandbox.kubeconfig');
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Starting the Kubetrace sandbox', cancellable: true }, (progress, token) => new Promise<void>((resolve) => {
    const proc = spawn(process.execPath, [cli, 'sandbox', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    child = proc;
    token.onCancellationRequested(() => { proc.kill('SIGTERM'); resolve(); });
    let out = '';
    proc.stderr!.on('data', (d: Buffer) => { for (const l of d.toString().split('\n').filter(Boolean)) { log.info(`sandbox: ${l}`); progress.report({ message: l.slice(0, 80) }); } });
    proc.stdout!.on('data', async (d: Buffer) => {
      out += d.toString();
      const m = /kubetrace sandbox ready kubeconfig=(\S+) api=(\S+)/.exec(out);
      if (m) {
        log.info(`sandbox ready: ${m[2]}`);
        await cluster.setKubeconfig(m[1], 'kubetrace-sandbox');
        resolve();
      }
    });
    proc.on('exit', (code) => {
      log.info(`sandbox stopped (exit ${code})`);
      if (!/ready/.test(out)) void vscode.window.showErrorMessage(`The sandbox stopped before it was ready (exit ${code}). See Kubetrace output.`, 'Show Output').then((p) => p && vscode.commands.executeCommand('kubetrace.showOutput'));
      resolve();
    });
  }));
}

export function stopSandbox(): void { if (child && child.exitCode === null) child.kill('SIGTERM'); }
