// How Kubetrace recognises its own sandbox cluster: the context name its kubeconfig writes, and the
// `sandbox.json` it leaves beside the kubeconfig (naming the generated nginx config folder).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LoadedKubeconfig } from './load';

export const isSandbox = (config: LoadedKubeconfig): boolean => config.contextName.startsWith('kubetrace-sandbox');

export function sandboxInfo(kubeconfigFile?: string): { nginxConfDir?: string } | undefined {
  if (!kubeconfigFile) return undefined;
  const f = join(dirname(kubeconfigFile), 'sandbox.json');
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
}
