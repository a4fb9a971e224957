// The sandbox's controllers, in one reconcile pass run after store changes: Deployment → Pods (IPs on
// loopback), Service defaults, Service + Pods → EndpointSlices and Endpoints, load-balancer status of
// Ingresses (nginx's class, and another controller's once its data plane listens: haproxy/plane.ts), and
// Gateway API status as NGINX Gateway Fabric writes it (gateway/status.ts).
// Objects are only written when their content changes, so passes settle.
import { createHash } from 'node:crypto';
import type { KubeObject, ObjectStore, StoreChange } from './store';
import { BUILTIN_NAMESPACES } from './manifest-loader';
import { desiredSlices, desiredEndpoints, sameContent } from './api/endpointslices';
import { podStatus, type PodState } from './api/pod-status';
import {
  fakeUid,
  ipAllocator,
  mirrorSubnet,
  namespaceDefaults,
  safeHash,
  serviceDefaults,
  withPodDefaults,
} from './object-defaults';
import { deploymentStatus, ingressStatus } from './object-status';
import { gatewayStatus } from './gateway/status';
import { PORT_MAP_ANNOTATION, portMap } from './port-map';
import { SINGLE_ADDRESS } from './runtime/addressing';

export { type PodState } from './api/pod-status';
export const APP_ANNOTATION = 'sandbox.kubetrace.dev/app';
const TEMPLATE_ANNOTATION = 'sandbox.kubetrace.dev/template-hash';
const WATCHED = new Set([
  'Deployment',
  'Pod',
  'Service',
  'Namespace',
  'Ingress',
  'IngressClass',
  'Gateway',
  'GatewayClass',
  'HTTPRoute',
]);

export interface ControllerOptions {
  /** First three octets of pod IPs, default `127.10.0`. */ podSubnet?: string;
  /** Pods with a process all get 127.0.0.1 (src/sandbox/runtime/addressing.ts); the runtime gives them ports. */
  singleAddress?: boolean;
}
/** The ingress controller's address: its pod IP and the HTTP and HTTPS ports nginx listens on. */
export interface LoadBalancerAddress {
  ip: string;
  ports: number[];
  service?: { namespace: string; name: string };
}

export interface Controllers {
  /** Runs a pass now (changes also schedule one on the next microtask). */
  reconcile(): void;
  setLoadBalancer(lb: LoadBalancerAddress | undefined): void;
  /** The address of a Gateway's data plane (`namespace/name`), once its nginx listens; undefined clears it. */
  setGatewayAddress(gateway: string, lb: LoadBalancerAddress | undefined): void;
  /** The address of another ingress controller (by IngressClass spec.controller), once it listens. */
  setIngressAddress(controller: string, lb: LoadBalancerAddress | undefined): void;
  stop(): void;
}

export function startControllers(store: ObjectStore, opts: ControllerOptions = {}): Controllers {
  const subnet = opts.podSubnet ?? '127.10.0';
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(subnet))
    throw new Error(`podSubnet must be three octets like 127.10.0, got "${subnet}"`);
  let lb: LoadBalancerAddress | undefined;
  const gatewayLbs = new Map<string, LoadBalancerAddress>();
  const ingressLbs = new Map<string, LoadBalancerAddress>();
  let scheduled = false,
    running = false,
    stopped = false;
  let podSeq = 0;
  // Cluster IPs and node ports handed out, by Service, so a re-applied manifest keeps them (as apply does).
  const allocated = new Map<string, { clusterIP?: string; nodePorts: Record<string, number> }>();
  // Namespaces touched since the last pass; 'all' after a cluster-wide change (namespaces, classes, the LB).
  let dirty: Set<string> | 'all' = 'all';

  const put = (o: KubeObject) => {
    const old = store.get(o.kind, o.metadata.namespace, o.metadata.name);
    if (!old || !sameContent(old, o)) store.put(o);
  };

  function pass(): void {
    if (stopped) return;
    running = true;
    const scope = dirty;
    dirty = new Set();
    try {
      if (scope === 'all') {
        for (const ns of BUILTIN_NAMESPACES)
          if (!store.get('Namespace', undefined, ns))
            store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        for (const ns of store.list('Namespace')) put(namespaceDefaults(ns));
      }
      const namespaces = scope === 'all' ? store.list('Namespace').map((n) => n.metadata.name) : [...scope];
      const inScope = (o: KubeObject) => scope === 'all' || scope.has(o.metadata.namespace!);
      serviceDefaults(store, put, [lb, ...gatewayLbs.values(), ...ingressLbs.values()], inScope, allocated);
      podsFromDeployments(inScope);
      for (const ns of namespaces) {
        const pods = store.list('Pod', ns);
        const slices = store.list('EndpointSlice', ns);
        const services = store.list('Service', ns);
        for (const s of services) {
          syncSlices(s, pods, slices);
          const ep = desiredEndpoints(s, pods);
          if (ep) put(ep);
        }
        removeOrphans(ns, services);
        for (const d of store.list('Deployment', ns)) put(deploymentStatus(d, pods));
      }
      ingressStatus(store, put, lb, ingressLbs, inScope);
      gatewayStatus(store, put, gatewayLbs);
    } finally {
      running = false;
    }
  }

  function podsFromDeployments(inScope: (o: KubeObject) => boolean): void {
    const used = new Set(
      store
        .list('Pod')
        .map((p) => (p.status as { podIP?: string } | undefined)?.podIP)
        .filter(Boolean) as string[],
    );
    const nextIp = ipAllocator(subnet, used);
    // Pods with no process behind them (--scale, bare manifest Pods) never listen, so their addresses are data
    // only: they come from a mirror range (second octet + 128) and so thousands of them cannot spill into the
    // next /24s, where another sandbox's pods may listen.
    const nextDataIp = ipAllocator(mirrorSubnet(subnet), used);
    const desired = new Set<string>();
    for (const d of store.list('Deployment').filter(inScope)) {
      const ns = d.metadata.namespace!,
        name = d.metadata.name;
      const spec = d.spec as {
        replicas?: number;
        template?: {
          metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
          spec?: Record<string, unknown>;
        };
      };
      const templateHash = safeHash(`${ns}/${name}`, 10);
      const contentHash = createHash('sha256')
        .update(JSON.stringify(spec.template ?? {}))
        .digest('hex')
        .slice(0, 16);
      const replicas = spec.replicas ?? 1;
      for (let i = 0; i < replicas; i++) {
        const podName = `${name}-${templateHash}-${safeHash(`${ns}/${name}/${i}`, 5)}`;
        desired.add(`${ns}/${podName}`);
        const old = store.get('Pod', ns, podName);
        if (old && old.metadata.annotations?.[TEMPLATE_ANNOTATION] === contentHash) continue;
        const app = d.metadata.annotations?.[APP_ANNOTATION] ?? spec.template?.metadata?.annotations?.[APP_ANNOTATION];
        const ip =
          (old?.status as { podIP?: string } | undefined)?.podIP ??
          (app ? (opts.singleAddress ? SINGLE_ADDRESS : nextIp()) : nextDataIp());
        const podSpec = {
          ...structuredClone(spec.template?.spec ?? {}),
          nodeName: (old?.spec as { nodeName?: string } | undefined)?.nodeName ?? `sandbox-node-${(podSeq++ % 2) + 1}`,
        };
        const pod: KubeObject = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: podName,
            namespace: ns,
            labels: { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': templateHash },
            annotations: {
              ...(spec.template?.metadata?.annotations ?? {}),
              ...(app ? { [APP_ANNOTATION]: app } : {}),
              [TEMPLATE_ANNOTATION]: contentHash,
            },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${name}-${templateHash}`,
                uid: fakeUid(`${ns}/${name}-${templateHash}`),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: withPodDefaults(podSpec),
          status: podStatus(podSpec, ip, app ? { ready: false } : { ready: true }, new Date()),
        };
        store.put(pod);
      }
    }
    for (const p of store.list('Pod').filter(inScope)) {
      const owned = (p.metadata.ownerReferences as { kind: string }[] | undefined)?.some(
        (r) => r.kind === 'ReplicaSet',
      );
      if (owned && !desired.has(`${p.metadata.namespace}/${p.metadata.name}`))
        store.delete('Pod', p.metadata.namespace, p.metadata.name);
      else if (!owned && !(p.status as { podIP?: string } | undefined)?.podIP) {
        // A bare Pod from a manifest: schedule it; with no process behind it, it is Running and Ready.
        const ip = nextDataIp();
        const spec = { ...(p.spec as Record<string, unknown>), nodeName: `sandbox-node-${(podSeq++ % 2) + 1}` };
        store.put({ ...p, spec: withPodDefaults(spec), status: podStatus(spec, ip, { ready: true }, new Date()) });
      }
    }
  }

  function syncSlices(svc: KubeObject, pods: KubeObject[], existing: KubeObject[]): void {
    const ns = svc.metadata.namespace!;
    const want = desiredSlices(svc, pods);
    const names = new Set(want.map((s) => s.metadata.name));
    for (const s of want) put(s);
    for (const old of existing) {
      const l = old.metadata.labels ?? {};
      if (
        l['kubernetes.io/service-name'] === svc.metadata.name &&
        l['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io' &&
        !names.has(old.metadata.name)
      ) {
        store.delete('EndpointSlice', ns, old.metadata.name);
      }
    }
  }

  /** Slices and Endpoints of a namespace whose Service is gone (only those the controllers made). */
  function removeOrphans(ns: string, services: KubeObject[]): void {
    const names = new Set(services.map((s) => s.metadata.name));
    for (const sl of store.list('EndpointSlice', ns)) {
      const l = sl.metadata.labels ?? {};
      if (
        l['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io' &&
        !names.has(l['kubernetes.io/service-name'])
      )
        store.delete('EndpointSlice', ns, sl.metadata.name);
    }
    for (const ep of store.list('Endpoints', ns))
      if (!names.has(ep.metadata.name)) store.delete('Endpoints', ns, ep.metadata.name);
  }

  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      pass();
    });
  };
  const onChange = (c: StoreChange) => {
    if (running || !WATCHED.has(c.object.kind)) return;
    const ns = c.object.metadata.namespace;
    if (c.object.kind === 'Namespace' || c.object.kind === 'IngressClass' || c.object.kind === 'GatewayClass' || !ns)
      dirty = 'all';
    else if (dirty !== 'all') dirty.add(ns);
    schedule();
  };
  store.on('change', onChange);
  pass();
  return {
    reconcile() {
      dirty = 'all';
      pass();
    },
    setLoadBalancer(next) {
      lb = next;
      dirty = 'all';
      pass();
    },
    setGatewayAddress(gateway, next) {
      if (next) gatewayLbs.set(gateway, next);
      else gatewayLbs.delete(gateway);
      dirty = 'all';
      pass();
    },
    setIngressAddress(controller, next) {
      if (next) ingressLbs.set(controller, next);
      else ingressLbs.delete(controller);
      dirty = 'all';
      pass();
    },
    stop() {
      stopped = true;
      store.off('change', onChange);
    },
  };
}

/** Sets what the runtime knows about a pod's process; slices and Endpoints follow on the next pass. */
export function setPodState(
  store: ObjectStore,
  namespace: string,
  name: string,
  state: PodState,
): KubeObject | undefined {
  const pod = store.get('Pod', namespace, name);
  if (!pod) return undefined;
  const spec = structuredClone(pod.spec) as { containers?: { ports?: { name?: string; containerPort: number }[] }[] };
  if (state.containerPorts) {
    for (const c of spec.containers ?? [])
      for (const p of c.ports ?? [])
        if (p.name && state.containerPorts[p.name] !== undefined) p.containerPort = state.containerPorts[p.name];
  }
  let metadata = pod.metadata;
  if (state.portMap) {
    // The spec may show an earlier map's real ports: go back to the declared port, then to the new real one.
    const declared = new Map([...portMap(pod)].map(([d, r]) => [r, d]));
    for (const c of spec.containers ?? [])
      for (const p of c.ports ?? []) {
        const d = declared.get(p.containerPort) ?? p.containerPort;
        p.containerPort = state.portMap[d] ?? p.containerPort;
      }
    metadata = {
      ...metadata,
      annotations: { ...metadata.annotations, [PORT_MAP_ANNOTATION]: JSON.stringify(state.portMap) },
    };
  }
  const ip = (pod.status as { podIP: string }).podIP;
  const started = (pod.status as { startTime?: string }).startTime;
  return store.put({
    ...pod,
    metadata,
    spec,
    status: podStatus(spec as Record<string, unknown>, ip, state, started ? new Date(started) : new Date()),
  });
}
