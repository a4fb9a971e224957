// Opens a cluster session for a CLI command and checks that the API answers, so that a bad kubeconfig,
// an unreachable server or a refused token fail fast with one clear line.
import { loadKubeconfig, type KubeconfigOptions, type LoadedKubeconfig } from '../core/kube/load';
import { KubeRequester } from '../core/kube/request';

export interface Session {
  config: LoadedKubeconfig;
  api: KubeRequester;
}

export async function connect(opts: KubeconfigOptions): Promise<Session> {
  const config = await loadKubeconfig(opts);
  const api = new KubeRequester(config);
  await api.json({ path: '/version', timeoutMs: 10_000 });
  return { config, api };
}
