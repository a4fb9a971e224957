// Where Open Source may open files (docs/ARCHITECTURE.md): workspace folders, the nginx source cache, nginx.sourcePath,
// haproxy.sourcePath and the sandbox's generated nginx config (only a sandbox this user started: src/core/kube/sandbox.ts).
import * as vscode from 'vscode';
import { join } from 'node:path';
import { allowedRootsFor } from '../core/sourcemap/roots';
import { sandboxInfo } from '../core/kube/sandbox';
import { readSettings } from './config';
import type { Cluster } from './cluster';

export function allowedRoots(ext: vscode.ExtensionContext, cluster: Cluster): string[] {
  return allowedRootsFor({
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    nginxSourceCache: join(ext.globalStorageUri.fsPath, 'nginx'),
    nginxSourcePath: readSettings().nginxSourcePath || undefined,
    haproxySource: readSettings().haproxySourcePath || undefined,
    sandboxConfDir: sandboxInfo(cluster.config)?.nginxConfDir,
  });
}
