// The HAProxy Kubernetes Ingress Controller's pod: Debian's haproxy in master-worker mode in the foreground,
// configured from the Ingresses of its class (model.ts, render.ts), and reloaded (`haproxy -c` first, then SIGUSR2 to
// the master, which starts a new worker and lets the old one finish) when an Ingress, Service or endpoint changes.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogStore, PodLogKey } from '../logs';
import type { ObjectStore } from '../store';
import { startProcess, type PodProcess } from '../runtime/process';
import { ReloadLoop } from '../runtime/reload-loop';
import { assertFree, waitForPort } from '../runtime/ports';
import { buildHaproxyModel, type HaproxyModel } from './model';
import { renderHaproxyConfig } from './render';
import { findProgram } from '../../core/programs';

export const HAPROXY_BIN = findProgram('haproxy', 'KUBETRACE_HAPROXY');
const WATCHED = new Set(['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'ConfigMap']);

export interface HaproxyControllerOptions {
  store: ObjectStore;
  logs: LogStore;
  pod: PodLogKey & { name: string };
  dir: string;
  listen: { ip: string; httpPort: number; httpsPort: number };
  /** The controller's ConfigMap (its `--configmap` argument). */
  configMap?: { namespace: string; name: string };
  issueCert: (hosts: string[]) => Promise<{ certPem: string; keyPem: string }>;
  log?: (line: string) => void;
}

export class HaproxyController extends ReloadLoop {
  private text = '';
  private cert?: { hosts: string; file: string };
  model?: HaproxyModel;
  reloads = 0;

  constructor(private readonly o: HaproxyControllerOptions) {
    super(o.store, WATCHED, 'haproxy');
  }

  get dir(): string {
    return this.o.dir;
  }
  get confFile(): string {
    return join(this.o.dir, 'haproxy.cfg');
  }
  get process(): PodProcess | undefined {
    return this.proc;
  }
  get ports(): number[] {
    return [this.o.listen.httpPort, this.o.listen.httpsPort];
  }

  async start(timeoutMs = 15000): Promise<void> {
    mkdirSync(join(this.o.dir, 'certs'), { recursive: true, mode: 0o755 });
    chmodSync(this.o.dir, 0o755);
    const { ip, httpPort, httpsPort } = this.o.listen;
    // As for the apps: a stranger's listener on these ports would pass for haproxy's readiness.
    for (const port of [httpPort, httpsPort]) await assertFree(ip, port, `haproxy (port ${port})`);
    const text = await this.generate();
    const problem = await haproxyCheck(this.confFile, text, this.o.dir);
    if (problem !== undefined) throw new Error(`generated haproxy.cfg failed haproxy -c: ${problem}`);
    this.install(text);
    this.o.store.on('change', this.onChange);
    this.proc = startProcess(
      {
        name: `${this.o.pod.namespace}/${this.o.pod.name}`,
        command: HAPROXY_BIN,
        // -W: master-worker, so SIGUSR2 reloads in place; -db: stay in the foreground, as in a container.
        args: ['-W', '-db', '-f', this.confFile],
        // HAProxy logs local time and Kubetrace reads it as UTC, as in a container.
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/bin', TZ: 'UTC' },
        cwd: this.o.dir,
        log: this.o.pod,
      },
      this.o.logs,
    );
    await waitForPort(ip, httpPort, { timeoutMs, gone: this.proc.exited, what: 'haproxy' });
  }

  protected async reload(): Promise<boolean> {
    const proc = this.proc;
    if (this.stopped || !proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return false;
    const text = await this.generate();
    if (text === this.text) return false;
    const next = join(this.o.dir, 'haproxy.cfg.next');
    const problem = await haproxyCheck(next, text, this.o.dir);
    if (problem !== undefined)
      throw new Error(`generated haproxy.cfg failed haproxy -c (kept the previous one): ${problem}`);
    this.install(text, next);
    await reloadAndWait(proc);
    this.reloads++;
    return true;
  }

  private async generate(): Promise<string> {
    const model = buildHaproxyModel(this.o.store, this.o.configMap);
    this.model = model;
    const certFile = await this.ensureCert(model);
    return renderHaproxyConfig(model, { ...this.o.listen, certFile });
  }

  /**
   * One certificate from the sandbox CA for every host of the class (TLS hosts first), as the controller's default
   * certificate; issued again only when the hosts change. Secrets named by spec.tls are not read here.
   */
  private async ensureCert(model: HaproxyModel): Promise<string> {
    const hosts = [...new Set([...model.tlsHosts, ...model.hosts])];
    if (!hosts.length) hosts.push('haproxy.kubetrace.test');
    const key = hosts.join(',');
    if (this.cert?.hosts === key) return this.cert.file;
    const pem = await this.o.issueCert(hosts);
    const file = join(this.o.dir, 'certs', 'default.pem');
    writeFileSync(file, `${pem.certPem.trim()}\n${pem.keyPem.trim()}\n`, { mode: 0o600 });
    this.cert = { hosts: key, file };
    return file;
  }

  private install(text: string, from?: string): void {
    if (from) renameSync(from, this.confFile);
    else writeFileSync(this.confFile, text);
    this.text = text;
  }

  protected say(line: string): void {
    (this.o.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }
}

/** Writes `text` to `file` and runs `haproxy -c -f file`: undefined when haproxy accepts it, else its complaint. */
export function haproxyCheck(file: string, text: string, cwd: string): Promise<string | undefined> {
  writeFileSync(file, text);
  return new Promise((resolve) => {
    const p = spawn(HAPROXY_BIN, ['-c', '-f', file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const keep = (d: string) => {
      err += d;
    };
    p.stdout.setEncoding('utf8').on('data', keep);
    p.stderr.setEncoding('utf8').on('data', keep);
    p.on('error', (e) => resolve(`cannot run ${HAPROXY_BIN}: ${e.message}`));
    p.on('close', (code) =>
      resolve(
        code === 0
          ? undefined
          : err
              .trim()
              .split('\n')
              .filter((l) => /ALERT|error/i.test(l))
              .join('; ') || `exit ${code}`,
      ),
    );
  });
}

/** SIGUSR2 to the master only (the workers are its business), then wait until it says the new worker loaded. */
function reloadAndWait(proc: PodProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let reloading = false;
    const t = setTimeout(() => {
      off();
      resolve();
    }, 5000);
    const off = proc.onLine((stream, line) => {
      if (stream !== 'stderr') return;
      if (/Reloading HAProxy/.test(line)) reloading = true;
      if (!reloading) return;
      if (/Loading failure/.test(line)) {
        clearTimeout(t);
        off();
        reject(new Error(line));
      } else if (/Loading success/.test(line)) {
        clearTimeout(t);
        off();
        resolve();
      }
    });
    proc.child.kill('SIGUSR2');
  });
}
