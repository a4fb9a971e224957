// Route references (README.md, "The CLI"): `NS/NAME` is an Ingress, or an HTTPRoute when no Ingress
// has that name (both: a usage error listing both); `ingress/NS/NAME` and `httproute/NS/NAME` say which.
import { UsageError } from '../errors';
import { KubeApiError } from '../kube/errors';
import { KINDS, kindPath, type KindPath } from '../kube/list';
import type { KubeRequester } from '../kube/request';

export type RouteKind = 'Ingress' | 'HTTPRoute';
export interface RouteRef {
  kind?: RouteKind;
  namespace: string;
  name: string;
}

const PART = /^[^/\s]+$/;

export function parseRouteRef(ref: string): RouteRef {
  const parts = ref.split('/');
  const bad = () =>
    new UsageError(
      `not a route reference: "${ref}"`,
      'use NAMESPACE/NAME, ingress/NAMESPACE/NAME or httproute/NAMESPACE/NAME',
    );
  if (parts.length === 2 && parts.every((p) => PART.test(p))) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3 && parts.every((p) => PART.test(p))) {
    const k = parts[0].toLowerCase();
    const kind: RouteKind | undefined =
      k === 'ingress' || k === 'ingresses' || k === 'ing'
        ? 'Ingress'
        : k === 'httproute' || k === 'httproutes'
          ? 'HTTPRoute'
          : undefined;
    if (!kind) throw bad();
    return { kind, namespace: parts[1], name: parts[2] };
  }
  throw bad();
}

async function exists(
  api: KubeRequester,
  kind: KindPath,
  ns: string,
  name: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await api.json({ path: kindPath(kind, ns, name), signal });
    return true;
  } catch (e) {
    // Absent, an API that is not served, or not allowed to see it: not this kind, as far as the choice goes.
    if (e instanceof KubeApiError && (e.status === 404 || e.status === 403)) return false;
    throw e;
  }
}

/** The kind of a bare `NS/NAME`: the Ingress when it exists (or when neither does, for its not-found error). */
export async function routeKind(api: KubeRequester, ref: RouteRef, signal?: AbortSignal): Promise<RouteKind> {
  if (ref.kind) return ref.kind;
  const [ing, route] = await Promise.all([
    exists(api, KINDS.ingresses, ref.namespace, ref.name, signal),
    exists(api, KINDS.httproutes, ref.namespace, ref.name, signal),
  ]);
  if (ing && route)
    throw new UsageError(`${ref.namespace}/${ref.name} is both an Ingress and an HTTPRoute; say which`, undefined, [
      `ingress/${ref.namespace}/${ref.name}`,
      `httproute/${ref.namespace}/${ref.name}`,
    ]);
  return route ? 'HTTPRoute' : 'Ingress';
}
