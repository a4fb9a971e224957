// Debian's python3-kubernetes (22.6), a second real client, against the API stand-in: paging, watch (which it asks
// for as `watch=True`), pod logs, exec, custom objects, and 404/403 as ApiException with the right status.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RESTRICTED_CONTEXT, SANDBOX_CONTEXT } from '../../src/sandbox/kubeconfig';
import { startTestCluster, type TestCluster } from './api-harness';

const SCRIPT = join(__dirname, '..', 'fixtures', 'kube', 'python-client.py');
// Debian's python: a python3 earlier on the PATH (pyenv) does not see Debian's modules.
const PYTHON = '/usr/bin/python3';

let c: TestCluster;
before(async () => {
  c = await startTestCluster({ podSubnet: '127.10.53' });
});
after(async () => {
  await c?.stop();
});

function py(context: string, ...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    // Async on purpose: the server runs in this process, so a sync exec would block it.
    execFile(PYTHON, [SCRIPT, c.kubeconfigFile, context, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args[0]} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

const shopPod = (prefix: string) => c.store.list('Pod', 'shop').find((p) => p.metadata.name.startsWith(prefix))!;

describe('python3-kubernetes', () => {
  it('lists pods page by page with limit and continue, and the pages add up to the full list', async () => {
    const r = (await py(SANDBOX_CONTEXT, 'page')) as { pages: number; names: string[]; full: string[] };
    assert.ok(r.full.length >= 3, `shop has ${r.full.length} pods`);
    assert.equal(r.pages, r.full.length);
    assert.deepEqual(r.names, r.full);
  });

  it('watches Ingresses: the initial ADDED events, then a change made while it watches', async () => {
    const expected = c.store
      .list('Ingress', 'shop')
      .map((i) => i.metadata.name)
      .sort();
    const child = spawn(PYTHON, [SCRIPT, c.kubeconfigFile, SANDBOX_CONTEXT, 'watch'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const events: { type: string; name: string; labels?: Record<string, string> }[] = [];
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        events.push(JSON.parse(line));
        if (events.length === expected.length) {
          const orders = structuredClone(c.store.get('Ingress', 'shop', 'orders')!);
          orders.metadata.labels = { ...orders.metadata.labels, touched: 'yes' };
          c.store.put(orders);
        }
      }
    } finally {
      child.kill();
    }
    assert.deepEqual(
      events
        .slice(0, expected.length)
        .map((e) => e.type + ' ' + e.name)
        .sort(),
      expected.map((n) => 'ADDED ' + n),
      stderr,
    );
    const last = events[events.length - 1];
    assert.equal(last.type, 'MODIFIED', stderr);
    assert.equal(last.name, 'orders');
    assert.equal(last.labels?.touched, 'yes');
  });

  it('reads a pod log with tail_lines', async () => {
    const pod = shopPod('inventory').metadata.name;
    const t0 = BigInt(Date.parse('2026-11-27T10:00:00Z')) * 1_000_000n;
    ['first line', 'last line'].forEach((line, i) =>
      c.logs.append(
        { namespace: 'shop', pod, container: 'inventory' },
        { timeUnixNano: t0 + BigInt(i), stream: 'stdout', line },
      ),
    );
    assert.deepEqual(await py(SANDBOX_CONTEXT, 'logs', pod), { text: 'last line\n' });
  });

  it('runs a command in a pod through exec', async () => {
    const pod = c.store.list('Pod', 'ingress-nginx')[0].metadata.name;
    const r = (await py(SANDBOX_CONTEXT, 'exec', pod)) as { text: string };
    assert.match(r.text, /nginx version: nginx\/1\.\d+/);
  });

  it('lists HTTPRoutes as custom objects', async () => {
    const r = (await py(SANDBOX_CONTEXT, 'routes')) as { kind: string; names: string[] };
    assert.equal(r.kind, 'HTTPRouteList');
    assert.ok(r.names.includes('orders-route'), JSON.stringify(r.names));
  });

  it('raises ApiException 404 for a missing pod and 403 outside the restricted user namespace', async () => {
    assert.deepEqual(await py(SANDBOX_CONTEXT, 'missing'), { status: 404, reason: 'NotFound' });
    assert.deepEqual(await py(RESTRICTED_CONTEXT, 'forbidden'), { status: 403, reason: 'Forbidden' });
  });
});
