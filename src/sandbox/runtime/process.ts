// One pod's process: started in its own process group (so nginx's workers or a Flask reloader go with it),
// stdout and stderr split into lines and stored with their arrival time, as a container runtime does.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { nowUnixNano } from '../../core/time';
import type { LogStore, PodLogKey } from '../logs';
import { reapOnDeath } from './reaper';

export interface ProcessSpec {
  name: string; // for messages, e.g. "shop/orders-7d9c5b6f4a-x2k8p"
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  log: PodLogKey;
  /**
   * Give the process a FIFO at this path as stdout instead of a socketpair (what libuv uses for pipes):
   * nginx opens `/dev/stdout` by name, which works on a pipe, as in a container, but not on a socket.
   */
  stdoutFifo?: string;
}

export interface PodProcess {
  readonly spec: ProcessSpec;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Subscribes to each stored line (both streams); returns an unsubscribe function. */
  onLine(fn: (stream: 'stdout' | 'stderr', line: string) => void): () => void;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(spec: ProcessSpec, logs: LogStore): PodProcess {
  let fifo: { reader: number; writer: number } | undefined;
  if (spec.stdoutFifo) {
    rmSync(spec.stdoutFifo, { force: true });
    execFileSync('mkfifo', ['-m', '600', spec.stdoutFifo]);
    // Reader first and non-blocking, so opening the writer does not wait; EOF comes when the child's copies close.
    const reader = openSync(spec.stdoutFifo, constants.O_RDONLY | constants.O_NONBLOCK);
    fifo = { reader, writer: openSync(spec.stdoutFifo, constants.O_WRONLY) };
  }
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', fifo ? fifo.writer : 'pipe', 'pipe'],
  });
  let stdout: NodeJS.ReadableStream = child.stdout!;
  if (fifo) {
    closeSync(fifo.writer);
    stdout = new Socket({ fd: fifo.reader, readable: true, writable: false });
  }
  const stdoutDone = new Promise<void>((resolve) => {
    stdout.once('end', resolve);
    stdout.once('close', resolve);
    stdout.once('error', () => resolve());
  });
  const listeners = new Set<(stream: 'stdout' | 'stderr', line: string) => void>();
  const store = (stream: 'stdout' | 'stderr', line: string): void => {
    logs.append(spec.log, { timeUnixNano: nowUnixNano(), stream, line });
    for (const fn of listeners) fn(stream, line);
  };
  let alive = true;
  const release = child.pid === undefined ? () => {} : reapOnDeath(child.pid);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' comes after both pipes ended, so no line is lost after the exit.
    child.on('close', (code, signal) => {
      alive = false;
      release();
      // A FIFO stdout is not one of the child's streams: wait for its end too (bounded, a worker may linger).
      const t = setTimeout(() => (stdout as Socket).destroy?.(), 2000);
      void stdoutDone.then(() => {
        clearTimeout(t);
        if (spec.stdoutFifo) rmSync(spec.stdoutFifo, { force: true });
        resolve({ code, signal });
      });
    });
    child.on('error', (e) => {
      alive = false;
      release();
      store('stderr', `kubetrace: cannot start ${spec.command}: ${e.message}`);
      resolve({ code: 127, signal: null });
    });
  });
  splitLines(stdout, (l) => store('stdout', l));
  splitLines(child.stderr!, (l) => store('stderr', l));

  const signalGroup = (sig: NodeJS.Signals): void => {
    if (!alive || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  return {
    spec,
    pid: child.pid ?? -1,
    child,
    exited,
    onLine(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    signal: signalGroup,
    async stop(graceMs = 3000) {
      if (!alive) {
        await exited;
        return;
      }
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Stragglers that left the leader behind (a worker mid-shutdown) still share the group id.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* none left */
        }
      }
    },
  };
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  stream.on('data', (chunk: Buffer) => {
    buf += decoder.write(chunk);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl).replace(/\r$/, ''));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    buf += decoder.end();
    if (buf) onLine(buf);
    buf = '';
  });
}
