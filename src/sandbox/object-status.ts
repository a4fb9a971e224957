// The status the sandbox's controllers write: an Ingress's load-balancer address and a Deployment's replica counts
// (src/sandbox/controllers.ts decides when).
import type { KubeObject, ObjectStore } from './store';
import type { LoadBalancerAddress } from './controllers';
import { NGINX_CONTROLLER } from './nginx/model';
import { safeHash } from './object-defaults';

/** Whether the Ingress is served by ingress-nginx: its class (or the default class) names that controller. */
export function servedByNginx(store: ObjectStore, ing: KubeObject): boolean {
  return controllerOf(store, ing) === NGINX_CONTROLLER;
}

/** The `spec.controller` of the Ingress's class (or of the default class when it names none). */
export function controllerOf(store: ObjectStore, ing: KubeObject): string | undefined {
  const classes = store.list('IngressClass');
  const className =
    (ing.spec as { ingressClassName?: string }).ingressClassName ??
    ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  const cls = className
    ? classes.find((c) => c.metadata.name === className)
    : classes.find((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
  return (cls?.spec as { controller?: string } | undefined)?.controller;
}

export function ingressStatus(
  store: ObjectStore,
  put: (o: KubeObject) => void,
  lb: LoadBalancerAddress | undefined,
  others: ReadonlyMap<string, LoadBalancerAddress>,
  inScope: (o: KubeObject) => boolean,
): void {
  for (const ing of store.list('Ingress').filter(inScope)) {
    const controller = controllerOf(store, ing);
    const served = controller === NGINX_CONTROLLER ? lb : controller ? others.get(controller) : undefined;
    const ingress = served
      ? [{ ip: served.ip, ports: served.ports.map((port) => ({ port, protocol: 'TCP' })) }]
      : undefined;
    put({ ...ing, status: { loadBalancer: ingress ? { ingress } : {} } });
  }
}

export function deploymentStatus(d: KubeObject, pods: KubeObject[]): KubeObject {
  const owner = `${d.metadata.name}-${safeHash(`${d.metadata.namespace}/${d.metadata.name}`, 10)}`;
  const mine = pods.filter((p) =>
    (p.metadata.ownerReferences as { name: string }[] | undefined)?.some((r) => r.name === owner),
  );
  const ready = mine.filter((p) =>
    (p.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some(
      (c) => c.type === 'Ready' && c.status === 'True',
    ),
  ).length;
  const replicas = (d.spec as { replicas?: number }).replicas ?? 1;
  const available = ready >= replicas;
  return {
    ...d,
    status: {
      observedGeneration: 1,
      replicas: mine.length,
      updatedReplicas: mine.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(mine.length - ready > 0 ? { unavailableReplicas: mine.length - ready } : {}),
      conditions: [
        {
          type: 'Available',
          status: available ? 'True' : 'False',
          reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: available
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${owner}" has successfully progressed.`,
        },
      ],
    },
  };
}
