// Pods run in their own process groups (process.ts), so nothing takes them down when the host process dies
// without stop(): SIGKILL, an OOM kill, a test runner that gives up, the editor closing on the extension's sandbox.
// They would keep their pod addresses and ports, and the next sandbox would find them "already in use". The 'exit'
// handler in runtime.ts covers only exits that run JavaScript. A reaper covers the rest: a small detached process
// that holds the read end of a pipe from the host and, once the pipe closes (however the host ended), kills every
// process group the host told it about and that the host has not released.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// Lines on stdin: "+<pgid>" watch, "-<pgid>" release. On EOF: SIGTERM, then SIGKILL 2 s later, to what is left.
const SCRIPT = `
process.title = 'kubetrace-reaper';
const groups = new Set();
let buf = '';
const each = (sig) => { for (const g of groups) { try { process.kill(-g, sig); } catch {} } };
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const g = Number(line.slice(1));
    if (!(g > 1)) continue;
    if (line[0] === '+') groups.add(g);
    else if (line[0] === '-') groups.delete(g);
  }
});
process.stdin.on('close', () => {
  if (!groups.size) process.exit(0);
  each('SIGTERM');
  setTimeout(() => { each('SIGKILL'); process.exit(0); }, 2000);
});
`;

let reaper: ChildProcess | undefined;

function start(): ChildProcess | undefined {
  try {
    const child = spawn(process.execPath, ['-e', SCRIPT], {
      // Its own session: a Ctrl-C or hang-up that takes the host's group down must not take the reaper with it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Under VS Code the host is Electron run as Node; the reaper must be Node too.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.on('error', () => (reaper = undefined));
    // Neither the reaper nor its pipe may keep the host's event loop alive.
    child.unref();
    (child.stdin as Socket).unref();
    child.stdin!.on('error', () => {});
    return child;
  } catch {
    return undefined;
  }
}

/** Has the group `pgid` killed if this process dies before the returned release is called. */
export function reapOnDeath(pgid: number): () => void {
  if (!(pgid > 1)) return () => {};
  reaper ??= start();
  const r = reaper;
  r?.stdin?.write(`+${pgid}\n`);
  return () => {
    if (r && !r.stdin?.destroyed) r.stdin?.write(`-${pgid}\n`);
  };
}
