// The ingress controller pod's process: Debian's nginx in the foreground, configured from the store and
// reloaded (test first, then SIGHUP) whenever an Ingress, Service, EndpointSlice, IngressClass or Secret changes.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogStore, PodLogKey } from '../logs';
import type { KubeObject, ObjectStore, StoreChange } from '../store';
import { startProcess, type PodProcess } from '../runtime/process';
import { waitForPort } from '../runtime/ports';
import { buildModel, DEFAULT_SERVER, type NginxModel } from './model';
import { renderConfig, type ConfIndex } from './render';
import { findProgram } from '../../core/programs';

export const NGINX_BIN = findProgram('nginx', 'KUBETRACE_NGINX');
const WATCHED = new Set(['Ingress', 'Service', 'EndpointSlice', 'IngressClass', 'Secret']);

export interface NginxControllerOptions {
  store: ObjectStore;
  logs: LogStore;
  pod: PodLogKey & { name: string };
  dir: string; // empty folder for nginx.conf, certs, pid and temp files
  listen: { ip: string; httpPort: number; httpsPort: number };
  defaultBackendPort: number;
  /** Issues a certificate from the sandbox CA for these host names. */
  issueCert: (hosts: string[]) => Promise<{ certPem: string; keyPem: string }>;
  debounceMs?: number;
  log?: (line: string) => void;
}

export class NginxController {
  private proc?: PodProcess;
  private text = '';
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private readonly certs = new Map<string, { cert: string; key: string; source: string }>();
  private readonly onChange = (c: StoreChange): void => {
    if (!WATCHED.has(c.object.kind)) return;
    this.dirty = true;
    if (this.proc) this.schedule();
  };
  private dirty = false;
  private prepared?: string;
  private stopped = false;
  /** Line positions of servers, locations and upstreams in the current nginx.conf. */
  index: ConfIndex = { servers: [], locations: [], upstreams: [] };
  model?: NginxModel;
  reloads = 0;

  constructor(private readonly o: NginxControllerOptions) {}

  get confFile(): string {
    return join(this.o.dir, 'nginx.conf');
  }
  get dir(): string {
    return this.o.dir;
  }
  get process(): PodProcess | undefined {
    return this.proc;
  }

  /** Folders, certificates and a first config; can run while the apps start, so start() has little left. */
  async prepare(): Promise<void> {
    mkdirSync(join(this.o.dir, 'certs'), { recursive: true, mode: 0o755 });
    // Workers run as an unprivileged user when nginx starts as root: they must be able to enter the folder.
    chmodSync(this.o.dir, 0o755);
    this.o.store.on('change', this.onChange);
    this.dirty = false;
    this.prepared = (await this.generate()).text;
  }

  async start(timeoutMs = 8000): Promise<void> {
    if (this.prepared === undefined) await this.prepare();
    // Regenerate only if something nginx cares about changed since prepare() (thousands of servers cost).
    const text = this.dirty ? (await this.generate()).text : this.prepared!;
    this.dirty = false;
    // No separate `nginx -t` here: nginx checks the file as it starts, and a failure ends the process with
    // its [emerg] line in the pod log (reported by the caller). Reloads do test first.
    this.install(text);
    const proc = startProcess(
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
    this.proc = proc;
    await waitForPort(this.o.listen.ip, this.o.listen.httpPort, { timeoutMs, gone: proc.exited, what: 'nginx' });
    // Changes that came while nginx started.
    if (this.dirty) this.schedule();
  }

  /** Regenerates now (skipping the debounce) and resolves when nginx runs the result. */
  async sync(): Promise<boolean> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let changed = false;
    this.running = this.running.then(
      async () => {
        changed = await this.reload();
      },
      async () => {
        changed = await this.reload();
      },
    );
    await this.running;
    return changed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.store.off('change', this.onChange);
    if (this.timer) clearTimeout(this.timer);
    await this.running.catch(() => {});
    await this.proc?.stop();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync().catch((e) => this.say(`nginx reload failed: ${(e as Error).message}`));
    }, this.o.debounceMs ?? 50);
  }

  private async reload(): Promise<boolean> {
    if (this.stopped || !this.proc) return false;
    if (this.proc.child.exitCode !== null || this.proc.child.signalCode !== null) {
      this.say('nginx is not running; the config is not reloaded');
      return false;
    }
    this.dirty = false;
    const { text } = await this.generate();
    if (text === this.text) return false;
    for (const sk of this.model?.skipped ?? [])
      this.say(`ingress ${sk.namespace}/${sk.ingress}: ${sk.reason}; left out of nginx.conf`);
    await this.testAndInstall(text);
    await hupAndWait(this.proc);
    this.reloads++;
    return true;
  }

  private async generate(): Promise<{ text: string }> {
    const model = buildModel(this.o.store);
    await this.ensureCerts(model);
    const certs = new Map([...this.certs].map(([h, c]) => [h, { cert: c.cert, key: c.key }]));
    const { text, index } = renderConfig(model, {
      dir: this.o.dir,
      listen: this.o.listen,
      defaultBackendPort: this.o.defaultBackendPort,
      certs,
    });
    this.model = model;
    this.pendingIndex = index;
    return { text };
  }
  private pendingIndex?: ConfIndex;

  /** `nginx -t` on a candidate file; only a config that passes replaces nginx.conf. */
  private async testAndInstall(text: string): Promise<void> {
    const next = join(this.o.dir, 'nginx.conf.next');
    writeFileSync(next, text);
    const problem = await nginxTest(this.o.dir, next);
    if (problem !== undefined)
      throw new Error(`generated nginx config failed nginx -t (kept the previous one): ${problem}`);
    this.install(text, next);
  }

  private install(text: string, from?: string): void {
    if (from) renameSync(from, this.confFile);
    else {
      rmSync(this.confFile, { force: true });
      writeFileSync(this.confFile, text);
    }
    chmodSync(this.confFile, 0o444);
    this.text = text;
    if (this.pendingIndex) {
      this.index = this.pendingIndex;
      writeFileSync(join(this.o.dir, 'locations.json'), JSON.stringify(this.index, null, 1));
    }
  }

  /** TLS hosts: the Secret when the store has one of type tls, else a certificate from the sandbox CA. */
  private async ensureCerts(model: NginxModel): Promise<void> {
    const want: { host: string; secret?: KubeObject }[] = [];
    if (!this.certs.has(DEFAULT_SERVER)) want.push({ host: DEFAULT_SERVER });
    for (const s of model.servers) {
      if (!s.tlsCertHost) continue;
      const ns = s.locations.find((l) => l.namespace)?.namespace;
      const secret = s.tlsSecret && ns ? this.o.store.get('Secret', ns, s.tlsSecret) : undefined;
      const source = secret
        ? `secret:${secret.metadata.namespace}/${secret.metadata.name}@${secret.metadata.resourceVersion}`
        : 'ca';
      if (this.certs.get(s.tlsCertHost)?.source !== source) want.push({ host: s.tlsCertHost, secret });
    }
    await Promise.all(
      want.map(async ({ host, secret }) => {
        const data = (secret?.data ?? {}) as Record<string, string>;
        let pem: { certPem: string; keyPem: string };
        if (data['tls.crt'] && data['tls.key']) {
          pem = {
            certPem: Buffer.from(data['tls.crt'], 'base64').toString(),
            keyPem: Buffer.from(data['tls.key'], 'base64').toString(),
          };
        } else {
          // ingress-nginx's fallback is its "Fake Certificate"; ours comes from the sandbox CA for ingress.local.
          pem = await this.o.issueCert(host === DEFAULT_SERVER ? ['ingress.local'] : [host]);
        }
        const base = join(
          this.o.dir,
          'certs',
          host === DEFAULT_SERVER ? 'default' : host.replace(/[^A-Za-z0-9.-]/g, '_'),
        );
        writeFileSync(`${base}.crt`, pem.certPem);
        writeFileSync(`${base}.key`, pem.keyPem, { mode: 0o600 });
        const source = secret
          ? `secret:${secret.metadata.namespace}/${secret.metadata.name}@${secret.metadata.resourceVersion}`
          : 'ca';
        this.certs.set(host, { cert: `${base}.crt`, key: `${base}.key`, source });
      }),
    );
  }

  private say(line: string): void {
    (this.o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }
}

/** `nginx -t`: undefined when the file is good, else nginx's complaint. stdout is /dev/null so `/dev/stdout` opens. */
export function nginxTest(prefix: string, file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const p = spawn(NGINX_BIN, ['-t', '-q', '-p', prefix, '-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    p.on('error', (e) => resolve(`cannot run ${NGINX_BIN}: ${e.message}`));
    p.on('close', (code) =>
      resolve(
        code === 0
          ? undefined
          : err
              .trim()
              .split('\n')
              .filter((l) => /emerg|error|failed/.test(l))
              .join('; ') || `exit ${code}`,
      ),
    );
  });
}

/** SIGHUP, then wait until the old worker stops taking connections (nginx logs it). */
export function hupAndWait(proc: PodProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let sawStart = false;
    const t = setTimeout(() => {
      off();
      resolve();
    }, 3000);
    const off = proc.onLine((stream, line) => {
      if (stream !== 'stderr') return;
      if (/\[emerg\]|\[alert\]/.test(line)) {
        clearTimeout(t);
        off();
        reject(new Error(line));
      }
      if (/start worker process/.test(line)) sawStart = true;
      // The old worker closes its listeners as it starts shutting down; from then on only new ones accept.
      if (sawStart && /gracefully shutting down/.test(line)) {
        clearTimeout(t);
        off();
        setTimeout(resolve, 5);
      }
    });
    proc.signal('SIGHUP');
  });
}
