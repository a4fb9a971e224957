// `startSandbox`: the whole stand-in cluster. Manifests (built-in and the user's) go into the store, the
// controllers derive Pods and EndpointSlices, the API server serves them, and the runtime puts a real
// process behind every app pod. Resolves once every pod is Ready.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startApiServer, type ApiServer } from './api';
import { createCa, issueCert } from './certs';
import { startControllers, type Controllers } from './controllers';
import { writeKubeconfig } from './kubeconfig';
import { LogStore } from './logs';
import { demoManifestsDir, type Refusal } from './manifest-loader';
import { scaleObjects } from './scale';
import { ObjectStore } from './store';
import { ManifestSet } from './runtime/manifest-watch';
import { SANDBOX_CA_FILE } from '../core/kube/sandbox';
import { PodRuntime } from './runtime/runtime';
import { decideAddressing } from './runtime/addressing';

export const DEFAULT_KUBECONFIG = join('.kubetrace', 'sandbox.kubeconfig');

export interface SandboxOptions {
  kubeconfigPath?: string;
  manifestDirs?: string[];
  scale?: number;
  podSubnet?: string;
  /** Every pod on 127.0.0.1 with its own ports, as when the pod subnet cannot be bound (runtime/addressing.ts). */
  singleAddress?: boolean;
  exporterDelayMs?: number;
  /** Re-apply the user's manifest folders when they change (default true). */
  watchManifests?: boolean;
  log?: (line: string) => void;
}

export interface Sandbox {
  kubeconfigPath: string;
  apiUrl: string;
  adminToken: string;
  restrictedToken: string;
  store: ObjectStore;
  logs: LogStore;
  /** The generated nginx config folder (nginx.conf, locations.json). Read-only for users. */
  nginxConfDir: string;
  ingress: { ip: string; httpPort: number; httpsPort: number };
  /** Pods share 127.0.0.1 with a port each (forced, or the pod subnet could not be bound). */
  singleAddress: boolean;
  /** The sandbox CA (PEM file): it signs the API server's and nginx's certificates. */
  caFile: string;
  /** Manifest documents that were refused, with file, document number and reason. */
  refused: Refusal[];
  runtime: PodRuntime;
  api: ApiServer;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = Date.now();
  const say = (l: string) => opts.log?.(l);
  const kubeconfigPath = resolve(opts.kubeconfigPath ?? DEFAULT_KUBECONFIG);
  const store = new ObjectStore();
  const logs = new LogStore();
  const workDir = mkdtempSync(join(tmpdir(), 'kubetrace-sandbox-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(workDir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        say(`stop: ${(e as Error).message}`);
      }
    }
  };

  try {
    const addressing = await decideAddressing({ subnet: opts.podSubnet ?? '127.10.0', force: opts.singleAddress });
    // Said once, on stderr even without a log: the user's pods are not where the subnet says.
    if (addressing.notice) (opts.log ?? ((l: string) => process.stderr.write(`sandbox: ${l}\n`)))(addressing.notice);
    const singleAddress = addressing.single;
    const controllers: Controllers = startControllers(store, { podSubnet: opts.podSubnet, singleAddress });
    cleanups.push(() => controllers.stop());
    const userDirs = (opts.manifestDirs ?? []).map((d) => resolve(d));
    const manifests = new ManifestSet(
      store,
      [demoManifestsDir(), ...userDirs],
      opts.scale ? scaleObjects(opts.scale) : [],
    );
    const [ca, loaded] = await Promise.all([createCa(), manifests.apply()]);
    for (const r of loaded.refused) say(`refused ${r.file}${r.document ? ` document ${r.document}` : ''}: ${r.reason}`);
    controllers.reconcile();
    say(`loaded ${store.list('Ingress').length} ingresses, ${store.list('Pod').length} pods (${Date.now() - t0} ms)`);

    // The trace store's token: apps get it in their environment, the API server's proxy adds it for reads.
    const traceStoreToken = randomBytes(24).toString('hex');
    const runtime = new PodRuntime({
      store,
      logs,
      controllers,
      workDir,
      exporterDelayMs: opts.exporterDelayMs,
      traceStoreToken,
      singleAddress,
      issueCert: (hosts) => issueCert(ca, hosts),
      log: opts.log,
    });
    cleanups.push(() => runtime.stop());
    const apiP = startApiServer({
      store,
      logs,
      ca,
      execResolver: (pod, c, cmd) => runtime.resolveExec(pod, c, cmd),
      proxyAuth: (ip, port) =>
        runtime.pods.some(
          (r) => r.info.app === 'trace-store' && r.info.ip === ip && [...r.info.ports.values()].includes(port),
        )
          ? `Bearer ${traceStoreToken}`
          : undefined,
    });
    // Started together; if the runtime fails, the API server still has to be closed.
    const [apiR, rtR] = await Promise.allSettled([apiP, runtime.start()]);
    if (apiR.status === 'fulfilled') cleanups.push(() => apiR.value.close());
    if (apiR.status === 'rejected') throw apiR.reason;
    if (rtR.status === 'rejected') throw rtR.reason;
    const api = apiR.value;

    const caFile = join(dirname(kubeconfigPath), 'sandbox-ca.crt');
    await writeKubeconfig(kubeconfigPath, {
      server: api.url,
      caPem: api.caPem,
      adminToken: api.adminToken,
      restrictedToken: api.restrictedToken,
      restrictedNamespace: api.restrictedNamespace,
    });
    writeFileSync(caFile, ca.certPem);
    // The proof that sandbox.json's nginxConfDir is this sandbox's own folder (src/core/kube/sandbox.ts).
    writeFileSync(join(workDir, SANDBOX_CA_FILE), api.caPem);
    // Read by the probe's source mapping (src/core/kube/sandbox.ts) to link nginx `location` blocks.
    writeFileSync(
      join(dirname(kubeconfigPath), 'sandbox.json'),
      JSON.stringify({ nginxConfDir: runtime.nginx?.dir, apiUrl: api.url }, null, 2),
    );
    if (opts.watchManifests !== false && userDirs.length) {
      const unwatch = manifests.watch((r) => {
        if (r instanceof Error) {
          say(`manifests: ${r.message}`);
          return;
        }
        for (const f of r.refused) say(`refused ${f.file}${f.document ? ` document ${f.document}` : ''}: ${f.reason}`);
        if (r.changed) say(`manifests: re-applied, ${r.changed} object(s) changed`);
      });
      cleanups.push(unwatch);
    }
    if (!runtime.ingress || !runtime.nginx)
      throw new Error(
        'the manifests define no ingress-nginx controller pod (annotation sandbox.kubetrace.dev/app: ingress-nginx)',
      );
    say(`all pods ready (${Date.now() - t0} ms)`);
    const { ip, httpPort, httpsPort } = runtime.ingress;
    return {
      kubeconfigPath,
      apiUrl: api.url,
      adminToken: api.adminToken,
      restrictedToken: api.restrictedToken,
      store,
      logs,
      nginxConfDir: runtime.nginx.dir,
      ingress: { ip, httpPort, httpsPort },
      singleAddress,
      caFile,
      refused: loaded.refused,
      runtime,
      api,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
