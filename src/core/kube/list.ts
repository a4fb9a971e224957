// Lists a kind once, paged with limit/continue; a 403 cluster-wide falls back to one namespace (least privilege).
import type { KubeRequester } from './request';
import { KubeApiError } from './errors';
import type { ListOf } from './objects';

export interface KindPath {
  group: string;
  version: string;
  plural: string;
}
export const KINDS = {
  ingresses: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses' },
  ingressclasses: { group: 'networking.k8s.io', version: 'v1', plural: 'ingressclasses' },
  services: { group: '', version: 'v1', plural: 'services' },
  pods: { group: '', version: 'v1', plural: 'pods' },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices' },
  httproutes: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
  gateways: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways' },
  gatewayclasses: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses' },
} satisfies Record<string, KindPath>;

export function kindPath(k: KindPath, namespace?: string, name?: string): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  return (
    `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}` +
    `/${k.plural}${name ? `/${encodeURIComponent(name)}` : ''}`
  );
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

export async function listAll<T>(api: KubeRequester, kind: KindPath, opts: ListOptions = {}): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await api.json<ListOf<T>>({
      path: kindPath(kind, opts.namespace),
      query: {
        limit: opts.pageSize ?? 500,
        continue: cont,
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
      },
      signal: opts.signal,
    });
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

/**
 * A kind whose API is not served (a missing CRD) lists as empty; anything else is an error. A Gateway API kind
 * not served at v1 is tried at v1beta1, for clusters whose CRDs predate v1.
 */
export async function listOptional<T>(
  api: KubeRequester,
  kind: KindPath,
  opts: ListOptions = {},
): Promise<{ items: T[]; missing: boolean; version?: string }> {
  const versions =
    kind.group === 'gateway.networking.k8s.io' && kind.version === 'v1' ? ['v1', 'v1beta1'] : [kind.version];
  for (const version of versions) {
    try {
      return { items: await listAll<T>(api, { ...kind, version }, opts), missing: false, version };
    } catch (e) {
      if (!(e instanceof KubeApiError && e.status === 404)) throw e;
    }
  }
  return { items: [], missing: true };
}
