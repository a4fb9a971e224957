// A Gateway's data-plane pod: Debian's nginx in the foreground, configured from the Gateway's accepted routes as
// NGINX Gateway Fabric configures it, and reloaded (nginx -t first, then SIGHUP) when the routes or endpoints change.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogStore, PodLogKey } from '../logs';
import type { KubeObject, ObjectStore } from '../store';
import { startProcess, type PodProcess } from '../runtime/process';
import { ReloadLoop } from '../runtime/reload-loop';
import { assertFree, freePort, waitForPort } from '../runtime/ports';
import { hupAndWait, nginxTest, NGINX_BIN } from '../nginx/controller';
import { buildGatewayModel, type GatewayModel } from './model';
import { renderGatewayConfig } from './render';

const WATCHED = new Set(['HTTPRoute', 'Gateway', 'GatewayClass', 'Service', 'EndpointSlice', 'Secret']);

export interface GatewayNginxOptions {
  store: ObjectStore;
  logs: LogStore;
  pod: PodLogKey & { name: string };
  gateway: { namespace: string; name: string };
  dir: string;
  ip: string;
  /**
   * Single-address mode: listener port → the port nginx binds instead (the pod's port map, src/sandbox/port-map.ts).
   * A listener port it lacks gets a free port when the config is generated.
   */
  listenPorts?: Map<number, number>;
  issueCert: (hosts: string[]) => Promise<{ certPem: string; keyPem: string }>;
  log?: (line: string) => void;
}

export class GatewayNginx extends ReloadLoop {
  private text = '';
  private readonly certs = new Map<string, { cert: string; key: string; source: string }>();
  model?: GatewayModel;
  reloads = 0;

  constructor(private readonly o: GatewayNginxOptions) {
    super(o.store, WATCHED, 'gateway nginx');
  }

  get dir(): string {
    return this.o.dir;
  }
  get confFile(): string {
    return join(this.o.dir, 'nginx.conf');
  }
  get process(): PodProcess | undefined {
    return this.proc;
  }
  /** The Gateway this data plane serves. */
  get namespace(): string {
    return this.o.gateway.namespace;
  }
  get name(): string {
    return this.o.gateway.name;
  }
  /** Listener port → bound port in single-address mode, else undefined. */
  get listenPorts(): ReadonlyMap<number, number> | undefined {
    return this.o.listenPorts;
  }
  /** The ports nginx listens on: the Gateway's HTTP and HTTPS listener ports (in single-address mode, theirs). */
  get ports(): number[] {
    return (this.model?.ports ?? []).map((p) => this.o.listenPorts?.get(p.port) ?? p.port);
  }

  private gateway(): KubeObject | undefined {
    return this.o.store.get('Gateway', this.o.gateway.namespace, this.o.gateway.name);
  }

  async start(timeoutMs = 15000): Promise<void> {
    mkdirSync(join(this.o.dir, 'certs'), { recursive: true, mode: 0o755 });
    chmodSync(this.o.dir, 0o755);
    const text = await this.generate();
    if (text === undefined) throw new Error(`Gateway ${this.o.gateway.namespace}/${this.o.gateway.name} not found`);
    if (!this.ports.length)
      throw new Error(`Gateway ${this.o.gateway.namespace}/${this.o.gateway.name} has no HTTP listener`);
    // As for the apps: a stranger's listener on these ports would pass for nginx's readiness.
    for (const port of this.ports) await assertFree(this.o.ip, port, `the Gateway's nginx (port ${port})`);
    this.install(text);
    this.o.store.on('change', this.onChange);
    this.proc = startProcess(
      {
        name: `${this.o.pod.namespace}/${this.o.pod.name}`,
        command: NGINX_BIN,
        args: ['-p', this.o.dir, '-c', this.confFile],
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/bin' },
        cwd: this.o.dir,
        log: this.o.pod,
        stdoutFifo: join(this.o.dir, 'stdout.fifo'),
      },
      this.o.logs,
    );
    await waitForPort(this.o.ip, this.ports[0], { timeoutMs, gone: this.proc.exited, what: 'gateway nginx' });
  }

  protected async reload(): Promise<boolean> {
    const proc = this.proc;
    if (this.stopped || !proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return false;
    const text = await this.generate();
    if (text === undefined || text === this.text) return false;
    const next = join(this.o.dir, 'nginx.conf.next');
    writeFileSync(next, text);
    const problem = await nginxTest(this.o.dir, next);
    if (problem !== undefined)
      throw new Error(`generated gateway config failed nginx -t (kept the previous one): ${problem}`);
    this.install(text, next);
    await hupAndWait(proc);
    this.reloads++;
    return true;
  }

  private async generate(): Promise<string | undefined> {
    const gw = this.gateway();
    if (!gw) return undefined;
    const model = buildGatewayModel(this.o.store, gw);
    await this.ensureCerts(model, gw);
    const listen = this.o.listenPorts;
    for (const p of model.ports) if (listen && !listen.has(p.port)) listen.set(p.port, await freePort(this.o.ip));
    this.model = model;
    const certs = new Map([...this.certs].map(([k, c]) => [k, { cert: c.cert, key: c.key }]));
    return renderGatewayConfig(model, {
      dir: this.o.dir,
      ip: this.o.ip,
      certs,
      listenPort: listen ? (port) => listen.get(port) ?? port : undefined,
    });
  }

  private install(text: string, from?: string): void {
    if (from) renameSync(from, this.confFile);
    else writeFileSync(this.confFile, text);
    this.text = text;
  }

  /**
   * Each HTTPS listener's certificate: its certificateRefs Secret (type tls) when the store has it. Simplified:
   * NGF marks a listener whose Secret is missing invalid; the sandbox issues one from its CA for the listener's
   * hostname instead, as its ingress nginx does for hosts without a Secret, so HTTPS works out of the box.
   */
  private async ensureCerts(model: GatewayModel, gw: KubeObject): Promise<void> {
    for (const p of model.ports) {
      if (!p.ssl) continue;
      const ref = p.listener.tls?.certificateRefs?.[0];
      const secret = ref ? this.o.store.get('Secret', ref.namespace ?? gw.metadata.namespace, ref.name) : undefined;
      const source = secret ? `secret:${secret.metadata.resourceVersion}` : 'ca';
      if (this.certs.get(p.listener.name)?.source === source) continue;
      const data = (secret?.data ?? {}) as Record<string, string>;
      const pem =
        data['tls.crt'] && data['tls.key']
          ? {
              certPem: Buffer.from(data['tls.crt'], 'base64').toString(),
              keyPem: Buffer.from(data['tls.key'], 'base64').toString(),
            }
          : await this.o.issueCert([p.listener.hostname ?? `${gw.metadata.name}.gateway.local`]);
      const base = join(this.o.dir, 'certs', p.listener.name.replace(/[^A-Za-z0-9.-]/g, '_'));
      writeFileSync(`${base}.crt`, pem.certPem);
      writeFileSync(`${base}.key`, pem.keyPem, { mode: 0o600 });
      this.certs.set(p.listener.name, { cert: `${base}.crt`, key: `${base}.key`, source });
    }
  }

  protected say(line: string): void {
    (this.o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }
}
