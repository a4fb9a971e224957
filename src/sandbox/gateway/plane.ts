// Starts a Gateway's data-plane pod for the runtime (src/sandbox/runtime/runtime.ts): the pod's Gateway comes from
// its gateway-name label, as NGF labels the pods it provisions; once nginx listens, the pod is Ready and the
// Gateway gets its address (the pod IP, as the ingress controller's load-balancer address is).
import { join } from 'node:path';
import { setPodState, type Controllers } from '../controllers';
import type { LogStore } from '../logs';
import type { PodInfo } from '../runtime/apps';
import type { ObjectStore } from '../store';
import { GatewayNginx } from './controller';
import { portMap } from '../port-map';

export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

export interface PlaneContext {
  store: ObjectStore;
  logs: LogStore;
  controllers: Controllers;
  workDir: string;
  issueCert: (hosts: string[]) => Promise<{ certPem: string; keyPem: string }>;
  /** Every pod on 127.0.0.1 with its own ports (src/sandbox/runtime/addressing.ts). */
  singleAddress?: boolean;
  log?: (line: string) => void;
}

/**
 * The started data plane, or undefined when nginx did not start. The Gateway is extra: without it (nginx may not bind
 * its listener ports, e.g. 80 and 443 unprivileged) the sandbox still runs, the pod shows Failed and the Gateway stays Programmed False,
 * as in a cluster. `tail` gives the pod's last log lines for the message.
 */
export async function startGatewayPlane(
  p: PodInfo,
  ctx: PlaneContext,
  tail: () => string,
): Promise<GatewayNginx | undefined> {
  const pod = ctx.store.get('Pod', p.namespace, p.name);
  const gateway = pod?.metadata.labels?.[GATEWAY_NAME_LABEL];
  if (!gateway) throw new Error(`pod ${p.namespace}/${p.name} has no ${GATEWAY_NAME_LABEL} label`);
  const nginx = new GatewayNginx({
    store: ctx.store,
    logs: ctx.logs,
    pod: { namespace: p.namespace, pod: p.name, name: p.name, container: p.container },
    gateway: { namespace: p.namespace, name: gateway },
    dir: join(ctx.workDir, `gateway-${p.namespace}-${gateway}`),
    ip: p.ip,
    // The pod's declared ports are the listener ports NGF gives it; in single-address mode they map to real ones.
    ...(ctx.singleAddress && pod ? { listenPorts: portMap(pod) } : {}),
    issueCert: ctx.issueCert,
    log: ctx.log,
  });
  setPodState(ctx.store, p.namespace, p.name, { ready: false, running: true });
  try {
    await nginx.start();
  } catch (e) {
    await nginx.stop();
    const message = (e as Error).message;
    ctx.log?.(`pod ${p.namespace}/${p.name} (gateway nginx) failed: ${message}${tail()}`);
    setPodState(ctx.store, p.namespace, p.name, {
      ready: false,
      phase: 'Failed',
      reason: 'Error',
      exitCode: 1,
      message,
    });
    return undefined;
  }
  setPodState(ctx.store, p.namespace, p.name, {
    ready: true,
    // Listener ports the pod did not declare got ports too: the map says so (port-forward and the proxy use it).
    ...(ctx.singleAddress ? { portMap: Object.fromEntries(nginx.listenPorts ?? []) } : {}),
  });
  // NGF provisions the Service next to the pods with the same gateway-name label; its LB address is the Gateway's.
  const service = ctx.store
    .list('Service', p.namespace)
    .find(
      (s) =>
        s.metadata.labels?.[GATEWAY_NAME_LABEL] === gateway && (s.spec as { type?: string }).type === 'LoadBalancer',
    );
  // In single-address mode the status lists, in the Service's port order, the ports nginx binds for them: the probe
  // reads a listener's port from there (gatewayPort in src/core/probe/target.ts).
  const svcPorts = (service?.spec as { ports?: { port: number; targetPort?: number | string }[] } | undefined)?.ports;
  const listen = nginx.listenPorts;
  const lbPorts =
    listen && svcPorts?.length
      ? svcPorts.map((sp) => listen.get(typeof sp.targetPort === 'number' ? sp.targetPort : sp.port) ?? sp.port)
      : nginx.ports;
  ctx.controllers.setGatewayAddress(`${p.namespace}/${gateway}`, {
    ip: p.ip,
    ports: lbPorts,
    // Without that Service, NGF's name for it (so the ingress controller's Service is never taken for it).
    service: { namespace: p.namespace, name: service?.metadata.name ?? `${gateway}-nginx` },
  });
  ctx.log?.(
    `pod ${p.namespace}/${p.name} (gateway nginx for ${p.namespace}/${gateway}) ready on ${p.ip}:${nginx.ports.join(',')}`,
  );
  return nginx;
}
