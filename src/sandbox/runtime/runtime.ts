// The sandbox's kubelet: a real process for each pod whose Deployment names an app, its output kept as the
// pod's log, and the pod marked Ready once its port accepts connections. No restarts: a crash is reported.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LogStore } from '../logs';
import type { KubeObject, ObjectStore, StoreChange } from '../store';
import { APP_ANNOTATION, setPodState, type Controllers } from '../controllers';
import { NginxController } from '../nginx/controller';
import type { ExecCommand } from '../api/exec';
import { APP_KINDS, isDataPlane, launchFor, mainPort, podInfo, type AppKind, type PodInfo } from './apps';
import type { GatewayNginx } from '../gateway/controller';
import { startGatewayPlane } from '../gateway/plane';
import type { HaproxyController } from '../haproxy/controller';
import { startHaproxyPlane } from '../haproxy/plane';
import { assertFree, freePort, freePorts, waitForPort } from './ports';
import { startProcess, type PodProcess } from './process';
import { assignPorts } from './single-ports';
import { resolvePodExec } from './exec';

export interface RuntimeOptions {
  store: ObjectStore;
  logs: LogStore;
  controllers: Controllers;
  workDir: string;
  issueCert: (hosts: string[]) => Promise<{ certPem: string; keyPem: string }>;
  exporterDelayMs?: number;
  /** The trace store's bearer token (see LaunchContext). */
  traceStoreToken?: string;
  readyTimeoutMs?: number;
  /** Every pod listens on 127.0.0.1 with ports of its own (src/sandbox/runtime/addressing.ts). */
  singleAddress?: boolean;
  log?: (line: string) => void;
}

export interface RunningPod {
  info: PodInfo;
  process: PodProcess;
}
export interface IngressAddress {
  ip: string;
  httpPort: number;
  httpsPort: number;
  pod: PodInfo;
}

export class PodRuntime {
  readonly pods: RunningPod[] = [];
  nginx?: NginxController;
  ingress?: IngressAddress;
  /** NGINX Gateway Fabric data planes, one per Gateway with a pod. */
  readonly gateways: GatewayNginx[] = [];
  /** The HAProxy Kubernetes Ingress Controller's haproxy, when its pod started. */
  haproxy?: HaproxyController;
  private stopping = false;

  /**
   * Pods run in their own process groups, so they would outlive a host that exits without stop() (a test
   * runner giving up, an uncaught error). On 'exit': SIGKILL every group, synchronously. Deaths that run no
   * JavaScript (SIGKILL, a signal's default action) are the reaper's (reaper.ts).
   */
  private readonly killOnExit = (): void => {
    for (const r of this.pods) r.process.signal('SIGKILL');
    this.nginx?.process?.signal('SIGKILL');
    for (const g of this.gateways) g.process?.signal('SIGKILL');
    this.haproxy?.process?.signal('SIGKILL');
  };

  constructor(private readonly o: RuntimeOptions) {
    process.on('exit', this.killOnExit);
  }

  private say(line: string): void {
    this.o.log?.(line);
  }

  /** The pods that get a process: those whose Deployment names a known app. */
  appPods(): PodInfo[] {
    const out: PodInfo[] = [];
    for (const pod of this.o.store.list('Pod')) {
      const app = pod.metadata.annotations?.[APP_ANNOTATION];
      if (!app) continue;
      if (!APP_KINDS.includes(app as AppKind)) {
        this.say(
          `pod ${pod.metadata.namespace}/${pod.metadata.name}: unknown app "${app}", running it without a process`,
        );
        setPodState(this.o.store, pod.metadata.namespace!, pod.metadata.name, { ready: true });
        continue;
      }
      out.push(podInfo(pod, app as AppKind));
    }
    return out;
  }

  private isAppPod(pod: KubeObject): boolean {
    return APP_KINDS.includes(pod.metadata.annotations?.[APP_ANNOTATION] as AppKind);
  }

  async start(): Promise<void> {
    if (this.o.singleAddress)
      await assignPorts(
        this.o.store,
        this.o.store.list('Pod').filter((p) => this.isAppPod(p)),
      );
    const pods = this.appPods();
    const first = (app: AppKind) => pods.find((p) => p.app === app);
    const store = first('trace-store');
    const inventory = first('inventory');
    const ctx = {
      otlpEndpoint: store ? `http://${store.ip}:${store.ports.get('otlp-http') ?? 4318}` : undefined,
      inventoryUrl: inventory ? `http://${inventory.ip}:${mainPort(inventory, 8080)}` : undefined,
      exporterDelayMs: this.o.exporterDelayMs ?? 100,
      traceStoreToken: this.o.traceStoreToken,
    };
    const controllerPods = pods.filter((p) => p.app === 'ingress-nginx');
    // Ports for nginx first, so the controller pod's spec (and the LB status) tell the truth from the start.
    const nginxPod = controllerPods[0];
    let ports: number[] = [];
    if (nginxPod) {
      const assigned = [nginxPod.ports.get('http'), nginxPod.ports.get('https')];
      ports =
        this.o.singleAddress && assigned.every((p) => p !== undefined)
          ? (assigned as number[])
          : await freePorts(nginxPod.ip, 2);
      setPodState(this.o.store, nginxPod.namespace, nginxPod.name, {
        ready: false,
        running: true,
        containerPorts: { http: ports[0], https: ports[1] },
      });
      this.ingress = { ip: nginxPod.ip, httpPort: ports[0], httpsPort: ports[1], pod: nginxPod };
      this.o.controllers.setLoadBalancer({ ip: nginxPod.ip, ports });
    }
    for (const extra of controllerPods.slice(1)) {
      this.say(
        `pod ${extra.namespace}/${extra.name}: only one ingress controller replica runs nginx; this one has no process`,
      );
      setPodState(this.o.store, extra.namespace, extra.name, { ready: true });
    }
    const prepared = nginxPod ? this.prepareNginx(nginxPod, ports) : Promise.resolve();
    const apps = Promise.all(pods.filter((p) => !isDataPlane(p.app)).map((p) => this.startApp(p, ctx)));
    await Promise.all([apps, prepared]);
    // The Gateways' nginx starts beside the ingress nginx, once the backends are Ready (as their endpoints).
    await Promise.all([
      nginxPod ? this.startNginx(nginxPod, ports) : undefined,
      ...pods.filter((p) => p.app === 'nginx-gateway').map((p) => this.startGateway(p)),
      ...pods.filter((p) => p.app === 'haproxy-ingress').map((p, i) => this.startHaproxy(p, i)),
    ]);
    this.ctx = ctx;
    this.o.store.on('change', this.onPodChange);
  }

  private ctx?: Parameters<typeof launchFor>[1];
  /** After start, like a kubelet: a new app pod (more replicas from a user manifest) gets a process, a deleted pod loses it. */
  private readonly onPodChange = (c: StoreChange): void => {
    if (this.stopping || c.object.kind !== 'Pod' || !this.ctx) return;
    const { namespace = 'default', name } = c.object.metadata;
    const running = this.pods.find((r) => r.info.namespace === namespace && r.info.name === name);
    if (c.type === 'DELETED' && running) {
      this.pods.splice(this.pods.indexOf(running), 1);
      this.say(`pod ${namespace}/${name} deleted: stopping its process`);
      void running.process.stop();
      return;
    }
    const app = c.object.metadata.annotations?.[APP_ANNOTATION] as AppKind | undefined;
    if (c.type !== 'ADDED' || running || !app || !APP_KINDS.includes(app) || isDataPlane(app)) return;
    if (this.starting.has(`${namespace}/${name}`)) return;
    this.starting.add(`${namespace}/${name}`);
    const ctx = this.ctx;
    void (async () => {
      if (this.o.singleAddress) await assignPorts(this.o.store, [c.object]);
      const pod = this.o.store.get('Pod', namespace, name);
      if (pod) await this.startApp(podInfo(pod, app), ctx);
    })()
      .catch((e) => this.say(`pod ${namespace}/${name}: ${(e as Error).message}`))
      .finally(() => this.starting.delete(`${namespace}/${name}`));
  };
  private readonly starting = new Set<string>();

  private async prepareNginx(p: PodInfo, ports: number[]): Promise<void> {
    const dir = join(this.o.workDir, 'nginx');
    mkdirSync(dir, { recursive: true });
    this.nginx = new NginxController({
      store: this.o.store,
      logs: this.o.logs,
      pod: { namespace: p.namespace, pod: p.name, name: p.name, container: p.container },
      dir,
      listen: { ip: p.ip, httpPort: ports[0], httpsPort: ports[1] },
      defaultBackendPort: await freePort('127.0.0.1'),
      issueCert: this.o.issueCert,
      log: this.o.log,
    });
    await this.nginx.prepare();
  }

  private async startApp(p: PodInfo, ctx: Parameters<typeof launchFor>[1]): Promise<void> {
    const t0 = Date.now();
    const launch = launchFor(p, ctx);
    await Promise.all(
      launch.waitPorts.map((port) => assertFree(p.ip, port, `${p.app} (pod ${p.namespace}/${p.name})`)),
    );
    const proc = startProcess(
      {
        name: `${p.namespace}/${p.name}`,
        command: launch.command,
        args: launch.args,
        env: launch.env,
        cwd: launch.cwd,
        log: { namespace: p.namespace, pod: p.name, container: p.container },
      },
      this.o.logs,
    );
    this.pods.push({ info: p, process: proc });
    setPodState(this.o.store, p.namespace, p.name, { ready: false, running: true });
    this.watchExit(p, proc);
    try {
      await Promise.all(
        launch.waitPorts.map((port) =>
          waitForPort(p.ip, port, {
            timeoutMs: this.o.readyTimeoutMs ?? 15000,
            gone: proc.exited,
            what: `${p.app} (pod ${p.namespace}/${p.name})`,
          }),
        ),
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}${this.tail(p)}`, { cause: e });
    }
    setPodState(this.o.store, p.namespace, p.name, { ready: true });
    this.say(
      `pod ${p.namespace}/${p.name} (${p.app}) ready on ${p.ip}:${launch.waitPorts.join(',')} after ${Date.now() - t0} ms`,
    );
  }

  private async startNginx(p: PodInfo, ports: number[]): Promise<void> {
    const nginx = this.nginx!;
    try {
      // Each server costs nginx a TLS context at start (~1 ms of CPU, far more on a busy machine).
      const servers = this.o.store.list('Ingress').length;
      await nginx.start(Math.max(this.o.readyTimeoutMs ?? 15000, servers * 25));
    } catch (e) {
      throw new Error(`${(e as Error).message}${this.tail(p)}`, { cause: e });
    }
    this.pods.push({ info: p, process: nginx.process! });
    this.watchExit(p, nginx.process!);
    setPodState(this.o.store, p.namespace, p.name, {
      ready: true,
      containerPorts: { http: ports[0], https: ports[1] },
    });
    this.say(`pod ${p.namespace}/${p.name} (nginx) ready on ${p.ip}:${ports[0]} (http), :${ports[1]} (https)`);
  }

  private async startGateway(p: PodInfo): Promise<void> {
    const g = await startGatewayPlane(p, this.o, () => this.tail(p));
    if (!g) return;
    this.gateways.push(g);
    this.pods.push({ info: p, process: g.process! });
    this.watchExit(p, g.process!);
  }

  private async startHaproxy(p: PodInfo, index: number): Promise<void> {
    if (index > 0) {
      this.say(
        `pod ${p.namespace}/${p.name}: only one haproxy controller replica runs haproxy; this one has no process`,
      );
      setPodState(this.o.store, p.namespace, p.name, { ready: true });
      return;
    }
    const h = await startHaproxyPlane(p, this.o, () => this.tail(p));
    if (!h) return;
    this.haproxy = h;
    this.pods.push({ info: p, process: h.process! });
    this.watchExit(p, h.process!);
  }

  private watchExit(p: PodInfo, proc: PodProcess): void {
    void proc.exited.then(({ code, signal }) => {
      if (this.stopping) return;
      this.say(
        `pod ${p.namespace}/${p.name} (${p.app}) exited (${signal ?? `code ${code}`}); the sandbox does not restart it`,
      );
      setPodState(this.o.store, p.namespace, p.name, {
        ready: false,
        phase: 'Failed',
        reason: 'Error',
        exitCode: code ?? 137,
        message: signal ? `killed by ${signal}` : undefined,
      });
    });
  }

  /** The pod's last log lines, for an error message. */
  private tail(p: PodInfo): string {
    const lines = this.o.logs
      .read({ namespace: p.namespace, pod: p.name, container: p.container })
      .slice(-8)
      .map((e) => `  ${e.line}`);
    return lines.length ? `\nlast log lines of ${p.namespace}/${p.name}:\n${lines.join('\n')}` : '';
  }

  /** `kubectl exec` in a pod (src/sandbox/runtime/exec.ts). */
  resolveExec(pod: KubeObject, _container: string, command: string[]): ExecCommand | undefined {
    return resolvePodExec(this, pod, command);
  }

  /** Stops nginx first (no new requests), then the apps (they flush spans), then the trace store. */
  async stop(): Promise<void> {
    this.stopping = true;
    process.off('exit', this.killOnExit);
    this.o.store.off('change', this.onPodChange);
    const rank = (r: RunningPod) => (isDataPlane(r.info.app) ? 0 : r.info.app === 'trace-store' ? 2 : 1);
    await Promise.all([this.nginx, ...this.gateways, this.haproxy].map((n) => n?.stop().catch(() => {})));
    for (const tier of [1, 2])
      await Promise.all(this.pods.filter((r) => rank(r) === tier).map((r) => r.process.stop()));
  }
}
