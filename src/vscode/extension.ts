// Activation: wires the cluster view, the commands and the trace panel. Nothing heavy runs here; client-node
// loads on the first listing, and the activation time is logged (docs/ARCHITECTURE.md benchmarks).
import * as vscode from 'vscode';
import { Cluster } from './cluster';
import { ClusterTree, type Node } from './cluster-view';
import { History } from './history';
import { TracePanel } from './panel';
import { PANEL_VIEW_TYPE, type PanelActions } from './panel-types';
import { log, output } from './output';
import { openSourceRef } from './open-source';
import { LiveDocs, LIVE_URI_SCHEME } from './live-docs';
import { registerCommands } from './commands';
import { allowedRoots } from './roots';
import { exportTraceFile } from './trace-files';
import { canStartSandbox, stopSandbox, updateSandboxContext } from './sandbox';
import { registerLmTools } from './lm-tools';

/** What activate() returns: its own duration, and the listed names (for the extension-host suite). */
export interface KubetraceApi {
  activationMs: number;
  entryNames(): string[];
}

export function activate(ext: vscode.ExtensionContext): KubetraceApi {
  const t0 = performance.now();
  const cluster = new Cluster(ext.workspaceState);
  const tree = new ClusterTree(cluster, () => canStartSandbox(ext));
  updateSandboxContext(ext);
  const history = new History();
  const status = vscode.window.createStatusBarItem('kubetrace.lastProbe', vscode.StatusBarAlignment.Left, 10);
  status.name = 'Kubetrace: last probe';
  status.command = 'kubetrace.openTracePanel';

  const actions: PanelActions = {
    openSource: (ref) => openSourceRef(ref, allowedRoots(ext, cluster), TracePanel.active?.panel.viewColumn),
    exportTrace: (trace, format) => exportTraceFile(trace, format),
    rerun: (shown) => vscode.commands.executeCommand('kubetrace.rerunLastProbe', shown) as Promise<void>,
    copyCurl: () => vscode.commands.executeCommand('kubetrace.copyAsCurl') as Promise<void>,
  };
  const view = vscode.window.createTreeView<Node>('kubetrace.cluster', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  ext.subscriptions.push(
    cluster,
    view,
    status,
    output(),
    vscode.workspace.registerTextDocumentContentProvider(LIVE_URI_SCHEME, new LiveDocs(cluster)),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        TracePanel.revive(panel, ext, history, actions, state);
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('kubetrace.kubeconfig') || e.affectsConfiguration('vs-kubernetes'))
        void cluster.reload();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      updateSandboxContext(ext);
      void cluster.reload();
    }),
    // A folder added or removed can bring or take away a workspace copy of the CLI.
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      updateSandboxContext(ext);
      tree.refresh();
    }),
    { dispose: stopSandbox },
    ...registerCommands({ ext, cluster, tree, history, status, actions }),
    ...registerLmTools({
      cluster,
      history,
      storage: ext.globalStorageUri,
      open: (id) => {
        const item = history.get(id);
        if (item) TracePanel.show(ext, history, actions).showTrace(item.trace, item.probe, id);
      },
      openBurst: (id) => {
        const item = history.getBurst(id);
        if (item) TracePanel.show(ext, history, actions).showBurst(item);
      },
    }),
  );
  // The first listing starts when the view is shown, not during activation.
  if (view.visible) void cluster.reload();
  ext.subscriptions.push(
    view.onDidChangeVisibility((e) => {
      if (e.visible && cluster.state.kind === 'loading') void cluster.reload();
    }),
  );
  const activationMs = performance.now() - t0;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    entryNames: () => (cluster.state.kind === 'ready' ? cluster.state.tree.entries.map((e) => e.name) : []),
  };
}

export function deactivate(): void {
  stopSandbox();
}
