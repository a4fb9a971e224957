// Stage 1 of a probe through an HTTPRoute: read the route and its parent Gateway, refuse a route its Gateway did
// not accept (with the reason), choose the match, and reach the Gateway's address or a data-plane pod.
import { KubetraceError } from '../errors';
import { forGatewayController } from '../controllers';
import type { ControllerInfo } from '../kube/controller';
import { listenersOf } from '../kube/gateway-tree';
import { isPodReady } from '../kube/objects';
import { openPortForward } from '../kube/portforward';
import { readRouteTree } from '../kube/route-tree';
import type { RouteParent } from '../kube/routes';
import type { Diagnostic } from '../trace/model';
import { chooseRouteMatch } from './choose-route';
import {
  backendDiagnostics,
  checkConfirmed,
  controllerDiagnostics,
  permissionDiagnostics,
  type Resolved,
} from './resolve';
import { gatewayPort, type Target } from './target';
import type { ProbeOptions } from './types';

export async function resolveHTTPRoute(o: ProbeOptions, progress: (m: string) => void): Promise<Resolved> {
  checkConfirmed(o);
  progress(`reading HTTPRoute ${o.namespace}/${o.name}`);
  const tree = await readRouteTree(o.api, { fallbackNamespace: o.namespace, signal: o.signal });
  const entry = tree.entries.find((e) => e.kind === 'HTTPRoute' && e.namespace === o.namespace && e.name === o.name);
  if (!entry)
    throw new KubetraceError(
      `HTTPRoute ${o.namespace}/${o.name} not found`,
      `list the routes with \`kubetrace ingresses -n ${o.namespace}\``,
    );
  const parents = entry.parents ?? [];
  const accepted = parents.filter((p) => p.accepted);
  if (!accepted.length)
    throw new KubetraceError(
      `HTTPRoute ${o.namespace}/${o.name} is not attached to any Gateway: ` +
        (parents.map((p) => `${p.gateway.namespace}/${p.gateway.name}: ${p.reason ?? 'not accepted'}`).join('; ') ||
          'it has no Gateway parentRef'),
      "fix the route (parentRefs, hostnames, the listener's allowedRoutes) until its Accepted condition is True",
    );
  const gwIndex = new Map(
    tree.snapshot.gateways.map((g) => [`${g.metadata.namespace ?? 'default'}/${g.metadata.name}`, g]),
  );
  // Each accepted parent may name a listener or leave it to the hostnames: try each listener in Gateway order.
  const options = accepted.flatMap((p) => {
    const gw = gwIndex.get(`${p.gateway.namespace}/${p.gateway.name}`);
    const ls = gw ? listenersOf(gw) : [];
    const fit = p.listener ? [p.listener] : ls.filter((l) => !p.sectionName || l.name === p.sectionName);
    return fit
      .filter((l) => l.protocol === 'HTTP' || l.protocol === 'HTTPS')
      .map((l): RouteParent => ({
        ...p,
        listener: { name: l.name, port: l.port, protocol: l.protocol, ...(l.hostname ? { hostname: l.hostname } : {}) },
      }));
  });
  // A preferred scheme (compare asks for the one the other route used) puts those listeners first.
  if (o.scheme) {
    const want = o.scheme === 'https' ? 'HTTPS' : 'HTTP';
    options.sort((x, y) => Number(y.listener?.protocol === want) - Number(x.listener?.protocol === want));
  }
  if (!options.length)
    throw new KubetraceError(
      `the Gateways of HTTPRoute ${o.namespace}/${o.name} have no HTTP or HTTPS listener for it`,
    );
  let lastError: unknown;
  let parent: RouteParent | undefined, choice: ReturnType<typeof chooseRouteMatch> | undefined;
  for (const p of options) {
    try {
      choice = chooseRouteMatch(entry, p, { host: o.host, path: o.path, method: o.method, headers: o.headers });
      parent = p;
      break;
    } catch (e) {
      lastError ??= e;
    }
  }
  if (!parent || !choice) throw lastError;
  if (choice.backend?.resource)
    throw new KubetraceError(
      `the match goes to a ${choice.backend.resource.kind} backend, which Kubetrace does not probe`,
    );
  const gw = gwIndex.get(`${parent.gateway.namespace}/${parent.gateway.name}`)!;
  const className = gw.spec?.gatewayClassName ?? '';
  const controllerName = entry.controller;
  const module = forGatewayController(controllerName);
  const plane = module?.dataPlane(tree.snapshot, {
    kind: 'Gateway',
    namespace: parent.gateway.namespace,
    name: parent.gateway.name,
    className,
  });
  const controller: ControllerInfo = {
    controller: controllerName,
    module,
    isIngressNginx: false,
    pods: plane?.pods ?? [],
    service: plane?.service,
    gateway: `${parent.gateway.namespace}/${parent.gateway.name}`,
  };
  const listener = parent.listener!;
  const scheme: 'http' | 'https' = listener.protocol === 'HTTPS' ? 'https' : 'http';
  const method = (o.method ?? choice.method ?? 'GET').toUpperCase();
  const diagnostics: Diagnostic[] = tree.notices.map((n) => ({
    code: 'limited-listing',
    severity: 'info' as const,
    message: n,
  }));
  if (parent.reason)
    diagnostics.push({
      code: 'route-condition',
      severity: 'warning',
      message: `HTTPRoute ${o.namespace}/${o.name}: ${parent.reason}`,
    });
  diagnostics.push(...backendDiagnostics(choice), ...controllerDiagnostics(controller));
  const controllerNs = controller.pods[0]?.metadata.namespace ?? parent.gateway.namespace;
  diagnostics.push(...(await permissionDiagnostics(o, controllerNs)));
  const address = parent.addresses[0];
  // The listener port on the Gateway's address for a scheme, to follow a redirect from http to https.
  const portFor = (s: 'http' | 'https') => {
    const port = listenersOf(gw).find(
      (l) => l.protocol === (s === 'https' ? 'HTTPS' : 'HTTP') && (!l.hostname || l.hostname === listener.hostname),
    )?.port;
    return port !== undefined && address ? gatewayPort(controller.service, address, port) : port;
  };
  const openTarget = async (): Promise<Target> => {
    if (o.via !== 'port-forward' && address) {
      const port = gatewayPort(controller.service, address, listener.port);
      return { kind: 'load-balancer', address, port, scheme, controllerPod: controller.pods[0] };
    }
    if (o.via === 'lb')
      throw new KubetraceError(
        `Gateway ${controller.gateway} has no address in its status`,
        'use --via port-forward to go through a data-plane pod',
      );
    const pod = controller.pods.find(isPodReady);
    if (!pod)
      throw new KubetraceError(
        module
          ? `no ready ${module.title} data-plane pod of Gateway ${controller.gateway} to port-forward to`
          : `port-forward needs a known controller; Gateway ${controller.gateway}` +
              ` is served by ${controllerName ?? 'an unknown controller'}`,
        "check the Gateway's pods, or probe through its address",
      );
    // NGINX Gateway Fabric's nginx listens on the listener ports themselves.
    const forward = await openPortForward(
      o.config,
      pod.metadata.namespace ?? parent!.gateway.namespace,
      pod.metadata.name,
      listener.port,
    );
    return { kind: 'port-forward', address: forward.host, port: forward.port, scheme, forward, controllerPod: pod };
  };
  return {
    route: { kind: 'HTTPRoute', namespace: o.namespace, name: o.name },
    choice,
    method,
    scheme,
    controller,
    controllerNs,
    backendNamespace: o.namespace,
    snapshot: tree.snapshot,
    ingresses: tree.snapshot.ingresses,
    viaPortForward: o.via === 'port-forward' || !address,
    openTarget,
    loadBalancerPort: portFor,
    extraHeaders: choice.headers,
    diagnostics,
  };
}
