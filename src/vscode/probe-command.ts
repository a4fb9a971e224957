// "Send Probe" and friends: pick host and path like the CLI does (a quick pick when there is a choice),
// run the probe with a cancellable progress notification, map sources, show the trace.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../core/errors';
import { candidates, choose } from '../core/probe/choose';
import { rebuildRequest } from '../core/probe/rebuild';
import type { ProbeOutcome } from '../core/probe/run';
import { isSandbox } from '../core/kube/sandbox';
import { parseHeaderLine, requestDetail } from '../core/probe/consent-text';
import { loadEngine } from './engine-loader';
import type { RouteEntry } from '../core/kube/routes';
import type { Trace } from '../core/trace/model';
import type { ProbeSummary } from '../protocol/messages';
import { readSettings, type Settings } from './config';
import type { Cluster } from './cluster';
import type { History } from './history';
import { log } from './output';
import { recordProbe } from './probe-record';
import { confirmSend } from './consent';
import { runSteps } from './steps';
import type { Node } from './cluster-view';

export interface ProbeRequest {
  entry: RouteEntry;
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What a probe and a burst send, from the request the user chose and the settings. */
export function requestOptions(req: ProbeRequest, settings: Settings) {
  return {
    kind: req.entry.kind,
    namespace: req.entry.namespace,
    name: req.entry.name,
    host: req.host,
    path: req.path,
    headers: req.headers,
    body: req.body ? Buffer.from(req.body) : undefined,
    insecure: settings.tlsInsecure,
    caFiles: settings.tlsCaFile ? [settings.tlsCaFile] : [],
    timeoutMs: settings.probeTimeoutMs,
    traceBackend: settings.traceBackend,
  };
}

export interface ProbeDeps {
  cluster: Cluster;
  history: History;
  storage: vscode.Uri;
  show(trace: Trace, outcome: ProbeOutcome, historyId: string): void;
  status(outcome: ProbeOutcome | undefined, error?: string): void;
}

/**
 * The request behind a probe the panel shows (after a window reload the host has nothing else): the same
 * Ingress, host, path and method. Headers and a body given With Options are not kept in the summary.
 */
export async function requestFromSummary(s: ProbeSummary, cluster: Cluster): Promise<ProbeRequest | undefined> {
  const tree = await cluster.listing();
  return tree && rebuildRequest(s.target, s.url, s.method, tree.entries);
}

/** Turns a tree node (or a Kubernetes Tools node) into a request; undefined when the user cancelled a choice. */
export async function requestFromNode(node: Node): Promise<ProbeRequest | undefined> {
  // The menus leave refused routes out; a command reaching one anyway (a keybinding) says why, not probes.
  if ('via' in node && node.via?.problem) {
    const gw = `${node.via.parent.gateway.namespace}/${node.via.parent.gateway.name}`;
    void vscode.window.showWarningMessage(`Gateway ${gw} does not serve ${node.entry.name}: ${node.via.problem}.`);
    return undefined;
  }
  if (node.nodeType === 'path') {
    const host =
      node.rule.host && !node.rule.host.startsWith('*')
        ? node.rule.host
        : await ask(
            `Probe ${node.entry.namespace}/${node.entry.name}: host`,
            node.rule.host ? `A host matching ${node.rule.host}` : 'The Host header to send',
            offerHost(node.rule.host),
          );
    if (!host) return undefined;
    const literal = LITERAL.includes(node.path.pathType);
    const path = literal
      ? node.path.path
      : await ask(
          `Probe ${node.entry.namespace}/${node.entry.name}: path`,
          `A path the ${node.path.pathType} rule ${node.path.path} matches`,
          node.path.path,
        );
    return path ? { entry: node.entry, host, path } : undefined;
  }
  if (node.nodeType === 'rule') return pickFor(node.entry, node.rule.host);
  if (node.nodeType === 'entry') return pickFor(node.entry);
  return undefined;
}

async function pickFor(entry: RouteEntry, host?: string | null): Promise<ProbeRequest | undefined> {
  const all = candidates(entry).filter((c) => host === undefined || c.host === host);
  if (host === undefined) {
    try {
      const c = choose(entry, {});
      return { entry, host: c.host, path: c.path };
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
    }
  }
  if (!all.length) {
    // Only a default backend: it answers whatever the Host, so one is offered rather than demanded.
    const title = `Probe ${entry.namespace}/${entry.name} (default backend)`;
    const h = await ask(`${title}: host (1/2)`, 'Any host reaches a default backend', host || DEFAULT_BACKEND_HOST);
    if (!h) return undefined;
    const p = await ask(`${title}: path (2/2)`, 'The path to request', '/');
    return p ? { entry, host: h, path: p } : undefined;
  }
  if (all.length === 1 && all[0].probeable) return { entry, host: all[0].host!, path: all[0].path };
  const pick = await vscode.window.showQuickPick(
    all.map((c) => ({ label: `${c.host ?? '*'}${c.path}`, description: c.pathType, detail: c.why, c })),
    { title: `Probe ${entry.namespace}/${entry.name}`, placeHolder: 'Which host and path?' },
  );
  if (!pick) return undefined;
  const h =
    pick.c.host && !pick.c.host.startsWith('*')
      ? pick.c.host
      : await ask(
          `Probe ${entry.namespace}/${entry.name}: host`,
          pick.c.host ? `A host matching ${pick.c.host}` : 'The Host header to send',
          offerHost(pick.c.host),
        );
  if (!h) return undefined;
  const p = LITERAL.includes(pick.c.pathType)
    ? pick.c.path
    : await ask(`Probe ${entry.namespace}/${entry.name}: path`, 'A path the rule matches', pick.c.path);
  return p ? { entry, host: h, path: p } : undefined;
}

/** Path types whose path is itself a request path (Ingress, and HTTPRoute's PathPrefix); the rest need one typed. */
const LITERAL = ['Exact', 'Prefix', 'PathPrefix'];

/** Offered for a default backend, which answers any Host. */
export const DEFAULT_BACKEND_HOST = 'probe.kubetrace.test';

/** A host to offer: one a wildcard rule matches (`*.shop.test` -> `probe.shop.test`), else any. */
export function offerHost(pattern: string | null | undefined): string {
  return pattern?.startsWith('*.') ? `probe${pattern.slice(1)}` : DEFAULT_BACKEND_HOST;
}

const ask = (title: string, prompt: string, value: string) =>
  vscode.window.showInputBox({
    title,
    prompt,
    value,
    placeHolder: value,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : `${prompt}: enter a value (Esc cancels)`),
  });

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Asks method, path, headers and body, as numbered steps with Back (no body step for GET and HEAD). */
export async function withOptions(req: ProbeRequest): Promise<ProbeRequest | undefined> {
  const title = `Probe ${req.entry.namespace}/${req.entry.name}`;
  const answers = await runSteps(([method]) => [
    { kind: 'pick', title: `${title}: method`, items: METHODS, value: 'GET' },
    {
      kind: 'input',
      title: `${title}: path`,
      value: req.path ?? '/',
      prompt: `The path to request on ${req.host ?? 'the route'}`,
      validate: (v) => (v.startsWith('/') ? undefined : 'The path starts with /'),
    },
    {
      kind: 'input',
      title: `${title}: headers (optional)`,
      placeHolder: 'Name: value; Other: value',
      prompt: 'Headers to add; Authorization and other secrets are redacted in the trace',
      validate: (v) => {
        const r = parseHeaderLine(v);
        return 'error' in r ? `${r.error}: write Name: value, separated by ;` : undefined;
      },
    },
    ...(method === 'GET' || method === 'HEAD'
      ? []
      : [{ kind: 'input' as const, title: `${title}: body (optional)`, placeHolder: '{"sku": "kt-1"}' }]),
  ]);
  if (!answers) return undefined;
  const [method, path, headerText, body] = answers;
  const parsed = parseHeaderLine(headerText);
  const headers = 'headers' in parsed ? parsed.headers : {};
  return { ...req, method, path, headers, body: body || undefined };
}

export async function sendProbe(req: ProbeRequest, deps: ProbeDeps): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    const go = await vscode.window.showWarningMessage(
      'Probes are off until this workspace is trusted.',
      'Manage Workspace Trust',
    );
    if (go) void vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  const { cluster } = deps;
  if (!cluster.config || !cluster.api) {
    void vscode.window.showErrorMessage('Kubetrace: no cluster is loaded.');
    return;
  }
  const settings = readSettings();
  const method = (req.method ?? 'GET').toUpperCase();
  let confirmed = false;
  if ((method !== 'GET' || req.body) && !isSandbox(cluster.config)) {
    if (settings.confirmOutsideSandbox) {
      const ok = await confirmSend({
        title: `Send ${method}${req.body ? ' with a body' : ''} to ${req.host}${req.path} on ${cluster.config.contextName}?`,
        why: 'This is a real cluster: the request may change data.',
        action: `Send ${method}`,
        detail: requestDetail(req.headers, req.body),
      });
      if (!ok) return;
    }
    confirmed = true;
  }
  const config = cluster.config,
    api = cluster.api;
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Probing ${req.entry.namespace}/${req.entry.name}`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      try {
        const { runProbe, mapProbeSources } = await loadEngine();
        const outcome = await runProbe({
          ...requestOptions(req, settings),
          config,
          api,
          method,
          confirmed,
          signal: abort.signal,
          onProgress: (message) => progress.report({ message }),
        });
        progress.report({ message: 'mapping spans to source' });
        const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
        const trace = await mapProbeSources(outcome, {
          workspaceFolders: folders,
          pathMappings: settings.pathMappings,
          workloadFolders: settings.workloadFolders,
          nginxSource: settings.nginxSourcePath || undefined,
          haproxySource: settings.haproxySourcePath || undefined,
          nginxCandidates: [join(deps.storage.fsPath, 'nginx')],
          nginxVersionSetting: settings.nginxVersion || undefined,
          kubeconfigFile: config.files[0],
          config,
          download: {
            cacheDir: join(deps.storage.fsPath, 'nginx'),
            baseUrl: settings.nginxDownloadBaseUrl,
            signal: abort.signal,
            onProgress: (p) => progress.report({ message: `nginx source: ${p.message}` }),
          },
        });
        const target = `${req.entry.namespace}/${req.entry.name}`;
        const item = recordProbe(deps.history, target, method, outcome, trace, () => sendProbe(req, deps));
        log.info(
          `probe ${outcome.url} via ${outcome.target.kind}: ${outcome.response.status ?? outcome.response.error?.code}` +
            ` in ${outcome.timings.exchangeMs.toFixed(1)} ms, ${trace.spans.length} spans (trace ${trace.traceId})`,
        );
        deps.show(item.trace, outcome, item.entry.id); // the history's copy: redacted
        deps.status(outcome);
      } catch (e) {
        if (abort.signal.aborted) {
          log.info('probe cancelled');
          return;
        }
        log.error(`probe failed: ${errorMessage(e)}`);
        deps.status(undefined, errorMessage(e));
        const hint = (e as { hint?: string }).hint;
        // Not awaited: the progress notification must close now, not when the user dismisses the error.
        void vscode.window
          // "Hint:" rather than brackets: hints often end in a bracketed command of their own.
          .showErrorMessage(`Probe failed: ${errorMessage(e)}${hint ? `. Hint: ${hint}` : ''}`, 'Show Output')
          .then((pick) => {
            if (pick) void vscode.commands.executeCommand('kubetrace.showOutput');
          });
      }
    },
  );
}
