// "Compare With Route...": the clicked route against another one of the context (an Ingress against the HTTPRoute
// replacing it, say), N probes each through core/compare/run.ts, with a cancellable progress notification. Every
// probe's trace goes into the history like a single probe's; the comparison is shown in the panel.
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { isSandbox } from '../core/kube/sandbox';
import { confirmSend } from './consent';
import type { RouteEntry } from '../core/kube/routes';
import type { RouteCompareMessage } from '../protocol/messages';
import { checkProbeCount, compareNeedsConsent, routeChoices, type RouteChoice } from './compare-input';
import { readSettings } from './config';
import type { Cluster } from './cluster';
import { loadEngine } from './engine-loader';
import type { History, HistoryItem } from './history';
import { log } from './output';
import { requestOptions } from './probe-command';
import { recordProbe } from './probe-record';

export interface CompareDeps {
  cluster: Cluster;
  history: History;
  show(m: RouteCompareMessage): void;
}

async function pickOther(clicked: RouteEntry, cluster: Cluster): Promise<RouteEntry | undefined> {
  const tree = await cluster.listing();
  const { choices, preselect } = routeChoices(tree?.entries ?? [], clicked);
  if (!choices.length) {
    void vscode.window.showInformationMessage('Kubetrace: this context has no other Ingress or HTTPRoute to compare.');
    return undefined;
  }
  // createQuickPick rather than showQuickPick: a single pick can only be pre-selected through activeItems.
  const qp = vscode.window.createQuickPick<RouteChoice>();
  qp.title = `Compare ${clicked.kind} ${clicked.namespace}/${clicked.name} with...`;
  qp.placeholder = 'The route to send the same request through';
  qp.items = choices;
  if (preselect >= 0) qp.activeItems = [choices[preselect]];
  return new Promise((done) => {
    qp.onDidAccept(() => (done(qp.selectedItems[0]?.entry), qp.hide()));
    qp.onDidHide(() => (done(undefined), qp.dispose()));
    qp.show();
  });
}

export async function compareWithRoute(a: RouteEntry, deps: CompareDeps): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Probes are off until this workspace is trusted.');
    return;
  }
  const { cluster, history } = deps;
  if (!cluster.config || !cluster.api) {
    void vscode.window.showErrorMessage('Kubetrace: no cluster is loaded.');
    return;
  }
  const b = await pickOther(a, cluster);
  if (!b) return;
  const text = await vscode.window.showInputBox({
    title: `Compare ${a.namespace}/${a.name} with ${b.namespace}/${b.name}`,
    prompt: 'How many probes through each route? (sent alternately)',
    value: '3',
    ignoreFocusOut: true,
    validateInput: checkProbeCount,
  });
  if (text === undefined) return;
  const count = Number(text.trim());
  const config = cluster.config;
  const api = cluster.api;
  const consent = compareNeedsConsent(isSandbox(config), count);
  if (consent) {
    const ok = await confirmSend({
      title: `Send ${2 * count} GET requests (${count} through each route) on ${config.contextName}?`,
      why: 'This is a real cluster: the comparison adds load.',
      action: 'Compare',
      detail: `${count} GET requests through each route`,
    });
    if (!ok) return;
  }
  // The request's options (TLS, timeout, trace backend); the routes themselves are `a` and `b`.
  const { kind: _kind, namespace: _ns, name: _name, ...options } = requestOptions({ entry: a }, readSettings());
  const first: Partial<Record<'a' | 'b', HistoryItem>> = {};
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Comparing routes', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      try {
        const { runCompare } = await loadEngine();
        const result = await runCompare({
          ...options,
          config,
          api,
          method: 'GET',
          confirmed: consent || isSandbox(config),
          signal: abort.signal,
          a: { kind: a.kind, namespace: a.namespace, name: a.name },
          b: { kind: b.kind, namespace: b.namespace, name: b.name },
          count,
          onProgress: (message) => progress.report({ message }),
          onOutcome: (side, outcome) => {
            const e = side === 'a' ? a : b;
            const item = recordProbe(history, `${e.namespace}/${e.name}`, 'GET', outcome);
            first[side] ??= item;
            progress.report({ increment: 100 / (2 * count) });
          },
        });
        log.info(
          `compare ${result.a.route} with ${result.b.route}: ${result.equal ? 'alike' : 'different'}, ` +
            `${result.differences.length} differences, ${result.notCarriedOver.length} not carried over`,
        );
        // The traces as the history keeps them (redacted), with their ids so the panel can open each side.
        if (first.a && first.b)
          deps.show({
            type: 'routeCompare',
            comparison: result,
            a: first.a.trace,
            b: first.b.trace,
            aHistoryId: first.a.entry.id,
            bHistoryId: first.b.entry.id,
          });
      } catch (e) {
        if (abort.signal.aborted) {
          log.info('compare cancelled');
          return;
        }
        log.error(`compare failed: ${errorMessage(e)}`);
        const hint = (e as { hint?: string }).hint;
        void vscode.window.showErrorMessage(`Compare failed: ${errorMessage(e)}${hint ? `. Hint: ${hint}` : ''}`);
      }
    },
  );
}
