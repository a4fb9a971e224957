// Where a probe is sent: the Ingress's load-balancer address, or a port-forward to a ready controller pod.
import { KubetraceError } from '../errors';
import type { ControllerInfo } from '../kube/controller';
import type { Ingress, Pod, Service } from '../kube/objects';
import { isPodReady } from '../kube/objects';
import { openPortForward, type Forward } from '../kube/portforward';
import type { LoadedKubeconfig } from '../kube/load';

export interface Target {
  kind: 'load-balancer' | 'port-forward';
  address: string;
  port: number;
  scheme: 'http' | 'https';
  forward?: Forward;
  controllerPod?: Pod;
}

/** ingress[0].ports, when given, list the HTTP port then the HTTPS port (the sandbox and several LB providers do this). */
export function loadBalancerTarget(ing: Ingress, scheme: 'http' | 'https'): Omit<Target, 'kind'> | undefined {
  const lb = ing.status?.loadBalancer?.ingress?.[0];
  const address = lb?.ip ?? lb?.hostname;
  if (!address) return undefined;
  const ports = (lb?.ports ?? []).map((p) => p.port).filter((p) => Number.isInteger(p) && p > 0);
  const port = scheme === 'https' ? (ports[1] ?? (ports.length === 1 ? ports[0] : 443)) : (ports[0] ?? 80);
  return { address, port, scheme };
}

/**
 * The port that answers for a Gateway listener's port at `address`. Its LoadBalancer Service's status may list, in the
 * order of the Service's ports, ports other than the Service's (the Kubetrace sandbox does when its pods share
 * 127.0.0.1, src/sandbox/runtime/addressing.ts); elsewhere they are the Service's ports, so this is the listener's.
 */
export function gatewayPort(service: Service | undefined, address: string, listenerPort: number): number {
  const specPorts = service?.spec?.ports ?? [];
  const lb = service?.status?.loadBalancer?.ingress?.find((i) => (i.ip ?? i.hostname) === address);
  const ports = (lb?.ports ?? []).map((p) => p.port);
  // Listed as Kubernetes means them (the Service's own ports, in any order): the listener port is the one.
  if (ports.includes(listenerPort)) return listenerPort;
  const i = specPorts.findIndex((p) => p.port === listenerPort);
  const port = i >= 0 && ports.length === specPorts.length ? ports[i] : undefined;
  return Number.isInteger(port) && port! > 0 ? port! : listenerPort;
}

function containerPort(pod: Pod, name: string, fallback: number): number {
  for (const c of pod.spec?.containers ?? [])
    for (const p of c.ports ?? []) if (p.name === name) return p.containerPort;
  return fallback;
}

export async function chooseTarget(opts: {
  config: LoadedKubeconfig;
  ingress: Ingress;
  controller: ControllerInfo;
  scheme: 'http' | 'https';
  via?: 'lb' | 'port-forward';
}): Promise<Target> {
  if (opts.via !== 'port-forward') {
    const lb = loadBalancerTarget(opts.ingress, opts.scheme);
    if (lb) return { kind: 'load-balancer', ...lb, controllerPod: opts.controller.pods[0] };
    if (opts.via === 'lb')
      throw new KubetraceError(
        `Ingress ${opts.ingress.metadata.namespace}/${opts.ingress.metadata.name} has no load-balancer address`,
        'use --via port-forward to go through a controller pod',
      );
  }
  const pod = opts.controller.pods.find(isPodReady);
  if (!pod) {
    throw new KubetraceError(
      opts.controller.isIngressNginx
        ? 'no ready ingress-nginx controller pod to port-forward to'
        : `port-forward needs an ingress-nginx controller; this Ingress is ` +
            `served by ${opts.controller.controller ?? 'an unknown controller'}`,
      'check the controller pods (kubectl get pods -n ingress-nginx), or probe through the load balancer',
    );
  }
  const port = opts.scheme === 'https' ? containerPort(pod, 'https', 443) : containerPort(pod, 'http', 80);
  const forward = await openPortForward(opts.config, pod.metadata.namespace ?? 'default', pod.metadata.name, port);
  return {
    kind: 'port-forward',
    address: forward.host,
    port: forward.port,
    scheme: opts.scheme,
    forward,
    controllerPod: pod,
  };
}
