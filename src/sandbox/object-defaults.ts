// What the API server and its controllers fill in on the sandbox's objects: pod and namespace defaults, Service
// cluster IPs and node ports, and pod addresses on loopback (src/sandbox/controllers.ts applies them).
import { createHash } from 'node:crypto';
import type { LoadBalancerAddress } from './controllers';
import type { KubeObject, ObjectStore } from './store';

/** A short name suffix made from a hash, in the letters Kubernetes uses for generated names. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function safeHash(input: string, length: number): string {
  const bytes = createHash('sha256').update(input).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

/** Where pods with no process get their addresses: the pod subnet with 128 added to its second octet. */
export function mirrorSubnet(subnet: string): string {
  const [a, b, c] = subnet.split('.').map(Number);
  return `${a}.${(b + 128) % 256}.${c}`;
}

/** `<subnet>.2` … `.254`, then on into the following /24s (only the mirror range, which binds nothing, gets that far).
 * The allocator remembers where it stopped; a pass starts it afresh, so freed addresses are reused. */
export function ipAllocator(subnet: string, used: Set<string>): () => string {
  const [a, b, c] = subnet.split('.').map(Number);
  let n = b * 256 + c,
    d = 2;
  return () => {
    for (; n < 256 * 256; n++, d = 2) {
      const prefix = `${a}.${n >> 8}.${n & 255}`;
      for (; d < 255; d++) {
        const ip = `${prefix}.${d}`;
        if (!used.has(ip)) {
          used.add(ip);
          return ip;
        }
      }
    }
    throw new Error(`no free pod IP after ${subnet}.0/24`);
  };
}

export const fakeUid = (s: string): string => {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export function withPodDefaults(spec: Record<string, unknown>): Record<string, unknown> {
  const containers = ((spec.containers as Record<string, unknown>[] | undefined) ?? []).map((c) => ({
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...c,
    ...(c.ports ? { ports: (c.ports as Record<string, unknown>[]).map((p) => ({ protocol: 'TCP', ...p })) } : {}),
  }));
  return {
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    ...spec,
    containers,
  };
}

export function namespaceDefaults(ns: KubeObject): KubeObject {
  return {
    ...ns,
    metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name } },
    spec: { finalizers: ['kubernetes'], ...(ns.spec as object | undefined) },
    status: { phase: 'Active' },
  };
}

/** A LoadBalancer Service's status entry for the sandbox's load-balancer address. */
const lbIngress = (lb: LoadBalancerAddress) => ({
  ip: lb.ip,
  ipMode: 'VIP',
  ports: lb.ports.map((port) => ({ port, protocol: 'TCP' })),
});

export type Allocations = Map<string, { clusterIP?: string; nodePorts: Record<string, number> }>;

export function serviceDefaults(
  store: ObjectStore,
  put: (o: KubeObject) => void,
  lbs: (LoadBalancerAddress | undefined)[],
  inScope: (o: KubeObject) => boolean,
  allocated: Allocations,
): void {
  const services = store.list('Service');
  const usedIps = new Set(services.map((s) => (s.spec as { clusterIP?: string }).clusterIP).filter(Boolean));
  const usedNodePorts = new Set(
    services
      .flatMap((s) => ((s.spec as { ports?: { nodePort?: number }[] }).ports ?? []).map((p) => p.nodePort))
      .filter(Boolean),
  );
  let ipN = 10,
    nodePort = 30080;
  for (const s of services.filter(inScope)) {
    const spec = {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ...structuredClone(s.spec as Record<string, unknown>),
    } as Record<string, unknown> & { ports?: Record<string, unknown>[] };
    const type = spec.type as string;
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const memo = allocated.get(key) ?? { nodePorts: {} };
    allocated.set(key, memo);
    if (type !== 'ExternalName' && !spec.clusterIP && memo.clusterIP) spec.clusterIP = memo.clusterIP;
    if (type !== 'ExternalName' && !spec.clusterIP) {
      while (usedIps.has(`10.96.${Math.floor(ipN / 256)}.${ipN % 256}`)) ipN++;
      spec.clusterIP = `10.96.${Math.floor(ipN / 256)}.${ipN % 256}`;
      usedIps.add(spec.clusterIP as string);
    }
    if (spec.clusterIP) memo.clusterIP = spec.clusterIP as string;
    if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    spec.ports = (spec.ports ?? []).map((p) => {
      const out: Record<string, unknown> = { protocol: 'TCP', ...p, targetPort: p.targetPort ?? p.port };
      const portKey = `${out.name ?? ''}/${out.port}`;
      if ((type === 'LoadBalancer' || type === 'NodePort') && !out.nodePort) {
        const kept = memo.nodePorts[portKey];
        if (kept) out.nodePort = kept;
        else {
          while (usedNodePorts.has(nodePort)) nodePort++;
          out.nodePort = nodePort;
          usedNodePorts.add(nodePort);
        }
      }
      if (out.nodePort) memo.nodePorts[portKey] = out.nodePort as number;
      return out;
    });
    // The ingress controller's address (its Service, or ingress-nginx's by name) and each Gateway's data plane.
    const lb =
      type === 'LoadBalancer'
        ? lbs.find((l) =>
            !l
              ? false
              : l.service
                ? l.service.namespace === s.metadata.namespace && l.service.name === s.metadata.name
                : s.metadata.namespace === 'ingress-nginx' && s.metadata.name === 'ingress-nginx-controller',
          )
        : undefined;
    const status = { loadBalancer: lb ? { ingress: [lbIngress(lb)] } : {} };
    put({ ...s, spec, status });
  }
}
