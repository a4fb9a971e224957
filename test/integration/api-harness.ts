// Starts the API stand-in over the demo manifests for a test file: store, controllers, HTTPS server,
// kubeconfig on disk, and client-node KubeConfigs for both users. Everything stops in `stop()`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../src/sandbox/api';
import { type Controllers, startControllers } from '../../src/sandbox/controllers';
import { RESTRICTED_CONTEXT, writeKubeconfig } from '../../src/sandbox/kubeconfig';
import { LogStore } from '../../src/sandbox/logs';
import { applyObjects, demoManifestsDir, loadManifests } from '../../src/sandbox/manifest-loader';
import { scaleObjects } from '../../src/sandbox/scale';
import { ObjectStore } from '../../src/sandbox/store';

export interface TestCluster {
  store: ObjectStore;
  logs: LogStore;
  controllers: Controllers;
  api: ApiServer;
  dir: string;
  kubeconfigFile: string;
  kc: k8s.KubeConfig;
  kcRestricted: k8s.KubeConfig;
  stop(): Promise<void>;
}

export async function startTestCluster(o: {
  podSubnet: string;
  scale?: number;
  manifests?: string[];
}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kubetrace-api-test-'));
  const store = new ObjectStore();
  const logs = new LogStore();
  const controllers = startControllers(store, { podSubnet: o.podSubnet });
  const loaded = await loadManifests(o.manifests ?? [demoManifestsDir()]);
  if (loaded.refused.length) throw new Error(`demo manifests refused: ${JSON.stringify(loaded.refused)}`);
  applyObjects(store, loaded.objects);
  if (o.scale) applyObjects(store, scaleObjects(o.scale));
  controllers.reconcile();
  const api = await startApiServer({ store, logs });
  const kubeconfigFile = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfigFile, {
    server: api.url,
    caPem: api.caPem,
    adminToken: api.adminToken,
    restrictedToken: api.restrictedToken,
    restrictedNamespace: 'shop',
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const kcRestricted = new k8s.KubeConfig();
  kcRestricted.loadFromFile(kubeconfigFile);
  kcRestricted.setCurrentContext(RESTRICTED_CONTEXT);
  return {
    store,
    logs,
    controllers,
    api,
    dir,
    kubeconfigFile,
    kc,
    kcRestricted,
    async stop() {
      controllers.stop();
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
