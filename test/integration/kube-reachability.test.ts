// Issue 15 §5: the tree's watches against the real API stand-in over HTTPS. Stopping the server makes them report
// the cluster unreachable (not leave the last listing up), they keep trying, and a server back on the same port
// is noticed by itself; a kubeconfig rewritten with a new port and CA (a restarted sandbox) is noticed on disk.
// Waits are hang guards, never speed assertions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer } from '../../src/sandbox/api';
import { setPodState } from '../../src/sandbox/controllers';
import { writeKubeconfig } from '../../src/sandbox/kubeconfig';
import { watchFiles } from '../../src/core/kube/file-watch';
import { KINDS } from '../../src/core/kube/list';
import { loadKubeconfig } from '../../src/core/kube/load';
import { isUnreachable, type Reach } from '../../src/core/kube/reachability';
import { KubeRequester } from '../../src/core/kube/request';
import { readRouteTree } from '../../src/core/kube/route-tree';
import { watchKinds } from '../../src/core/kube/watch';
import { startTestCluster, type TestCluster } from './api-harness';

const GUARD_MS = 20_000;
let c: TestCluster;
const servers: ApiServer[] = [];

before(async () => {
  c = await startTestCluster({ podSubnet: '127.10.160' });
});
after(async () => {
  for (const s of servers) await s.close();
  await c?.stop();
});

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const until = Date.now() + GUARD_MS;
  while (!ok()) {
    if (Date.now() > until) assert.fail(`not seen within the ${GUARD_MS / 1000} s hang guard: ${what}`);
    await sleep(20);
  }
}

const ingressNames = async (api: KubeRequester) =>
  (await readRouteTree(api, { fallbackNamespace: 'default' })).entries.map((e) => e.name);

test('a stopped API server is reported unreachable, retried with backoff, and noticed when it is back', async (t) => {
  const api = new KubeRequester(await loadKubeconfig({ kubeconfig: c.kubeconfigFile }));
  const reaches: Reach[] = [];
  const retries: number[] = [];
  let changes = 0;
  const last = () => reaches.at(-1)?.kind;
  const w = watchKinds(api, [KINDS.ingresses, KINDS.endpointslices, KINDS.pods], {
    onChange: () => changes++,
    onReach: (r) => reaches.push(r),
    onError: (_m, retry) => retries.push(retry),
    debounceMs: 20,
    backoff: { initialMs: 200, maxMs: 1600 },
  });
  try {
    await waitFor('the watches reach the API server', () => last() === 'up');
    // The watch is live: a pod changing readiness comes through it. "up" may come from another kind's list
    // before the pods' watch is open, so the pod flips until a change arrives.
    const pod = c.store.list('Pod').find((p) => p.metadata.name.startsWith('orders-'))!;
    let ready = false;
    await waitFor('a change through the watch', () => {
      if (changes > 0) return true;
      setPodState(c.store, pod.metadata.namespace!, pod.metadata.name, { ready: (ready = !ready) });
      return false;
    });

    const port = Number(new URL(c.api.url).port);
    const closed = Date.now();
    await c.api.close();
    await waitFor('the unreachable state', () => last() === 'down');
    t.diagnostic(`unreachable reported ${Date.now() - closed} ms after the server closed`);
    const down = reaches.at(-1) as Extract<Reach, { kind: 'down' }>;
    assert.ok(isUnreachable(down.error), `an unreachable error, got ${down.message}`);
    assert.match(down.message, /cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    assert.deepEqual(
      reaches.map((r) => r.kind),
      ['up', 'down'],
      'one report for three watches',
    );
    // Each watch keeps knocking, waiting longer each time.
    await waitFor('three tries of one kind', () => retries.length >= 9);
    assert.ok(Math.max(...retries) > 200, `the waits grow: ${retries.join(', ')}`);
    assert.ok(Math.max(...retries) <= 1600, `the waits stay under the cap: ${retries.join(', ')}`);

    // Back on the same port (same CA and tokens): noticed without anyone asking, and the tree lists again.
    servers.push(
      await startApiServer({
        store: c.store,
        logs: c.logs,
        port,
        ca: c.api.ca,
        adminToken: c.api.adminToken,
        restrictedToken: c.api.restrictedToken,
      }),
    );
    await waitFor('the API server answering again', () => last() === 'up');
    assert.deepEqual(
      reaches.map((r) => r.kind),
      ['up', 'down', 'up'],
    );
    assert.ok((await ingressNames(api)).includes('orders'));
  } finally {
    w.stop();
  }
});

test('a kubeconfig rewritten with a new port and CA is noticed on disk, and only a real change counts', async () => {
  let changed = 0;
  const fw = watchFiles([c.kubeconfigFile], () => changed++, { debounceMs: 50 });
  try {
    // The same bytes again (a tool that rewrites what it read): nothing to reload.
    await writeFile(c.kubeconfigFile, await readFile(c.kubeconfigFile));
    await sleep(500);
    // A sandbox restart: a new server with a new CA on another port, and its kubeconfig over the old one.
    const old = new KubeRequester(await loadKubeconfig({ kubeconfig: c.kubeconfigFile }));
    const fresh = await startApiServer({ store: c.store, logs: c.logs });
    servers.push(fresh);
    for (const s of servers.slice(0, -1)) await s.close();
    await writeKubeconfig(c.kubeconfigFile, {
      server: fresh.url,
      caPem: fresh.caPem,
      adminToken: fresh.adminToken,
      restrictedToken: fresh.restrictedToken,
      restrictedNamespace: 'shop',
    });
    await waitFor('the rewritten kubeconfig', () => changed > 0);
    await sleep(200); // a second event of the same write, if the platform sends one, would be counted by now
    assert.equal(changed, 1, 'one reload for one real change; none for the identical rewrite');
    await assert.rejects(ingressNames(old), (e) => isUnreachable(e));
    const reloaded = new KubeRequester(await loadKubeconfig({ kubeconfig: c.kubeconfigFile }));
    assert.equal(reloaded.config.server, fresh.url);
    assert.ok((await ingressNames(reloaded)).includes('orders'));
  } finally {
    fw.stop();
  }
});
