// pods/exec over WebSocket (v4/v5.channel.k8s.io): channel 0 stdin, 1 stdout, 2 stderr, 3 the final Status
// (JSON), 4 resize (ignored); v5 adds the close frame [255, channel]. The command runs as a real process:
// through the runtime's resolver for the pod when one is set, else directly.
import { spawn } from 'node:child_process';
import type { WebSocket } from 'ws';
import type { KubeObject } from '../store';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'];

export interface ExecCommand {
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}
/** Maps a pod's container and command to the process to run; undefined means "run the command as given". */
export type ExecResolver = (pod: KubeObject, container: string, command: string[]) => ExecCommand | undefined;

const frame = (channel: number, data: Buffer | string): Buffer =>
  Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]);

export interface ExecRequest {
  pod: KubeObject;
  container: string;
  command: string[];
  stdin: boolean;
}

export function serveExec(ws: WebSocket, r: ExecRequest, resolver: ExecResolver | undefined): void {
  const cmd = resolver?.(r.pod, r.container, r.command) ?? { file: r.command[0], args: r.command.slice(1) };
  let child;
  const status = (s: Record<string, unknown>) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(3, JSON.stringify({ metadata: {}, ...s })));
    ws.close(1000);
  };
  try {
    child = spawn(cmd.file, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env ? { ...process.env, ...cmd.env } : process.env,
      stdio: [r.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    status({ status: 'Failure', message: `exec failed: ${(e as Error).message}`, reason: 'InternalError', code: 500 });
    return;
  }
  child.stdout!.on('data', (d: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(1, d));
  });
  child.stderr!.on('data', (d: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(2, d));
  });
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });
  child.on('close', (code, signal) => {
    if (spawnError) {
      const notFound = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
      return status({
        status: 'Failure',
        reason: 'InternalError',
        code: 500,
        message: notFound
          ? `OCI runtime exec failed: exec failed: unable to start container process: ` +
            `exec: "${r.command[0]}": executable file not found in $PATH: unknown`
          : spawnError.message,
      });
    }
    if (code === 0) return status({ status: 'Success' });
    const exit = code ?? 128 + (signal ? 9 : 0);
    status({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: `command terminated with non-zero exit code: error executing command [${r.command.join(' ')}], exit code ${exit}`,
      details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
    });
  });
  ws.on('message', (data: Buffer) => {
    if (data.length < 1) return;
    if (data[0] === 0 && child.stdin && data.length > 1) child.stdin.write(data.subarray(1));
    else if (data[0] === 255 && data[1] === 0) child.stdin?.end();
  });
  ws.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}
