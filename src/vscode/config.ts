// Typed settings (docs/ARCHITECTURE.md, "Settings"). Workspace values of restricted settings are ignored by VS Code
// itself in untrusted workspaces (package.json capabilities).
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Settings {
  kubeconfig: string;
  pathMappings: Record<string, string>;
  workloadFolders: Record<string, string>;
  nginxSourcePath: string;
  nginxVersion: string;
  nginxDownloadBaseUrl: string;
  tlsInsecure: boolean;
  tlsCaFile: string;
  traceBackend: string;
  probeTimeoutMs: number;
  confirmOutsideSandbox: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('kubetrace');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const expand = (s: string) => s.replace(/\$\{workspaceFolder\}/g, folder).replace(/^~(?=\/|$)/, homedir());
  const expandMap = (m: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(m ?? {})
        .filter(([, v]) => typeof v === 'string')
        .map(([k, v]) => [k, expand(v)]),
    );
  return {
    kubeconfig: expand(c.get<string>('kubeconfig', '')),
    pathMappings: expandMap(c.get<Record<string, string>>('pathMappings', {})),
    workloadFolders: expandMap(c.get<Record<string, string>>('workloadFolders', {})),
    nginxSourcePath: expand(c.get<string>('nginx.sourcePath', '')),
    nginxVersion: c.get<string>('nginx.version', ''),
    nginxDownloadBaseUrl: c.get<string>('nginx.downloadBaseUrl', 'https://nginx.org/download/'),
    tlsInsecure: c.get<boolean>('tls.insecure', false),
    tlsCaFile: expand(c.get<string>('tls.caFile', '')),
    traceBackend: c.get<string>('traceBackend', 'auto'),
    probeTimeoutMs: c.get<number>('probe.timeoutMs', 10_000),
    confirmOutsideSandbox: c.get<boolean>('probe.confirmOutsideSandbox', true),
  };
}

/** kubetrace.kubeconfig, then Kubernetes Tools' vs-kubernetes.kubeconfig, then KUBECONFIG, then ~/.kube/config. */
export function kubeconfigSetting(override?: string): { value: string; from: string } {
  if (override) return { value: override, from: 'Open Kubeconfig or Start Sandbox in this window' };
  const own = readSettings().kubeconfig;
  if (own) return { value: own, from: 'kubetrace.kubeconfig' };
  // Kubernetes Tools keeps its settings as keys with dots inside the one object "vs-kubernetes", and reads them by
  // index, as here: get('vs-kubernetes.kubeconfig') would split the key at the dot and find nothing.
  const k8sTools: unknown = vscode.workspace.getConfiguration('vs-kubernetes')['vs-kubernetes.kubeconfig'];
  if (typeof k8sTools === 'string' && k8sTools)
    return { value: k8sTools.replace(/^~(?=\/|$)/, homedir()), from: 'vs-kubernetes.kubeconfig' };
  if (process.env.KUBECONFIG) return { value: process.env.KUBECONFIG, from: 'KUBECONFIG' };
  return { value: join(homedir(), '.kube', 'config'), from: 'the default location' };
}
