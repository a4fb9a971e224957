// Kubeconfig loading as kubectl does it: KUBECONFIG with several files, a chosen or current context,
// a namespace per context, token / client-cert / exec auth and the cluster's proxy-url (via client-node).
import type * as K8s from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubetraceError, errorMessage } from '../errors';
import { redact } from '../redact';

export type ClientNode = typeof K8s;
let clientNode: Promise<ClientNode> | undefined;
/** client-node is big; load it on first use (in the bundles it is a separate file). */
export const loadClientNode = (): Promise<ClientNode> => (clientNode ??= import('@kubernetes/client-node'));

export interface KubeconfigOptions {
  /** A path, or several joined with the platform's path delimiter (like KUBECONFIG). */
  kubeconfig?: string;
  context?: string;
  /**
   * Set when the kubeconfig may not run commands (see kubeconfig-choice.ts): the reason. A user whose credentials
   * come from a command is then refused before client-node could run it.
   */
  noCommands?: string;
}

export interface LoadedKubeconfig {
  kc: K8s.KubeConfig;
  files: string[];
  contextName: string;
  namespace: string;
  server: string;
  user: string;
}

export function kubeconfigFiles(explicit?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const list = explicit ?? env.KUBECONFIG;
  if (list && list.trim())
    return list
      .split(delimiter)
      .map((f) => f.trim())
      .filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

export async function loadKubeconfig(opts: KubeconfigOptions = {}): Promise<LoadedKubeconfig> {
  const k8s = await loadClientNode();
  const files = kubeconfigFiles(opts.kubeconfig);
  const existing = files.filter((f) => existsSync(f));
  if (!existing.length) {
    throw new KubetraceError(
      `no kubeconfig found (looked at ${files.join(', ')})`,
      'pass --kubeconfig FILE, set KUBECONFIG, or start the sandbox with `kubetrace sandbox`',
    );
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({ clusters: [], users: [], contexts: [], currentContext: '' });
  for (const file of existing) {
    try {
      // kubectl reads an empty file as an empty config; client-node would fail on it.
      if (!readFileSync(file, 'utf8').trim()) continue;
      const more = new k8s.KubeConfig();
      more.loadFromFile(file);
      mergeFirstWins(kc, more);
    } catch (e) {
      throw new KubetraceError(
        `cannot read kubeconfig ${file}: ${redact(firstLine(errorMessage(e)))}`,
        'check that the file is valid kubeconfig YAML (kubectl config view --kubeconfig FILE)',
      );
    }
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubetraceError(
        `context "${opts.context}" is not in the kubeconfig`,
        names.length ? `known contexts: ${names.join(', ')}` : undefined,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  const contextName = kc.getCurrentContext();
  // YAML reads `current-context: 7` as a number and client-node keeps it; kubectl refuses the file, as names are
  // strings. Only the type is named: the value may be anything a damaged file holds.
  if (contextName && typeof contextName !== 'string') {
    throw new KubetraceError(
      `the kubeconfig's current-context is a ${Array.isArray(contextName) ? 'list' : typeof contextName}, not a name`,
      'quote it in the kubeconfig (current-context: "7"), or pick a context with --context NAME',
    );
  }
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context) {
    throw new KubetraceError(
      'the kubeconfig has no current context',
      'pick one with --context NAME or `kubectl config use-context NAME`',
    );
  }
  const cluster = kc.getCluster(context.cluster);
  if (!cluster || !cluster.server) {
    const names = kc.getClusters().map((c) => c.name);
    throw new KubetraceError(
      `context "${contextName}" names cluster "${context.cluster}", which is not in the kubeconfig`,
      names.length
        ? `known clusters: ${names.join(', ')}; fix the context's cluster field`
        : 'the kubeconfig defines no clusters',
    );
  }
  if (!/^https?:\/\//i.test(cluster.server) || !URL.canParse(cluster.server)) {
    throw new KubetraceError(
      `cluster "${cluster.name}" has server "${redact(String(cluster.server)).slice(0, 100)}", which is not an http(s) URL`,
      'the server must look like https://HOST:PORT (kubectl config view)',
    );
  }
  // kubectl refuses a context whose user is missing rather than connecting anonymously; so do we.
  if (context.user && !kc.getUser(context.user)) {
    const names = kc.getUsers().map((u) => u.name);
    throw new KubetraceError(
      `context "${contextName}" names user "${context.user}", which is not in the kubeconfig`,
      names.length
        ? `known users: ${names.join(', ')}; fix the context's user field`
        : 'the kubeconfig defines no users',
    );
  }
  const command = opts.noCommands && context.user ? credentialCommand(kc.getUser(context.user)) : undefined;
  if (command) {
    throw new KubetraceError(
      `Kubetrace did not run \`${command.slice(0, 200)}\`, the credential command of user "${context.user}": ${opts.noCommands}`,
      'trust the workspace (Manage Workspace Trust), or name a kubeconfig outside it in your user settings',
      'untrusted-command',
    );
  }
  const namespace = typeof context.namespace === 'string' && context.namespace ? context.namespace : 'default';
  return { kc, files: existing, contextName, namespace, server: cluster.server, user: context.user };
}

/**
 * The program a user's credentials run, if any: an exec plugin, or the gcp/azure auth-provider's `cmd-path`
 * (client-node runs both in a child process). Arguments are left out: they may carry a secret.
 */
export function credentialCommand(user: K8s.User | null | undefined): string | undefined {
  if (user?.exec)
    return typeof user.exec.command === 'string' && user.exec.command ? user.exec.command : 'an exec plugin';
  const cmd: unknown = user?.authProvider?.config?.['cmd-path'];
  return cmd ? String(cmd) : undefined;
}

/** kubectl's merge rule: the first file to set a name (or the current context) wins; later ones only add. */
function mergeFirstWins(kc: K8s.KubeConfig, more: K8s.KubeConfig): void {
  if (!kc.currentContext && more.currentContext) kc.setCurrentContext(more.currentContext);
  for (const c of more.clusters) if (!kc.getCluster(c.name)) kc.addCluster(c);
  for (const u of more.users) if (!kc.getUser(u.name)) kc.addUser(u);
  for (const x of more.contexts) if (!kc.getContextObject(x.name)) kc.addContext(x);
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 300);
