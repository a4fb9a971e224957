// What the agent tools share between VS Code (src/vscode/lm-tools.ts) and `kubetrace mcp`: their names and
// descriptions, the route listing as compact text, route references, and the safety rule for probes.
import { UsageError } from '../errors';
import type { Backend, RouteEntry } from '../kube/routes';
import { clean } from './text';

export const TOOL_NAMES = {
  listRoutes: 'kubetrace_listRoutes',
  probe: 'kubetrace_probe',
  explainTrace: 'kubetrace_explainTrace',
} as const;

export const TOOL_DESCRIPTIONS = {
  listRoutes:
    'List the Ingresses and HTTPRoutes of the current Kubernetes context (optionally one namespace): hosts, paths, ' +
    'backend services and their ready endpoints, one line per path. Use it to find the route to probe.',
  probe:
    'Send one traced HTTP request through a route of the cluster (an Ingress, "namespace/name") and return what each ' +
    "layer (client, ingress nginx, apps) did: status, total time, the critical path with each span's share, errors, " +
    'diagnostics with hints, and the source line (path:line function) behind each span. GET only unless writes were ' +
    'allowed. Returns the trace id for kubetrace_explainTrace.',
  explainTrace:
    "Summarize a trace Kubetrace already has (the latest probe, or the given trace id from this session's history): " +
    'status, total time, critical path, errors and diagnostics, each span with its source line.',
} as const;

export interface RouteRef {
  kind?: 'Ingress' | 'HTTPRoute';
  namespace: string;
  name: string;
}

/** `NS/NAME`, `ingress/NS/NAME` or `httproute/NS/NAME`, as the CLI reads route references. */
export function parseRouteRef(ref: string): RouteRef {
  const parts = ref.trim().split('/');
  const ok = (s: string | undefined) => !!s && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s);
  if (parts.length === 2 && ok(parts[0]) && ok(parts[1])) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3 && ok(parts[1]) && ok(parts[2])) {
    const kind = parts[0].toLowerCase();
    if (kind === 'ingress') return { kind: 'Ingress', namespace: parts[1], name: parts[2] };
    if (kind === 'httproute') return { kind: 'HTTPRoute', namespace: parts[1], name: parts[2] };
  }
  throw new UsageError(
    `"${clean(ref, 80)}" is not a route reference`,
    'use NAMESPACE/NAME, ingress/NAMESPACE/NAME or httproute/NAMESPACE/NAME (see kubetrace_listRoutes)',
  );
}

export interface ProbeRules {
  /** The cluster is Kubetrace's sandbox. */
  sandbox: boolean;
  /** Non-GET probes and bodies may be sent (`kubetrace mcp --allow-writes`, or the user confirmed in VS Code). */
  allowWrites: boolean;
  /** Probes outside the sandbox may be sent (`--yes`, or the user confirmed in VS Code). */
  outsideSandbox: boolean;
}

/** Why a probe may not be sent, or undefined when it may. */
export function probeRefusal(method: string, hasBody: boolean, rules: ProbeRules): UsageError | undefined {
  const m = method.toUpperCase();
  if ((m !== 'GET' || hasBody) && !rules.allowWrites)
    return new UsageError(
      `a ${m} probe${hasBody ? ' with a body' : ''} can change data, and writes are not allowed`,
      'only GET probes without a body are sent unless the server is started with --allow-writes',
    );
  if (!rules.sandbox && !rules.outsideSandbox)
    return new UsageError(
      'this cluster is not the Kubetrace sandbox, and probes outside it are not allowed',
      'start `kubetrace mcp` with --yes to probe this cluster',
    );
  return undefined;
}

/** What the user reads before an agent's probe is sent (VS Code's confirmation for the probe tool). */
export function probeConfirmation(o: {
  route: string;
  method: string;
  host?: string;
  path?: string;
  hasBody: boolean;
  context?: string;
  sandbox: boolean;
}): { title: string; message: string } {
  const m = o.method.toUpperCase();
  const parts = [
    `Kubetrace will send ${m} ${o.host ?? ''}${o.path ?? ''} through ${o.route}`.replace(/ {2,}/g, ' '),
    o.context ? ` on context ${o.context}` : '',
    o.sandbox ? '.' : ', which is not the Kubetrace sandbox: a real request to a real cluster.',
    m !== 'GET' || o.hasBody ? ` A ${m}${o.hasBody ? ' with a body' : ''} may change data.` : '',
  ];
  return {
    title: `Send a ${m} probe to ${o.sandbox ? 'the sandbox' : (o.context ?? 'the cluster')}?`,
    message: clean(parts.join(''), 400),
  };
}

const MAX_ROUTE_LINES = 200;

/** The listing as compact text: one line per route, then one per host and path with its backends. */
export function routesText(entries: RouteEntry[]): string {
  if (!entries.length) return 'no Ingresses or HTTPRoutes found';
  const lines: string[] = [];
  for (const e of entries) {
    const cls = e.className ? ` class=${e.className}` : '';
    const addr = e.addresses.length ? ` address=${e.addresses.join(',')}` : '';
    const tls = e.tls.length ? ` tls=${e.tls.flatMap((t) => t.hosts).join(',') || '*'}` : '';
    lines.push(`${e.kind} ${e.namespace}/${e.name}${cls}${addr}${tls}`);
    if (e.defaultBackend) lines.push(`  default → ${backendText(e.defaultBackend)}`);
    for (const r of e.rules)
      for (const p of r.paths)
        lines.push(
          `  ${r.host ?? '*'}${p.path} (${p.pathType}) → ${p.backends.map(backendText).join(', ') || 'no backend'}`,
        );
  }
  const shown = lines.slice(0, MAX_ROUTE_LINES).map((l) => clean(l, 400));
  if (lines.length > shown.length)
    shown.push(`… ${lines.length - shown.length} more lines; pass a namespace to see fewer routes`);
  return shown.join('\n');
}

function backendText(b: Backend): string {
  if (b.resource) return `resource ${b.resource.kind}/${b.resource.name}`;
  if (!b.service) return 'no service';
  const ready = b.endpoints.filter((e) => e.ready).length;
  const weight = b.weight !== undefined ? ` weight ${b.weight}` : '';
  if (b.missing) return `service ${b.service.name}:${b.service.port} (missing)${weight}`;
  return `service ${b.service.name}:${b.service.port} ${ready}/${b.endpoints.length} ready${weight}`;
}
