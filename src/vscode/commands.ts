// Every command in package.json is registered here (a test checks the two lists match).
import * as vscode from 'vscode';
import type { ProbeOutcome } from '../core/probe/run';
import type { Trace } from '../core/trace/model';
import type { Cluster } from './cluster';
import type { ClusterTree, Node } from './cluster-view';
import type { History } from './history';
import { TracePanel } from './panel';
import type { PanelActions } from './panel-types';
import { output } from './output';
import {
  requestFromNode,
  requestFromSummary,
  sendProbe,
  withOptions,
  type ProbeDeps,
  type ProbeRequest,
} from './probe-command';
import type { ProbeSummary } from '../protocol/messages';
import { importTraceFile, exportTraceFile } from './trace-files';
import { startSandbox } from './sandbox';
import { copyCurl } from './copy-curl';
import { resolveKubernetesToolsNode } from './k8s-tools';
import { errorMessage } from '../core/errors';
import { sendBurst, type BurstDeps } from './burst-command';
import { compareWithRoute, type CompareDeps } from './compare-command';
import { openLogSet } from './log-set';

export interface CommandDeps {
  ext: vscode.ExtensionContext;
  cluster: Cluster;
  tree: ClusterTree;
  history: History;
  status: vscode.StatusBarItem;
  actions: PanelActions;
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { ext, cluster, history } = d;
  let last: ProbeRequest | undefined;
  const panel = () => TracePanel.show(ext, history, d.actions);
  const probeDeps: ProbeDeps = {
    cluster,
    history,
    storage: ext.globalStorageUri,
    show: (trace: Trace, outcome: ProbeOutcome, id: string) => {
      panel().showTrace(trace, history.get(id)?.probe, id);
      void vscode.commands.executeCommand('setContext', 'kubetrace.hasProbe', true);
      void vscode.commands.executeCommand('setContext', 'kubetrace.probeCount', history.probes().length);
      void outcome;
    },
    status: (outcome, error) => {
      if (!outcome) {
        d.status.text = `$(error) probe failed`;
        d.status.tooltip = error;
        d.status.show();
        return;
      }
      const s = outcome.response.status;
      d.status.text =
        `$(${s && s < 400 ? 'pass' : 'error'}) ${s ?? outcome.response.error?.code ?? '?'}` +
        ` · ${outcome.timings.exchangeMs.toFixed(0)} ms`;
      d.status.tooltip = `Last probe: ${outcome.url} (${outcome.target.kind})\nClick to open the trace panel`;
      d.status.show();
    },
  };
  const probe = async (req: ProbeRequest | undefined) => {
    if (!req) return;
    last = req;
    await sendProbe(req, probeDeps);
  };
  const burstDeps: BurstDeps = {
    cluster,
    history,
    live: (id, title, report, live) => panel().bursts.live(id, title, report, live),
    show: (item) => panel().showBurst(item),
  };
  const compareDeps: CompareDeps = {
    cluster,
    history,
    show: (m) => panel().showRouteCompare(m),
  };
  const reg = (id: string, fn: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, fn);

  return [
    reg('kubetrace.refresh', () => cluster.reload()),
    reg('kubetrace.switchContext', async () => {
      const kc = cluster.config?.kc;
      if (!kc) {
        void vscode.commands.executeCommand('kubetrace.openKubeconfig');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        kc.getContexts().map((c) => ({
          label: c.name,
          description: `${c.cluster}${c.namespace ? ` · ${c.namespace}` : ''}`,
          picked: c.name === cluster.config?.contextName,
        })),
        { title: 'Switch Kubernetes context' },
      );
      if (pick) await cluster.setContext(pick.label);
    }),
    reg('kubetrace.pickNamespaces', async () => {
      const known =
        cluster.state.kind === 'ready'
          ? [...new Set(cluster.state.tree.snapshot.services.map((s) => s.metadata.namespace ?? 'default'))].sort()
          : [];
      const picks = await vscode.window.showQuickPick(
        known.map((n) => ({ label: n, picked: cluster.namespaces.includes(n) })),
        { title: 'Namespaces to show (none = all)', canPickMany: true },
      );
      if (picks) await cluster.setNamespaces(picks.map((p) => p.label));
    }),
    reg('kubetrace.openKubeconfig', async () => {
      const files = await vscode.window.showOpenDialog({
        title: 'Open kubeconfig',
        canSelectMany: false,
        openLabel: 'Use this kubeconfig',
      });
      if (files?.[0]) await cluster.setKubeconfig(files[0].fsPath);
    }),
    reg('kubetrace.startSandbox', () => startSandbox(ext, cluster)),
    reg('kubetrace.sendProbe', async (node?: Node) => probe(node ? await requestFromNode(node) : undefined)),
    reg('kubetrace.sendProbeWithOptions', async (node?: Node) => {
      const r = node ? await requestFromNode(node) : undefined;
      await probe(r && (await withOptions(r)));
    }),
    reg('kubetrace.probeBurst', async (node?: Node) => {
      const r = node ? await requestFromNode(node) : undefined;
      if (r) await sendBurst(r, burstDeps);
    }),
    reg('kubetrace.compareWithRoute', async (node?: Node) => {
      if (node && 'entry' in node) await compareWithRoute(node.entry, compareDeps);
    }),
    reg('kubetrace.sendProbeFromKubernetesTools', async (target: unknown) =>
      probe(await resolveKubernetesToolsNode(target, cluster)),
    ),
    reg('kubetrace.rerunLastProbe', async (shown?: ProbeSummary) => {
      // After a window reload only the panel remembers its probe: rebuild the request from what it shows.
      const req = last ?? (shown && (await requestFromSummary(shown, cluster)));
      if (req) return probe(req);
      void vscode.window.showInformationMessage(
        shown
          ? `Kubetrace: ${shown.target} is not in the current listing; probe it from the Kubetrace view.`
          : 'No probe yet: right-click an Ingress and choose Send Probe.',
      );
    }),
    reg('kubetrace.openTracePanel', () => {
      const p = panel();
      // The trace (and span) the user had open before closing the panel; else the latest probe.
      if (p.restoreLast()) return;
      const h = history.latest();
      if (h && !p.currentTrace) p.showTrace(h.trace, h.probe, h.entry.id);
    }),
    reg('kubetrace.openTraceFile', async () => {
      const files = await vscode.window.showOpenDialog({
        title: 'Open trace file',
        canSelectMany: false,
        filters: { 'Traces and logs': ['json', 'log', 'txt', 'pb', 'bin'], 'All files': ['*'] },
      });
      if (!files?.[0]) return;
      try {
        const set = await openLogSet(files[0], history);
        if (set === 'cancelled') return;
        if (set) return panel().showBurst(set);
        const { traces, problems } = await importTraceFile(files[0]);
        if (!traces.length) {
          void vscode.window.showWarningMessage(
            `No trace found in ${files[0].fsPath}${problems.length ? `: ${problems[0]}` : ''}`,
          );
          return;
        }
        let shown: { trace: Trace; id: string } | undefined;
        for (const t of traces.reverse()) {
          const item = history.add({
            trace: t,
            entry: {
              time: new Date().toISOString(),
              target: files[0].path.split('/').pop() ?? 'file',
              traceId: t.traceId,
            },
          });
          shown = { trace: item.trace, id: item.entry.id };
        }
        if (shown) panel().showTrace(shown.trace, undefined, shown.id);
        if (problems.length)
          void vscode.window
            .showWarningMessage(
              `${problems.length} part(s) of the file could not be read; see Kubetrace output.`,
              'Show Output',
            )
            .then((p) => p && output().show());
      } catch (e) {
        void vscode.window.showErrorMessage(`Cannot open the trace file: ${errorMessage(e)}`);
      }
    }),
    reg('kubetrace.exportTrace', async () => {
      const trace = TracePanel.active?.currentTrace ?? history.latest()?.trace;
      if (!trace) return;
      const fmt = await vscode.window.showQuickPick(
        [
          { label: 'OTLP JSON', f: 'otlp' as const },
          { label: 'Jaeger JSON', f: 'jaeger' as const },
        ],
        { title: 'Export format' },
      );
      if (fmt) await exportTraceFile(trace, fmt.f);
    }),
    reg('kubetrace.copyAsCurl', async () => {
      // The curl of the probe the panel shows; with no panel, of the last probe.
      const shownId = TracePanel.active?.currentTrace?.traceId;
      const h = shownId ? history.probes().find((p) => p.trace.traceId === shownId) : history.probes()[0];
      if (h?.curl) {
        await copyCurl(ext.globalStorageUri, h.curl);
        return;
      }
      void vscode.window.showInformationMessage(
        TracePanel.active?.currentTrace
          ? 'Kubetrace: this trace has no curl command (it was imported, or sent before the window reloaded); Re-run it to get one.'
          : 'No probe yet: right-click an Ingress and choose Send Probe.',
      );
    }),
    reg('kubetrace.copyTraceId', async () => {
      const t = TracePanel.active?.currentTrace ?? history.latest()?.trace;
      if (t) {
        await vscode.env.clipboard.writeText(t.traceId);
        void vscode.window.setStatusBarMessage(`Kubetrace: trace id ${t.traceId} copied`, 3000);
      }
    }),
    reg('kubetrace.compareWithPrevious', () => {
      const [right, left] = history.probes();
      if (!left || !right) {
        void vscode.window.showInformationMessage('Compare needs two probes in this session.');
        return;
      }
      panel().compare(left.entry.id, right.entry.id);
    }),
    reg('kubetrace.showOutput', () => output().show(true)),
  ];
}
