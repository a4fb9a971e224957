// The `kubetrace_burst` language model tool: a small burst of traced GETs (at most BURST_LIMITS.agentMax) through a
// route, summarized by burstText (src/core/summary/burst.ts). Outside the sandbox prepareInvocation asks the
// user first; VS Code invokes only after a yes.
import * as vscode from 'vscode';
import { BURST_LIMITS } from '../core/burst/types';
import { isSandbox } from '../core/kube/sandbox';
import { burstText } from '../core/summary/burst';
import { parseRouteRef } from '../core/summary/tools';
import { readSettings } from './config';
import { loadEngine } from './engine-loader';
import type { LmToolDeps } from './lm-tools';
import { log } from './output';

export const BURST_TOOL = 'kubetrace_burst';

export interface BurstInput {
  route: string;
  host?: string;
  path?: string;
  count?: number;
  concurrency?: number;
  open?: boolean;
}

/** The count the tool sends: 20 unless given, never more than BURST_LIMITS.agentMax. */
export function agentCount(input: BurstInput): number {
  const n = Number.isInteger(input.count) ? (input.count as number) : 20;
  if (n < 1 || n > BURST_LIMITS.agentMax) throw new Error(`count must be 1 to ${BURST_LIMITS.agentMax}`);
  return n;
}

export function burstTool(d: LmToolDeps): vscode.LanguageModelTool<BurstInput> {
  return {
    async prepareInvocation({ input }) {
      const count = agentCount(input);
      await d.cluster.listing().catch(() => undefined);
      const config = d.cluster.config;
      const invocationMessage = `Sending ${count} traced requests through ${input.route}${input.path ?? ''}`;
      if (config && isSandbox(config)) return { invocationMessage };
      const message = new vscode.MarkdownString();
      message.appendText(
        `Send ${count} GET requests through ${input.route}${input.path ?? ''}` +
          ` on ${config?.contextName ?? 'the current context'}? This cluster is not the Kubetrace sandbox: the burst adds load to it.`,
      );
      return { invocationMessage, confirmationMessages: { title: 'Send a probe burst to a real cluster?', message } };
    },
    async invoke({ input }, token) {
      if (!vscode.workspace.isTrusted) throw new Error('Kubetrace sends no probes until this workspace is trusted');
      const count = agentCount(input);
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const ref = parseRouteRef(input.route);
        if (ref.kind === 'HTTPRoute') throw new Error('probing HTTPRoutes is not available in this version');
        await d.cluster.listing();
        const { config, api } = d.cluster;
        if (!config || !api) throw new Error('the cluster is not loaded');
        const settings = readSettings();
        const set = await (
          await loadEngine()
        ).runBurst({
          config,
          api,
          namespace: ref.namespace,
          name: ref.name,
          host: input.host,
          path: input.path,
          method: 'GET',
          insecure: settings.tlsInsecure,
          caFiles: settings.tlsCaFile ? [settings.tlsCaFile] : [],
          timeoutMs: settings.probeTimeoutMs,
          traceBackend: settings.traceBackend,
          // prepareInvocation asked the user outside the sandbox; VS Code invokes only after a yes.
          confirmed: true,
          signal: abort.signal,
          count,
          concurrency: Math.min(8, Math.max(1, input.concurrency ?? 4)),
          keepTraces: true,
        });
        const report = set.report();
        const title = `${count} × GET ${input.route}${input.path ?? ''} (agent)`;
        const item = d.history.addBurst({ title, source: 'burst', set, report, time: new Date().toISOString() });
        log.info(`agent burst ${title}: ${report.requests} requests, ${report.errors} errors`);
        if (input.open) d.openBurst(item.entry.id);
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(burstText(item.report))]);
      } catch (e) {
        if (abort.signal.aborted) throw new vscode.CancellationError();
        throw e;
      } finally {
        cancel.dispose();
      }
    },
  };
}
