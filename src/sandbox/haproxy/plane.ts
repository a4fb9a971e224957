// Starts the HAProxy controller's pod for the runtime (src/sandbox/runtime/runtime.ts): haproxy listens on the
// pod's container ports (the chart's unprivileged 8080 and 8443); once it does, the pod is Ready and the Ingresses of
// its class get the pod's address as their load balancer, as the controller's --publish-service writes it.
import { join } from 'node:path';
import { setPodState } from '../controllers';
import type { PlaneContext } from '../gateway/plane';
import type { PodInfo } from '../runtime/apps';
import { HaproxyController } from './controller';
import { HAPROXY_CONTROLLER } from './model';

/**
 * The started controller, or undefined when haproxy did not start. It is extra: without it the sandbox still runs,
 * the pod shows Failed and the `haproxy` Ingresses get no address, as in a cluster. `tail` gives the pod's last log
 * lines for the message.
 */
export async function startHaproxyPlane(
  p: PodInfo,
  ctx: PlaneContext,
  tail: () => string,
): Promise<HaproxyController | undefined> {
  const pod = ctx.store.get('Pod', p.namespace, p.name);
  const args = ((pod?.spec as { containers?: { args?: string[] }[] } | undefined)?.containers?.[0]?.args ?? []).join(
    ' ',
  );
  const cm = /--configmap=([a-z0-9-]+)\/([a-z0-9.-]+)/.exec(args);
  const haproxy = new HaproxyController({
    store: ctx.store,
    logs: ctx.logs,
    pod: { namespace: p.namespace, pod: p.name, name: p.name, container: p.container },
    dir: join(ctx.workDir, `haproxy-${p.namespace}-${p.name}`),
    listen: { ip: p.ip, httpPort: p.ports.get('http') ?? 8080, httpsPort: p.ports.get('https') ?? 8443 },
    ...(cm ? { configMap: { namespace: cm[1], name: cm[2] } } : {}),
    issueCert: ctx.issueCert,
    log: ctx.log,
  });
  setPodState(ctx.store, p.namespace, p.name, { ready: false, running: true });
  try {
    await haproxy.start();
  } catch (e) {
    await haproxy.stop();
    const message = (e as Error).message;
    ctx.log?.(`pod ${p.namespace}/${p.name} (haproxy) failed: ${message}${tail()}`);
    setPodState(ctx.store, p.namespace, p.name, {
      ready: false,
      phase: 'Failed',
      reason: 'Error',
      exitCode: 1,
      message,
    });
    return undefined;
  }
  setPodState(ctx.store, p.namespace, p.name, { ready: true });
  const service = ctx.store
    .list('Service', p.namespace)
    .find(
      (s) =>
        s.metadata.labels?.['app.kubernetes.io/name'] === 'kubernetes-ingress' &&
        (s.spec as { type?: string }).type === 'LoadBalancer',
    );
  ctx.controllers.setIngressAddress(HAPROXY_CONTROLLER, {
    ip: p.ip,
    ports: haproxy.ports,
    service: { namespace: p.namespace, name: service?.metadata.name ?? 'haproxy-kubernetes-ingress' },
  });
  ctx.log?.(`pod ${p.namespace}/${p.name} (haproxy) ready on ${p.ip}:${haproxy.ports.join(',')}`);
  return haproxy;
}
