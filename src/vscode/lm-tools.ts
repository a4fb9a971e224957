// The language model tools (package.json `languageModelTools`): list routes, probe, explain a trace. Registered only
// where the host has vscode.lm.registerTool (VS Code 1.95+); elsewhere the extension works as before. A probe
// that sends anything but a GET, or goes to a cluster other than the sandbox, asks the user first.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { KubetraceError, errorMessage } from '../core/errors';
import { isSandbox } from '../core/kube/sandbox';
import { summarizeTrace } from '../core/summary';
import { TOOL_NAMES, parseRouteRef, probeConfirmation, routesText } from '../core/summary/tools';
import type { Cluster } from './cluster';
import { readSettings } from './config';
import { loadEngine } from './engine-loader';
import type { History } from './history';
import { log } from './output';
import { BURST_TOOL, burstTool, type BurstInput } from './lm-burst';

export interface LmToolDeps {
  cluster: Cluster;
  history: History;
  storage: vscode.Uri;
  /** Shows a history item in the trace panel (only when the agent asks for it). */
  open(historyId: string): void;
  /** Shows a request set of the history in the panel. */
  openBurst(historyId: string): void;
}

interface RoutesInput {
  namespace?: string;
}
interface ProbeInput {
  route: string;
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  open?: boolean;
}
interface ExplainInput {
  traceId?: string;
}

export function registerLmTools(d: LmToolDeps): vscode.Disposable[] {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  const show = vscode.commands.registerCommand('kubetrace.showAgentTools', () => {
    // What chat sees: the tools VS Code lists, not what this file meant to register.
    const seen = (lm?.tools ?? []).filter((t) => t.name.startsWith('kubetrace_')).map((t) => t.name);
    log.info(`language model tools visible to chat: ${seen.join(', ') || 'none'}`);
    void vscode.window.showInformationMessage(
      seen.length
        ? `Kubetrace agent tools: ${seen.join(', ')}`
        : 'Kubetrace agent tools are not available in this VS Code (it has no language model tool API).',
    );
    return seen;
  });
  if (typeof lm?.registerTool !== 'function') {
    log.info('language model tools: this VS Code has no vscode.lm.registerTool, so none are registered');
    return [show];
  }
  const subs = [
    show,
    lm.registerTool<RoutesInput>(TOOL_NAMES.listRoutes, listRoutesTool(d)),
    lm.registerTool<ProbeInput>(TOOL_NAMES.probe, probeTool(d)),
    lm.registerTool<ExplainInput>(TOOL_NAMES.explainTrace, explainTool(d)),
    lm.registerTool<BurstInput>(BURST_TOOL, burstTool(d)),
  ];
  log.info(`language model tools registered: ${[...Object.values(TOOL_NAMES), BURST_TOOL].join(', ')}`);
  return subs;
}

const result = (text: string) => new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);

/** A failure the model can act on: VS Code hands the message to it. */
function toolError(e: unknown): Error {
  const hint = e instanceof KubetraceError && e.hint ? ` (hint: ${e.hint})` : '';
  return new Error(`${errorMessage(e)}${hint}`);
}

function listRoutesTool(d: LmToolDeps): vscode.LanguageModelTool<RoutesInput> {
  return {
    prepareInvocation: () => ({ invocationMessage: 'Listing Ingresses and HTTPRoutes' }),
    async invoke({ input }) {
      const tree = await d.cluster.listing();
      if (!tree || !d.cluster.config) throw toolError(clusterProblem(d.cluster));
      const entries = input.namespace ? tree.entries.filter((e) => e.namespace === input.namespace) : tree.entries;
      const sandbox = isSandbox(d.cluster.config) ? ' (the Kubetrace sandbox)' : '';
      return result(`context ${d.cluster.config.contextName}${sandbox}\n${routesText(entries)}`);
    },
  };
}

function probeTool(d: LmToolDeps): vscode.LanguageModelTool<ProbeInput> {
  return {
    async prepareInvocation({ input }) {
      const method = (input.method ?? 'GET').toUpperCase();
      await d.cluster.listing().catch(() => undefined);
      const config = d.cluster.config;
      const sandbox = !!config && isSandbox(config);
      const writes = method !== 'GET' || !!input.body;
      const invocationMessage = `Probing ${input.route}${input.path ?? ''}`;
      if (sandbox && !writes) return { invocationMessage };
      const text = probeConfirmation({
        route: input.route,
        method,
        host: input.host,
        path: input.path,
        hasBody: !!input.body,
        context: config?.contextName,
        sandbox,
      });
      const message = new vscode.MarkdownString();
      message.appendText(text.message);
      return { invocationMessage, confirmationMessages: { title: text.title, message } };
    },
    async invoke({ input }, token) {
      if (!vscode.workspace.isTrusted) throw new Error('Kubetrace sends no probes until this workspace is trusted');
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const ref = parseRouteRef(input.route);
        if (ref.kind === 'HTTPRoute') throw new Error('probing HTTPRoutes is not available in this version');
        await d.cluster.listing();
        const { config, api } = d.cluster;
        if (!config || !api) throw clusterProblem(d.cluster);
        const settings = readSettings();
        const method = (input.method ?? 'GET').toUpperCase();
        const { probeForAgent } = await loadEngine();
        const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
        const r = await probeForAgent(
          {
            config,
            api,
            namespace: ref.namespace,
            name: ref.name,
            host: input.host,
            path: input.path,
            method,
            headers: input.headers,
            body: input.body ? Buffer.from(input.body) : undefined,
            insecure: settings.tlsInsecure,
            caFiles: settings.tlsCaFile ? [settings.tlsCaFile] : [],
            timeoutMs: settings.probeTimeoutMs,
            traceBackend: settings.traceBackend,
            // prepareInvocation asked the user for anything but a GET in the sandbox; VS Code invokes only after a yes.
            confirmed: true,
            signal: abort.signal,
          },
          {
            workspaceFolders: folders,
            pathMappings: settings.pathMappings,
            workloadFolders: settings.workloadFolders,
            nginxSource: settings.nginxSourcePath || undefined,
            haproxySource: settings.haproxySourcePath || undefined,
            nginxCandidates: [join(d.storage.fsPath, 'nginx')],
            nginxVersionSetting: settings.nginxVersion || undefined,
            kubeconfigFile: config.files[0],
            config,
          },
        );
        const target = `${ref.namespace}/${ref.name}`;
        const item = d.history.add({
          trace: r.trace,
          curl: r.outcome.curl,
          probe: {
            target,
            method,
            url: r.outcome.url,
            status: r.outcome.response.status,
            durationMs: r.outcome.timings.exchangeMs,
            via: r.outcome.target.kind,
            error: r.outcome.response.error?.message,
          },
          entry: {
            time: new Date().toISOString(),
            target,
            traceId: r.trace.traceId,
            method,
            status: r.outcome.response.status,
            durationMs: r.outcome.timings.exchangeMs,
            error: r.outcome.response.error?.message,
          },
        });
        log.info(
          `agent probe ${r.outcome.url}: ${r.outcome.response.status ?? r.outcome.response.error?.code} (trace ${r.trace.traceId})`,
        );
        if (input.open) d.open(item.entry.id);
        return result(r.text);
      } catch (e) {
        if (abort.signal.aborted) throw new vscode.CancellationError();
        throw toolError(e);
      } finally {
        cancel.dispose();
      }
    },
  };
}

function explainTool(d: LmToolDeps): vscode.LanguageModelTool<ExplainInput> {
  return {
    prepareInvocation: ({ input }) => ({ invocationMessage: `Summarizing trace ${input.traceId ?? '(latest)'}` }),
    invoke({ input }) {
      const id = input.traceId?.trim().toLowerCase();
      const entry = id ? d.history.entries().find((e) => e.traceId === id) : d.history.entries()[0];
      const item = entry && d.history.get(entry.id);
      if (!item) {
        const known = d.history.entries().map((e) => e.traceId);
        throw new Error(
          `${id ? `no trace ${id} in this window's history` : 'no trace yet in this window'}` +
            (known.length
              ? ` (known trace ids: ${known.slice(0, 10).join(', ')})`
              : ` (send one with ${TOOL_NAMES.probe})`),
        );
      }
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      return result(summarizeTrace(item.trace, { workspaceFolders: folders }));
    },
  };
}

function clusterProblem(c: Cluster): Error {
  const s = c.state;
  if (s.kind === 'noKubeconfig')
    return new KubetraceError(
      `no kubeconfig found (looked at ${s.looked})`,
      'open one or start the sandbox from the Kubetrace view',
    );
  if (s.kind === 'error') return new KubetraceError(`${s.title}: ${s.message}`, s.hint);
  return new KubetraceError('the cluster is not loaded yet');
}
