// "Start Sandbox": runs `kubetrace sandbox` from the extension's own CLI bundle and switches the view to it.
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Cluster } from './cluster';
import { log } from './output';

let child: ChildProcess | undefined;

/** The sandbox ships with the CLI, not in the .vsix: the extension's own build (development), a workspace
 *  that has Kubetrace installed or is its repo, or `kubetrace` on PATH. */
function findCli(ext: vscode.ExtensionContext): { command: string; args: string[] } | undefined {
  const own = join(ext.extensionUri.fsPath, 'dist', 'cli.js');
  if (existsSync(own)) return { command: process.execPath, args: [own] };
  // A workspace's own copy is code from the folder: only run it once the user trusts the folder.
  for (const f of vscode.workspace.isTrusted ? (vscode.workspace.workspaceFolders ?? []) : []) {
    const installed = join(f.uri.fsPath, 'node_modules', 'kubetrace', 'dist', 'cli.js');
    if (existsSync(installed)) return { command: process.execPath, args: [installed] };
    const repo = join(f.uri.fsPath, 'dist', 'cli.js');
    if (existsSync(repo) && existsSync(join(f.uri.fsPath, 'src', 'sandbox')))
      return { command: process.execPath, args: [repo] };
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const bin = join(dir, 'kubetrace');
    if (dir && existsSync(bin)) return { command: bin, args: [] };
  }
  return undefined;
}

export async function startSandbox(ext: vscode.ExtensionContext, cluster: Cluster): Promise<void> {
  const found = findCli(ext);
  if (!found) {
    void vscode.window.showErrorMessage(
      'The sandbox comes with the kubetrace CLI, which was not found in the workspace or on PATH. In the ' +
        'Kubetrace repository run `npm ci && npm run build && npm link`, or open the repository as the workspace.',
    );
    return;
  }
  if (child && child.exitCode === null) {
    void vscode.window.showInformationMessage('The Kubetrace sandbox is already running.');
    return;
  }
  const kubeconfig = join(ext.globalStorageUri.fsPath, 'sandbox', 'sandbox.kubeconfig');
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Starting the Kubetrace sandbox', cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        const proc = spawn(found.command, [...found.args, 'sandbox', '--kubeconfig', kubeconfig], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        });
        child = proc;
        token.onCancellationRequested(() => {
          proc.kill('SIGTERM');
          resolve();
        });
        let out = '';
        proc.stderr!.on('data', (d: Buffer) => {
          for (const l of d.toString().split('\n').filter(Boolean)) {
            log.info(`sandbox: ${l}`);
            progress.report({ message: l.slice(0, 80) });
          }
        });
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
          if (!/ready/.test(out))
            void vscode.window
              .showErrorMessage(
                `The sandbox stopped before it was ready (exit ${code}). See Kubetrace output.`,
                'Show Output',
              )
              .then((p) => p && vscode.commands.executeCommand('kubetrace.showOutput'));
          resolve();
        });
      }),
  );
}

export function stopSandbox(): void {
  if (child && child.exitCode === null) child.kill('SIGTERM');
}
