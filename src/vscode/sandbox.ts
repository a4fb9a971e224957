// "Start Sandbox": runs `kubetrace sandbox` from the extension's own CLI bundle and switches the view to it.
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { Cluster } from './cluster';
import { log } from './output';
import { sandboxNeedsMet } from './sandbox-check';

let child: ChildProcess | undefined;

/** A CLI bundle with the sandbox beside it: what the .vsix ships (.vscodeignore), and a built checkout. */
function bundledSandbox(root: string): boolean {
  return (
    existsSync(join(root, 'dist', 'cli.js')) &&
    existsSync(join(root, 'src', 'sandbox', 'apps', 'orders', 'server.js')) &&
    existsSync(join(root, 'src', 'sandbox', 'manifests', '00-namespaces.yaml'))
  );
}

/** The extension's own sandbox first; else a workspace that has Kubetrace installed or is its repo; else PATH. */
function findCli(ext: vscode.ExtensionContext): { command: string; args: string[] } | undefined {
  if (bundledSandbox(ext.extensionUri.fsPath))
    return { command: process.execPath, args: [join(ext.extensionUri.fsPath, 'dist', 'cli.js')] };
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

/** Whether Start Sandbox has something to run: the welcome view and the unreachable node offer it only then. */
export const canStartSandbox = (ext: vscode.ExtensionContext): boolean => !!findCli(ext);

/** Sets `kubetrace.canStartSandbox` for the welcome view (again when trust or the folders change). */
export function updateSandboxContext(ext: vscode.ExtensionContext): void {
  void vscode.commands.executeCommand('setContext', 'kubetrace.canStartSandbox', canStartSandbox(ext));
}

export async function startSandbox(ext: vscode.ExtensionContext, cluster: Cluster): Promise<void> {
  const found = findCli(ext);
  if (!found) {
    // Only a package built without the sandbox gets here: the buttons are shown only when findCli finds one.
    void vscode.window.showErrorMessage(
      'This Kubetrace package does not include the sandbox, and no kubetrace CLI was found in a trusted ' +
        'workspace or on PATH. Install the extension from the Marketplace or a .vsix made by `npm run package`.',
    );
    return;
  }
  if (child && child.exitCode === null) {
    void vscode.window.showInformationMessage('The Kubetrace sandbox is already running.');
    return;
  }
  if (!(await sandboxNeedsMet())) return;
  const kubeconfig = join(ext.globalStorageUri.fsPath, 'sandbox', 'sandbox.kubeconfig');
  mkdirSync(dirname(kubeconfig), { recursive: true });
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Starting the Kubetrace sandbox', cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        // KUBETRACE_POD_SUBNET, when set, reaches the CLI with the rest of the environment and picks the subnet.
        const proc = spawn(found.command, [...found.args, 'sandbox', '--kubeconfig', kubeconfig], {
          cwd: dirname(kubeconfig),
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
