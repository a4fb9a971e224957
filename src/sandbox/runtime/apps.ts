// What real process stands behind a pod: the command line and environment per `sandbox.kubetrace.dev/app`.
// The environment is what the Deployment would set in a real cluster.
import { join } from 'node:path';
import type { KubeObject } from '../store';
import { appsDir, cliCommand, nodeEnv } from './paths';
import { findPython } from '../../core/programs';

export type AppKind =
  'ingress-nginx' | 'nginx-gateway' | 'haproxy-ingress' | 'orders' | 'inventory' | 'catalog' | 'trace-store';
export const APP_KINDS: AppKind[] = [
  'ingress-nginx',
  'nginx-gateway',
  'haproxy-ingress',
  'orders',
  'inventory',
  'catalog',
  'trace-store',
];
/** The data planes: nginx and haproxy processes run by their controllers, not by launchFor. */
export const isDataPlane = (app: AppKind): boolean =>
  app === 'ingress-nginx' || app === 'nginx-gateway' || app === 'haproxy-ingress';

export interface PodInfo {
  namespace: string;
  name: string;
  container: string;
  ip: string;
  node: string;
  app: AppKind;
  /** containerPort by port name ("" for an unnamed port). */
  ports: Map<string, number>;
}

export interface LaunchContext {
  /** `http://<trace-store pod IP>:<otlp-http port>`, when there is a trace store. */
  otlpEndpoint?: string;
  /** `http://<inventory pod IP>:<http port>`, for orders. */
  inventoryUrl?: string;
  exporterDelayMs: number;
  /** The trace store's bearer token: the apps send it with their spans, the store requires it. */
  traceStoreToken?: string;
}

export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  waitPorts: number[];
}

export function podInfo(pod: KubeObject, app: AppKind): PodInfo {
  const spec = pod.spec as {
    nodeName?: string;
    containers?: { name: string; ports?: { name?: string; containerPort: number }[] }[];
  };
  const c = spec.containers?.[0];
  const ports = new Map<string, number>();
  for (const p of c?.ports ?? []) ports.set(p.name ?? '', p.containerPort);
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    container: c?.name ?? app,
    ip: (pod.status as { podIP?: string } | undefined)?.podIP ?? '',
    node: spec.nodeName ?? '',
    app,
    ports,
  };
}

/** The port an app serves on: the one named `http`, else the first. */
export function mainPort(p: PodInfo, fallback: number): number {
  return p.ports.get('http') ?? p.ports.values().next().value ?? fallback;
}

function baseEnv(p: PodInfo, port: number): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    POD_NAME: p.name,
    POD_NAMESPACE: p.namespace,
    POD_IP: p.ip,
    NODE_NAME: p.node,
    HOST: p.ip,
    PORT: String(port),
    ...nodeEnv(),
  };
  return env;
}

/** The launch for every app but nginx, which the NginxController runs. */
export function launchFor(p: PodInfo, ctx: LaunchContext): Launch {
  const dir = appsDir();
  switch (p.app) {
    case 'orders':
    case 'inventory': {
      const port = mainPort(p, 8080);
      // As a Deployment passes them from the downward API, so spans name their pod and node.
      const resource = `k8s.pod.name=${p.name},k8s.namespace.name=${p.namespace},k8s.node.name=${p.node}`;
      const env: Record<string, string> = {
        ...baseEnv(p, port),
        OTEL_SERVICE_NAME: p.app,
        OTEL_RESOURCE_ATTRIBUTES: resource,
        OTEL_BSP_SCHEDULE_DELAY: String(ctx.exporterDelayMs),
        NODE_ENV: 'production',
      };
      if (ctx.otlpEndpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = ctx.otlpEndpoint;
      if (ctx.traceStoreToken) env.OTEL_EXPORTER_OTLP_HEADERS = `authorization=Bearer%20${ctx.traceStoreToken}`;
      if (p.app === 'orders' && ctx.inventoryUrl) env.INVENTORY_URL = ctx.inventoryUrl;
      const appDir = join(dir, p.app);
      return { command: process.execPath, args: [join(appDir, 'server.js')], env, cwd: appDir, waitPorts: [port] };
    }
    case 'catalog': {
      const port = mainPort(p, 5000);
      const env = { ...baseEnv(p, port), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
      const appDir = join(dir, 'catalog');
      const python = findPython();
      return { command: python, args: ['-u', join(appDir, 'app.py')], env, cwd: appDir, waitPorts: [port] };
    }
    case 'trace-store': {
      const query = p.ports.get('query') ?? 16686;
      const otlp = p.ports.get('otlp-http') ?? 4318;
      const cli = cliCommand([
        'internal',
        'trace-store',
        '--host',
        p.ip,
        '--query-port',
        String(query),
        '--otlp-port',
        String(otlp),
      ]);
      const env = baseEnv(p, query);
      if (ctx.traceStoreToken) env.KUBETRACE_TRACE_STORE_TOKEN = ctx.traceStoreToken;
      return { ...cli, env, cwd: dir, waitPorts: [query, otlp] };
    }
    case 'ingress-nginx':
    case 'nginx-gateway':
    case 'haproxy-ingress':
      throw new Error('the data planes are run by NginxController, GatewayNginx and HaproxyController');
  }
}
