// Kubernetes Tools (ms-kubernetes-tools.vscode-kubernetes-tools): its Cluster Explorer Ingress nodes get
// Send Probe too. The node is resolved through its public API, then matched to our listing.
import * as vscode from 'vscode';
import type { Cluster } from './cluster';
import type { ProbeRequest } from './probe-command';
import { requestFromNode } from './probe-command';

interface ExplorerV1 { resolveCommandTarget(target: unknown): { nodeType?: string; name?: string; namespace?: string; kindName?: string; resourceKind?: { manifestKind?: string } } | undefined }

export async function resolveKubernetesToolsNode(target: unknown, cluster: Cluster): Promise<ProbeRequest | undefined> {
  const ext = vscode.extensions.getExtension('ms-kubernetes-tools.vscode-kubernetes-tools');
  if (!ext) { void vscode.window.showErrorMessage('Kubernetes Tools is not installed.'); return undefined; }
  const api = ext.isActive ? ext.exports : await ext.activate();
  const explorer = (await api?.extensionApi?.('clusterexplorer', 'v1')) ?? api?.clusterExplorer;
  const v1: ExplorerV1 | undefined = explorer?.available ? explorer.api : explorer?.v1 ?? explorer;
  const node = v1?.resolveCommandTarget?.(target);
  const name = node?.name ?? (node?.kindName?.split('/')[1]);
  if (!node || !name || (node.resourceKind?.manifestKind ?? 'Ingress') !== 'Ingress') { void vscode.window.showErrorMessage('Kubetrace: that node is not an Ingress.'); return undefined; }
  if (cluster.state.kind !== 'ready') await cluster.reload();
  const entry = cluster.state.kind === 'ready' ? cluster.state.tree.entries.find((e) => e.kind === 'Ingress' && e.name === name && (!node.namespace || e.namespace === node.namespace)) : undefined;
  if (!entry) { void vscode.window.showErrorMessage(`Kubetrace: Ingress ${node.namespace ?? ''}/${name} is not in the current context's listing.`); return undefined; }
  return requestFromNode({ nodeType: 'entry', entry });
}
