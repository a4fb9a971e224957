// Kubeconfig loading as kubectl does it: KUBECONFIG with several files, a chosen or current context,
// a namespace per context, token / client-cert / exec auth and the cluster's proxy-url (via client-node).
import type * as K8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubetraceError, errorMessage } from '../errors';

export type ClientNode = typeof K8s;
let clientNode: Promise<ClientNode> | undefined;
/** client-node is big; load it on first use (in the bundles it is a separate file). */
export const loadClientNode = (): Promise<ClientNode> => (clientNode ??= import('@kubernetes/client-node'));

export interface KubeconfigOptions {
  /** A path, or several joined with the platform's path delimiter (like KUBECONFIG). */
  kubeconfig?: string;
  context?: string;
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
  if (list && list.trim()) return list.split(delimiter).map((f) => f.trim()).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

export async function loadKubeconfig(opts: KubeconfigOptions = {}): Promise<LoadedKubeconfig> {
  const k8s = await loadClientNode();
  const files = kubeconfigFiles(opts.kubeconfig);
  const existing = files.filter((f) => existsSync(f));
  if (!existing.length) {
    throw new KubetraceError(`no kubeconfig found (looked at ${files.join(', ')})`,
      'pass --kubeconfig FILE, set KUBECONFIG, or start the sandbox with `kubetrace sandbox`');
  }
  const kc = new k8s.KubeConfig();
  for (const [i, file] of existing.entries()) {
    try {
      if (i === 0) kc.loadFromFile(file);
      else { const more = new k8s.KubeConfig(); more.loadFromFile(file); kc.mergeConfig(more, true); }
    } catch (e) {
      throw new KubetraceError(`cannot read kubeconfig ${file}: ${firstLine(errorMessage(e))}`,
        'check that the file is valid kubeconfig YAML (kubectl config view --kubeconfig FILE)');
    }
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubetraceError(`context "${opts.context}" is not in the kubeconfig`, names.length ? `known contexts: ${names.join(', ')}` : undefined);
    }
    kc.setCurrentContext(opts.context);
  }
  const contextName = kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (!context) {
    throw new KubetraceError('the kubeconfig has no current context', 'pick one with --context NAME or `kubectl config use-context NAME`');
  }
  const cluster = kc.getCluster(context.cluster);
  if (!cluster || !cluster.server) {
    throw new KubetraceError(`context "${contextName}" names cluster "${context.cluster}", which has no server address in the kubeconfig`);
  }
  return { kc, files: existing, contextName, namespace: context.namespace || 'default', server: cluster.server, user: context.user };
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 300);
