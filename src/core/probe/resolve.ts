// Stage 1 of a probe: read the route, choose its host and path, find the controller and how to reach it.
import { KubetraceError, UsageError } from '../errors';
import { parsesAccessLog, readsAccessLog, richerTraceHint } from '../controllers';
import { findController, type ControllerInfo } from '../kube/controller';
import { KubeApiError } from '../kube/errors';
import { isSandbox } from '../kube/sandbox';
import { missingPermissions, probeNeeds } from '../kube/permissions';
import { KINDS, kindPath } from '../kube/list';
import type { Ingress } from '../kube/objects';
import { readRouteTree, type ClusterSnapshot } from '../kube/route-tree';
import type { Diagnostic } from '../trace/model';
import { choose, type ProbeChoice } from './choose';
import { chooseTarget, loadBalancerTarget, type Target } from './target';
import type { ProbeOptions } from './types';

export interface Resolved {
  route: { kind: 'Ingress' | 'HTTPRoute'; namespace: string; name: string };
  choice: ProbeChoice;
  method: string;
  scheme: 'http' | 'https';
  controller: ControllerInfo;
  /** The namespace of the controller's pods, when known: permissions and diagnostics name it. */
  controllerNs?: string;
  /** The namespace of the chosen backend Service. */
  backendNamespace: string;
  snapshot: ClusterSnapshot;
  ingresses: Ingress[];
  /** True when the probe will go through a port-forward (no address, or asked for). */
  viaPortForward: boolean;
  /** Opens the connection target: the load-balancer address or a port-forward to a data-plane pod. */
  openTarget(): Promise<Target>;
  /** The load-balancer port for a scheme, to follow a redirect from http to https on the same address. */
  loadBalancerPort(scheme: 'http' | 'https'): number | undefined;
  /** Headers the chosen match requires (an HTTPRoute header match), sent before the user's own. */
  extraHeaders?: Record<string, string>;
  diagnostics: Diagnostic[];
}

export function checkConfirmed(o: ProbeOptions): string {
  const method = (o.method ?? 'GET').toUpperCase();
  if ((method !== 'GET' || o.body?.length) && !isSandbox(o.config) && !o.confirmed) {
    throw new UsageError(
      `a ${method}${o.body?.length ? ' with a body' : ''} probe changes things on a real cluster; confirm it`,
      'add --yes to send it',
    );
  }
  return method;
}

export async function resolveIngress(o: ProbeOptions, progress: (m: string) => void): Promise<Resolved> {
  const method = checkConfirmed(o);
  progress(`reading Ingress ${o.namespace}/${o.name}`);
  const ingress = await o.api
    .json<Ingress>({ path: kindPath(KINDS.ingresses, o.namespace, o.name), signal: o.signal })
    .catch((e: unknown) => {
      if (e instanceof KubeApiError && e.status === 404)
        throw new KubeApiError(
          `Ingress ${o.namespace}/${o.name} not found`,
          `list the Ingresses with \`kubetrace ingresses -n ${o.namespace}\``,
          404,
          'NotFound',
        );
      throw e;
    });
  const tree = await readRouteTree(o.api, { fallbackNamespace: o.namespace, signal: o.signal });
  const entry = tree.entries.find((e) => e.kind === 'Ingress' && e.namespace === o.namespace && e.name === o.name);
  if (!entry) throw new KubetraceError(`Ingress ${o.namespace}/${o.name} is not visible in the listing`);
  const choice = choose(entry, { host: o.host, path: o.path });
  if (choice.backend?.resource)
    throw new KubetraceError(
      `the path ${choice.path} goes to a ${choice.backend.resource.kind} resource backend, which Kubetrace does not probe`,
    );
  const controller = findController(tree.snapshot, ingress);
  const tlsHost = entry.tls.some((t) =>
    t.hosts.some((h) => h === choice.host || (h.startsWith('*.') && choice.host.endsWith(h.slice(1)))),
  );
  const scheme: 'http' | 'https' = tlsHost ? 'https' : 'http';

  const diagnostics: Diagnostic[] = tree.notices.map((n) => ({
    code: 'limited-listing',
    severity: 'info' as const,
    message: n,
  }));
  diagnostics.push(...backendDiagnostics(choice));
  diagnostics.push(...controllerDiagnostics(controller));

  // A namespace-restricted user cannot see the controller pods; check the chart's namespace so the gap is named.
  const controllerNs =
    controller.pods[0]?.metadata.namespace ??
    controller.service?.metadata.namespace ??
    (controller.isIngressNginx ? 'ingress-nginx' : undefined);
  diagnostics.push(...(await permissionDiagnostics(o, controllerNs)));

  return {
    route: { kind: 'Ingress', namespace: o.namespace, name: o.name },
    choice,
    method,
    scheme,
    controller,
    controllerNs,
    backendNamespace: o.namespace,
    snapshot: tree.snapshot,
    ingresses: tree.snapshot.ingresses,
    viaPortForward: o.via === 'port-forward' || !ingress.status?.loadBalancer?.ingress?.length,
    openTarget: () => chooseTarget({ config: o.config, ingress, controller, scheme, via: o.via }),
    loadBalancerPort: (s) => loadBalancerTarget(ingress, s)?.port,
    diagnostics,
  };
}

/** What the chosen backend will make the ingress answer, said before the probe is sent. */
export function backendDiagnostics(choice: ProbeChoice): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (choice.backend?.service && !choice.backend.missing && !choice.backend.endpoints.some((e) => e.ready)) {
    out.push({
      code: 'no-ready-endpoints',
      severity: 'warning',
      message: `service ${choice.backend.service?.name} has no ready endpoints`,
      hint: 'nginx will answer 503; check the pods behind the service',
    });
  }
  if (choice.backend?.missing)
    out.push({
      code: 'backend-missing',
      severity: 'warning',
      message: `service ${choice.backend.service?.name} does not exist`,
      hint: 'fix the Ingress backend or create the Service',
    });
  return out;
}

export async function permissionDiagnostics(o: ProbeOptions, controllerNs: string | undefined): Promise<Diagnostic[]> {
  const missing = await missingPermissions(o.api, probeNeeds(controllerNs, o.namespace));
  if (!missing.length) return [];
  return [
    {
      code: 'missing-permission',
      severity: 'warning',
      message: `missing permission: ${missing.map((m) => `${m.verb} ${m.label}`).join(', ')}`,
      hint: 'the trace will lack what those give (logs, port-forward); see README, "RBAC" for the minimal ClusterRole',
    },
  ];
}

/** Says when the registry cannot read the ingress layer of this controller, and what to turn on for it. */
export function controllerDiagnostics(c: ControllerInfo): Diagnostic[] {
  if (!c.module)
    return [
      {
        code: 'no-ingress-spans',
        severity: 'info',
        message: `no ingress-layer spans: Kubetrace does not know the controller ${c.controller ?? '(no class found)'}`,
        hint: 'the trace shows client and app spans; known controllers are listed in README, "Controllers"',
      },
    ];
  // A log Kubetrace reads once it is turned on is looked for during the probe; collect.ts says when it is off.
  if (readsAccessLog(c.module) || (parsesAccessLog(c.module) && c.pods.length > 0)) return [];
  return [
    {
      code: 'no-ingress-spans',
      severity: 'info',
      message: c.module.accessLog.onByDefault
        ? `no ingress-layer spans from ${c.module.title}: Kubetrace cannot read its ${c.module.accessLog.format} access log yet`
        : `no ingress-layer spans from ${c.module.title}: it writes no access log with its defaults`,
      hint: richerTraceHint(c.module),
    },
  ];
}
