// Pods outlive a sandbox host that dies without stop() unless the reaper (src/sandbox/runtime/reaper.ts) takes them
// down: a host is killed the ways real hosts die (SIGKILL; Ctrl-C to its whole process group), and the pod process
// it started, in a process group of its own, must be gone within seconds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

// The host: starts `sleep 600` as a pod process would be started, prints its pid, and waits.
const HOST = `
import { startProcess } from ${JSON.stringify(join(ROOT, 'src', 'sandbox', 'runtime', 'process.ts'))};
import { LogStore } from ${JSON.stringify(join(ROOT, 'src', 'sandbox', 'logs.ts'))};
const p = startProcess({ name: 'test/pod', command: 'sleep', args: ['600'], env: {}, log: { namespace: 'test', pod: 'pod' } }, new LogStore());
console.log(p.pid);
setInterval(() => {}, 1000);
`;

const dir = mkdtempSync(join(tmpdir(), 'kubetrace-reaper-'));
const hostFile = join(dir, 'host.ts');
writeFileSync(hostFile, HOST);
after(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100)))
    if (!alive(pid)) return true;
  return !alive(pid);
}

for (const [how, kill] of [
  ['SIGKILL to the host', (host: number) => process.kill(host, 'SIGKILL')],
  ['Ctrl-C (SIGINT) to the host and its group', (host: number) => process.kill(-host, 'SIGINT')],
] as const) {
  test(`a pod process dies with its host: ${how}`, { timeout: 60_000 }, async () => {
    const host = spawn(process.execPath, ['--import', 'tsx', hostFile], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pod = 0;
    try {
      pod = await new Promise<number>((resolve, reject) => {
        let out = '';
        host.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (/^\d+\n/.test(out)) resolve(Number(out.trim()));
        });
        host.once('exit', (c) => reject(new Error(`the host exited (${c}) before it started the pod`)));
      });
      assert.ok(alive(pod), 'the pod process runs');
      kill(host.pid!);
      await new Promise((r) => host.once('exit', r));
      assert.ok(await gone(pod, 10_000), `the pod process ${pod} outlived its host`);
    } finally {
      if (pod && alive(pod)) process.kill(-pod, 'SIGKILL');
    }
  });
}
