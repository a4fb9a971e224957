// Kubernetes Tools (ms-kubernetes-tools.vscode-kubernetes-tools): its Cluster Explorer Ingress nodes get
// Send Probe too. The node is resolved through its public API, then matched to our listing.
//
// The broker is reached by hand, as the vscode-kubernetes-tools-api helper does it, instead of through that
// helper: the helper asks for every API version the moment it is imported, which activates Kubernetes Tools and
// leaves promises nobody awaits. Only its types are used.
import * as vscode from 'vscode';
import type { API, ClusterExplorerV1 } from 'vscode-kubernetes-tools-api';
import { matchExplorerIngress } from '../core/kube/explorer-node';
import type { Cluster } from './cluster';
import type { ProbeRequest } from './probe-command';
import { requestFromNode } from './probe-command';
import { errorMessage } from '../core/errors';

const KUBERNETES_TOOLS_ID = 'ms-kubernetes-tools.vscode-kubernetes-tools';

interface APIBroker {
  get(component: string, version: string): API<unknown>;
}

async function clusterExplorerV1(): Promise<
  API<ClusterExplorerV1> | { available: false; reason: 'activation-failed'; error: string }
> {
  const ext = vscode.extensions.getExtension<APIBroker>(KUBERNETES_TOOLS_ID);
  if (!ext) return { available: false, reason: 'extension-not-available' };
  let broker: APIBroker | undefined;
  try {
    broker = ext.isActive ? ext.exports : await ext.activate();
  } catch (e) {
    return { available: false, reason: 'activation-failed', error: errorMessage(e) };
  }
  if (!broker || typeof broker.get !== 'function') return { available: false, reason: 'version-unknown' };
  return (await broker.get('clusterexplorer', 'v1')) as API<ClusterExplorerV1>;
}

export async function resolveKubernetesToolsNode(target: unknown, cluster: Cluster): Promise<ProbeRequest | undefined> {
  const explorer = await clusterExplorerV1();
  if (!explorer.available) {
    const why =
      explorer.reason === 'extension-not-available'
        ? 'Kubernetes Tools is not installed or could not start.'
        : explorer.reason === 'activation-failed'
          ? `Kubernetes Tools failed to start: ${explorer.error}`
          : 'This version of Kubernetes Tools does not offer its Cluster Explorer API (v1); update it, or use the Kubetrace view.';
    void vscode.window.showErrorMessage(`Kubetrace: ${why}`);
    return undefined;
  }
  const node = explorer.api.resolveCommandTarget(target);
  const tree = await cluster.listing();
  if (!tree) {
    const what =
      cluster.state.kind === 'error' ? `${cluster.state.title}: ${cluster.state.message}` : 'no kubeconfig found';
    void pickAction(`Kubetrace cannot list the cluster (${what}).`, ['Show Kubetrace View']);
    return undefined;
  }
  const m = matchExplorerIngress(node, tree.entries, cluster.config?.contextName ?? '?', cluster.config?.namespace);
  if (m.ok) return requestFromNode({ nodeType: 'entry', entry: m.entry });
  void pickAction(`Kubetrace: ${m.message}`, m.reason === 'not-listed' ? ['Switch Context', 'Refresh'] : []);
  return undefined;
}

const ACTIONS: Record<string, string> = {
  'Switch Context': 'kubetrace.switchContext',
  Refresh: 'kubetrace.refresh',
  'Show Kubetrace View': 'kubetrace.cluster.focus',
};

async function pickAction(message: string, actions: string[]): Promise<void> {
  const chosen = await vscode.window.showErrorMessage(message, ...actions);
  if (chosen && ACTIONS[chosen]) await vscode.commands.executeCommand(ACTIONS[chosen]);
}
