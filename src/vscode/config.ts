// Typed settings (README.md, "Settings"). Workspace values of restricted settings are ignored by VS Code
// itself in untrusted workspaces (package.json capabilities); another extension's settings are not, so the
// kubeconfig location is read per scope below.
import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { delimiter } from 'node:path';
import { chooseKubeconfig, type KubeconfigChoice } from '../core/kube/kubeconfig-choice';

export interface Settings {
  kubeconfig: string;
  pathMappings: Record<string, string>;
  workloadFolders: Record<string, string>;
  nginxSourcePath: string;
  haproxySourcePath: string;
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
    haproxySourcePath: expand(c.get<string>('haproxy.sourcePath', '')),
    nginxVersion: c.get<string>('nginx.version', ''),
    nginxDownloadBaseUrl: c.get<string>('nginx.downloadBaseUrl', 'https://nginx.org/download/'),
    tlsInsecure: c.get<boolean>('tls.insecure', false),
    tlsCaFile: expand(c.get<string>('tls.caFile', '')),
    traceBackend: c.get<string>('traceBackend', 'auto'),
    probeTimeoutMs: c.get<number>('probe.timeoutMs', 10_000),
    confirmOutsideSandbox: c.get<boolean>('probe.confirmOutsideSandbox', true),
  };
}

/**
 * kubetrace.kubeconfig, then Kubernetes Tools' vs-kubernetes.kubeconfig, then KUBECONFIG, then ~/.kube/config; in an
 * untrusted workspace only user and machine settings count (src/core/kube/kubeconfig-choice.ts has the rules).
 */
export function kubeconfigSetting(override?: string): KubeconfigChoice {
  // Kubernetes Tools keeps its settings as keys with dots inside the one object "vs-kubernetes", and reads them by
  // index: get('vs-kubernetes.kubeconfig') would split the key at the dot and find nothing. inspect() gives each
  // scope apart, because VS Code does not restrict another extension's settings in Restricted Mode.
  const tools = vscode.workspace.getConfiguration().inspect<Record<string, unknown>>('vs-kubernetes');
  const key = (o: unknown) =>
    o && typeof o === 'object' ? (o as Record<string, unknown>)['vs-kubernetes.kubeconfig'] : undefined;
  const own = vscode.workspace.getConfiguration('kubetrace').inspect<string>('kubeconfig');
  return chooseKubeconfig({
    trusted: vscode.workspace.isTrusted,
    override,
    kubetrace: { ...own },
    k8sTools: {
      globalValue: key(tools?.globalValue),
      workspaceValue: key(tools?.workspaceValue),
      workspaceFolderValue: key(tools?.workspaceFolderValue),
    },
    env: process.env.KUBECONFIG,
    home: homedir(),
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    delimiter,
  });
}
