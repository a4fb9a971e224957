// A stand-in for Kubernetes Tools (ms-kubernetes-tools.vscode-kubernetes-tools), used only by Kubetrace's e2e
// flows: the real extension comes from the Marketplace, which these machines cannot reach. It keeps exactly the
// parts Kubetrace relies on, as the real extension has them:
// - the Cluster Explorer view `extension.vsKubernetesExplorer` in the `kubernetes-view` container;
// - Ingress rows whose contextValue is `vsKubernetes.resource.ingress` (`vsKubernetes.resource.${abbreviation}`);
// - tree elements tagged nodeCategory 'kubernetes-explorer-node', which are what a context-menu command receives;
// - activate() returning the API broker, whose get('clusterexplorer', 'v1') answers { available, api } and whose
//   resolveCommandTarget() turns an element into a ClusterExplorerV1 node (vscode-kubernetes-tools-api).
// Like the real one it lists through the machine's kubectl, with the kubeconfig from `vs-kubernetes.kubeconfig`.
'use strict';
const vscode = require('vscode');
const { execFile } = require('node:child_process');

const CATEGORY = 'kubernetes-explorer-node';
const INGRESS = { displayName: 'Ingress', pluralDisplayName: 'Ingress', manifestKind: 'Ingress', abbreviation: 'ingress' };

// The real extension keeps dotted keys inside the object setting "vs-kubernetes" and reads them by index.
function kubeconfig() {
  return vscode.workspace.getConfiguration('vs-kubernetes')['vs-kubernetes.kubeconfig'] || process.env.KUBECONFIG || '';
}

function kubectl(args) {
  const all = kubeconfig() ? ['--kubeconfig', kubeconfig(), ...args] : args;
  return new Promise((resolve, reject) => execFile('kubectl', all, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))));
}

class Explorer {
  constructor() {
    this.changed = new vscode.EventEmitter();
    this.onDidChangeTreeData = this.changed.event;
  }
  async getChildren(el) {
    if (!el) {
      try {
        return [{ nodeCategory: CATEGORY, nodeType: 'context', contextName: (await kubectl(['config', 'current-context'])).trim() }];
      } catch (e) {
        return [{ nodeCategory: CATEGORY, nodeType: 'error', message: e.message }];
      }
    }
    // As in the real tree: context -> Network (a grouping folder) -> Ingress (a resource folder) -> Ingresses.
    if (el.nodeType === 'context') return [{ nodeCategory: CATEGORY, nodeType: 'folder.grouping', displayName: 'Network' }];
    if (el.nodeType === 'folder.grouping') return [{ nodeCategory: CATEGORY, nodeType: 'folder.resource', kind: INGRESS }];
    if (el.nodeType === 'folder.resource') {
      try {
        const list = JSON.parse(await kubectl(['get', 'ingress', '--all-namespaces', '-o', 'json']));
        return list.items.map((i) => ({ nodeCategory: CATEGORY, nodeType: 'resource', kind: INGRESS, name: i.metadata.name, namespace: i.metadata.namespace || null, metadata: i.metadata }));
      } catch (e) {
        return [{ nodeCategory: CATEGORY, nodeType: 'error', message: e.message }];
      }
    }
    return [];
  }
  getTreeItem(el) {
    const open = vscode.TreeItemCollapsibleState.Expanded;
    switch (el.nodeType) {
      case 'context': return Object.assign(new vscode.TreeItem(el.contextName, open), { contextValue: 'vsKubernetes.cluster' });
      case 'folder.grouping': return Object.assign(new vscode.TreeItem(el.displayName, open), { contextValue: 'vsKubernetes.kind' });
      case 'folder.resource': return Object.assign(new vscode.TreeItem(el.kind.pluralDisplayName, open), { contextValue: 'vsKubernetes.kind' });
      case 'resource': return Object.assign(new vscode.TreeItem(el.name), { contextValue: `vsKubernetes.resource.${el.kind.abbreviation}`, tooltip: `Namespace: ${el.namespace}` });
      default: return new vscode.TreeItem(`Error: ${el.message}`);
    }
  }
}

function adapt(node) {
  switch (node.nodeType) {
    case 'context': return { nodeType: 'context', name: node.contextName };
    case 'folder.grouping': return { nodeType: 'folder.grouping' };
    case 'folder.resource': return { nodeType: 'folder.resource', resourceKind: node.kind };
    case 'resource': return { nodeType: 'resource', metadata: node.metadata, name: node.name, resourceKind: node.kind, namespace: node.namespace };
    default: return { nodeType: 'error' };
  }
}

exports.activate = function activate(context) {
  const explorer = new Explorer();
  context.subscriptions.push(vscode.window.registerTreeDataProvider('extension.vsKubernetesExplorer', explorer));
  const clusterExplorerV1 = {
    resolveCommandTarget: (target) => (target && target.nodeCategory === CATEGORY ? adapt(target) : undefined),
    registerNodeContributor() {},
    registerNodeUICustomizer() {},
    nodeSources: {},
    refresh: () => explorer.changed.fire(undefined),
  };
  return {
    get(component, version) {
      if (component === 'clusterexplorer' && version === 'v1') return { available: true, api: clusterExplorerV1 };
      return { available: false, reason: 'version-unknown' };
    },
  };
};

exports.deactivate = function deactivate() {};
