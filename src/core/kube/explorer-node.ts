// Kubernetes Tools hands its Cluster Explorer nodes to other extensions' commands (ClusterExplorerV1
// .resolveCommandTarget). This matches such a node to an Ingress of our own listing, which carries the rules and
// backends a probe needs; the node itself has only the kind, name, namespace and a little metadata.
// The node arrives from another extension, so every field is checked, never trusted.
import type { RouteEntry } from './routes';

export type ExplorerMatch =
  | { ok: true; entry: RouteEntry }
  | { ok: false; reason: 'not-a-node' | 'not-an-ingress' | 'not-listed' | 'ambiguous'; message: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * @param node what resolveCommandTarget returned (undefined when the command did not come from the Cluster Explorer)
 * @param namespace the namespace Kubernetes Tools shows when the node names none (its current namespace)
 */
export function matchExplorerIngress(
  node: unknown,
  entries: readonly RouteEntry[],
  context: string,
  namespace?: string,
): ExplorerMatch {
  if (!node || typeof node !== 'object')
    return {
      ok: false,
      reason: 'not-a-node',
      message:
        'Send Probe (Kubetrace) works on Ingress nodes of the Kubernetes Tools Cluster Explorer; this was not one.',
    };
  const n = node as {
    nodeType?: unknown;
    name?: unknown;
    namespace?: unknown;
    resourceKind?: { manifestKind?: unknown };
    metadata?: { namespace?: unknown };
  };
  const kind = str(n.resourceKind && typeof n.resourceKind === 'object' ? n.resourceKind.manifestKind : undefined);
  const name = str(n.name);
  if (n.nodeType !== 'resource' || kind !== 'Ingress' || !name) {
    return {
      ok: false,
      reason: 'not-an-ingress',
      message: `Send Probe (Kubetrace) needs an Ingress; this node is ${describe(n.nodeType, kind, name)}.`,
    };
  }
  const ns =
    str(n.namespace) ??
    str(n.metadata && typeof n.metadata === 'object' ? n.metadata.namespace : undefined) ??
    str(namespace);
  const named = entries.filter((e) => e.kind === 'Ingress' && e.name === name);
  const hits = ns ? named.filter((e) => e.namespace === ns) : named;
  if (hits.length === 1) return { ok: true, entry: hits[0] };
  if (hits.length > 1) {
    return {
      ok: false,
      reason: 'ambiguous',
      message:
        `Ingress ${name} exists in ${hits.map((e) => e.namespace).join(', ')}` +
        `, and Kubernetes Tools did not say which namespace it showed.`,
    };
  }
  const where = ns ? `${ns}/${name}` : name;
  return {
    ok: false,
    reason: 'not-listed',
    message:
      `Ingress ${where} is not in what Kubetrace lists for context ${context}. ` +
      `Kubernetes Tools and Kubetrace may use different contexts or namespaces.`,
  };
}

function describe(nodeType: unknown, kind: string | undefined, name: string | undefined): string {
  if (nodeType === 'resource') return `${kind ?? 'a resource'}${name ? ` ${name}` : ''}`;
  return typeof nodeType === 'string' ? `a ${nodeType} node` : 'not a Cluster Explorer node';
}
