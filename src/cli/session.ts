// Opens a cluster session for a CLI command and checks that the API answers, so that a bad kubeconfig,
// an unreachable server or a refused token fail fast with one clear line.
import { loadKubeconfig, type KubeconfigOptions, type LoadedKubeconfig } from '../core/kube/load';
import { KubeRequester } from '../core/kube/request';
import { readRouteTree, type RouteTree } from '../core/kube/route-tree';
import { bool, parseArgs, str } from './args';

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

/**
 * What the listing commands (`ingresses`, `gateways`) share: their options, the session, and the route tree read
 * once, with its notices (forbidden namespaces, missing CRDs) on stderr.
 */
export async function readListing(argv: string[]): Promise<{ json: boolean; tree: RouteTree }> {
  const p = parseArgs(argv, {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    json: { type: 'boolean' },
  });
  const session = await connect({ kubeconfig: str(p, 'kubeconfig'), context: str(p, 'context') });
  const tree = await readRouteTree(session.api, {
    namespace: str(p, 'namespace'),
    fallbackNamespace: session.config.namespace,
  });
  for (const n of tree.notices) process.stderr.write(`note: ${n}\n`);
  return { json: bool(p, 'json'), tree };
}
