// EndpointSlices and Endpoints derived from a Service and the Pods its selector matches, as the
// endpointslice and endpoints controllers write them. Named target ports resolve per pod, so pods with
// different port numbers land in different slices (as in a real cluster).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../store';
import { realPort } from '../port-map';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = (s: string): string => {
  const b = createHash('sha256').update(s).digest();
  return Array.from(b.subarray(0, 5), (x) => ALPHABET[x % ALPHABET.length]).join('');
};

interface SvcPort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}
interface PodLike {
  metadata: KubeObject['metadata'];
  spec: { nodeName?: string; containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (p: PodLike): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function selected(svc: KubeObject, pods: KubeObject[]): PodLike[] {
  const sel = (svc.spec as { selector?: Record<string, string> }).selector;
  if (!sel) return [];
  const keys = Object.keys(sel);
  if (!keys.length) return [];
  const out: PodLike[] = [];
  // Plain loops: this runs for every Service against every Pod of its namespace.
  outer: for (const p of pods as unknown as PodLike[]) {
    if (!p.status?.podIP || p.metadata.deletionTimestamp) continue;
    const labels = p.metadata.labels;
    if (!labels) continue;
    for (const k of keys) if (labels[k] !== sel[k]) continue outer;
    out.push(p);
  }
  return out;
}

function resolvePort(p: PodLike, sp: SvcPort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  // A number is the declared port; in single-address mode the pod's process listens on another (port-map.ts).
  if (typeof tp === 'number') return realPort(p, tp);
  if (/^\d+$/.test(tp)) return realPort(p, Number(tp));
  for (const c of p.spec.containers ?? []) for (const cp of c.ports ?? []) if (cp.name === tp) return cp.containerPort;
  return undefined;
}

/** Pods grouped by their resolved port list, in pod order. */
function groups(
  svc: KubeObject,
  pods: KubeObject[],
): { ports: { name?: string; port?: number; protocol: string; appProtocol?: string }[]; pods: PodLike[] }[] {
  const svcPorts = (svc.spec as { ports?: SvcPort[] }).ports ?? [];
  const out = new Map<
    string,
    { ports: { name?: string; port?: number; protocol: string; appProtocol?: string }[]; pods: PodLike[] }
  >();
  for (const p of selected(svc, pods)) {
    const ports = svcPorts.map((sp) => ({
      name: sp.name ?? '',
      port: resolvePort(p, sp),
      protocol: sp.protocol ?? 'TCP',
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    }));
    const key = JSON.stringify(ports);
    if (!out.has(key)) out.set(key, { ports, pods: [] });
    out.get(key)!.pods.push(p);
  }
  return [...out.values()];
}

const targetRef = (p: PodLike) => ({
  kind: 'Pod',
  namespace: p.metadata.namespace,
  name: p.metadata.name,
  uid: p.metadata.uid,
});

export function desiredSlices(svc: KubeObject, pods: KubeObject[]): KubeObject[] {
  const sel = (svc.spec as { selector?: Record<string, string> }).selector;
  if (!sel || !Object.keys(sel).length) return [];
  const ns = svc.metadata.namespace!,
    name = svc.metadata.name;
  const gs = groups(svc, pods);
  if (!gs.length) gs.push({ ports: [], pods: [] }); // a selector that matches nothing still gets an empty slice
  return gs.map((g, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${name}-${suffix(i === 0 ? `${ns}/${name}` : `${ns}/${name}/${i}`)}`,
      namespace: ns,
      generateName: `${name}-`,
      labels: {
        ...svc.metadata.labels,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kubernetes.io/service-name': name,
      },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType: 'IPv4',
    endpoints: g.pods.map((p) => {
      const ready = isReady(p);
      return {
        addresses: [p.status!.podIP!],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: p.spec.nodeName,
        targetRef: targetRef(p),
      };
    }),
    ports: g.ports.length ? g.ports : null,
  }));
}

export function desiredEndpoints(svc: KubeObject, pods: KubeObject[]): KubeObject | undefined {
  const sel = (svc.spec as { selector?: Record<string, string> }).selector;
  if (!sel || !Object.keys(sel).length) return undefined;
  const subsets = groups(svc, pods).map((g) => {
    const addr = (p: PodLike) => ({ ip: p.status!.podIP, nodeName: p.spec.nodeName, targetRef: targetRef(p) });
    const ready = g.pods.filter(isReady),
      notReady = g.pods.filter((p) => !isReady(p));
    return {
      ...(ready.length ? { addresses: ready.map(addr) } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady.map(addr) } : {}),
      ports: g.ports
        .filter((p) => p.port !== undefined)
        .map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol })),
    };
  });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels: { ...svc.metadata.labels } },
    ...(subsets.length ? { subsets } : {}),
  };
}

const SERVER_OWNED = new Set(['resourceVersion', 'uid', 'creationTimestamp']);

/** Deep equality that ignores the fields the store sets and key order. */
export function sameContent(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((x, i) => sameContent(x, (b as unknown[])[i], depth + 1));
  const ra = a as Record<string, unknown>,
    rb = b as Record<string, unknown>;
  const skip = (k: string, v: unknown) => v === undefined || (depth === 1 && SERVER_OWNED.has(k));
  const ka = Object.keys(ra).filter((k) => !skip(k, ra[k])),
    kb = Object.keys(rb).filter((k) => !skip(k, rb[k]));
  return ka.length === kb.length && ka.every((k) => sameContent(ra[k], rb[k], depth + 1));
}
