// Runs a command in a pod container through the API server's WebSocket exec (client-node's Exec), e.g.
// `nginx -v` in the ingress controller, which is the surest way to learn the nginx version it runs.
import { Writable } from 'node:stream';
import { KubetraceError } from '../errors';
import { KubeApiError, connectionError } from './errors';
import { loadClientNode, type LoadedKubeconfig } from './load';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Output kept per stream; the rest is dropped (a version string needs a few bytes, not a log). */
  maxBytes?: number;
}

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * Resolves with the command's output and exit code (a non-zero exit is a result, not an error). Rejects with a
 * KubetraceError when the exec cannot start: refused (403), no such pod (404), unreachable, no such executable,
 * or no answer within `timeoutMs` (default 10 s).
 */
export async function execInPod(
  config: LoadedKubeconfig,
  ns: string,
  pod: string,
  container: string,
  command: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const k8s = await loadClientNode();
  const where = `${ns}/${pod}${container ? ` (container ${container})` : ''}`;
  const what = `\`${command.join(' ')}\` in pod ${where}`;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const out = capped(maxBytes),
    err = capped(maxBytes);
  const exec = new k8s.Exec(config.kc);
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    let socket: { close(): void } | undefined;
    const finish = (e: Error | undefined, r?: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      try {
        socket?.close();
      } catch {
        /* already closed */
      }
      if (e) reject(e);
      else resolve(r!);
    };
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const timer = setTimeout(
      () =>
        finish(
          new KubetraceError(
            `${what} did not finish within ${timeoutMs} ms`,
            'is the pod running and the command quick?',
          ),
        ),
      timeoutMs,
    );
    const onAbort = () => finish(new KubetraceError(`${what} was cancelled`));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const onStatus = (s: ExecStatus) => {
      const result = (exitCode: number) => ({ stdout: out.text(), stderr: err.text(), exitCode });
      if (s.status === 'Success') return finish(undefined, result(0));
      const exit =
        s.reason === 'NonZeroExitCode' ? Number(s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message) : NaN;
      if (Number.isInteger(exit)) return finish(undefined, result(exit));
      finish(
        new KubeApiError(
          `${what} failed: ${oneLine(s.message) || s.reason || 'unknown error'}`,
          /executable file not found|no such file/i.test(s.message ?? '')
            ? 'the container image does not have that command'
            : undefined,
          s.code ?? 0,
          s.reason || 'ExecFailed',
        ),
      );
    };
    exec.exec(ns, pod, container, command, out.stream, err.stream, null, false, onStatus as never).then(
      (ws) => {
        socket = ws;
        if (settled) {
          try {
            ws.close();
          } catch {
            /* ignore */
          }
          return;
        }
        // A stream that ends without a Status frame lost its connection (pod gone, API server restarted).
        ws.on('close', () =>
          finish(
            new KubetraceError(
              `the exec stream for ${what} closed before the command's exit status arrived`,
              'the pod may have restarted; try again',
            ),
          ),
        );
        ws.on('error', (e: Error) => finish(connectionError(e, config.server, proxyOf(config))));
      },
      (e: unknown) => finish(handshakeError(e, what, ns, config)),
    );
  });
}

/** client-node rejects with the `ws` ErrorEvent; turn it into a plain error, naming the HTTP status when there is one. */
function handshakeError(e: unknown, what: string, ns: string, config: LoadedKubeconfig): KubetraceError {
  const ev = e as { message?: string; error?: Error & { code?: string } };
  const message = ev?.message ?? ev?.error?.message ?? String(e);
  const m = /Unexpected server response: (\d{3})/.exec(message);
  if (m) {
    const status = Number(m[1]);
    if (status === 401)
      return new KubeApiError(
        `the cluster refused the credentials for ${what} (401 Unauthorized)`,
        'refresh your credentials, or pick another context',
        401,
        'Unauthorized',
      );
    if (status === 403)
      return new KubeApiError(
        `forbidden: ${what} needs "create pods/exec" in namespace ${ns}`,
        'ask for RBAC permission on pods/exec, or set kubetrace.nginx.version',
        403,
        'Forbidden',
      );
    if (status === 404)
      return new KubeApiError(
        `cannot exec ${what}: the pod or container was not found (404)`,
        undefined,
        404,
        'NotFound',
      );
    return new KubeApiError(`cannot exec ${what}: the API server answered ${status}`, undefined, status, 'Error');
  }
  const cause = ev?.error ?? (e instanceof Error ? e : new Error(message));
  return connectionError(cause as Error & { code?: string }, config.server, proxyOf(config));
}

const proxyOf = (config: LoadedKubeconfig): string | undefined => config.kc.getCurrentCluster()?.proxyUrl || undefined;

function capped(max: number): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (size < max) {
        const part = chunk.subarray(0, max - size);
        chunks.push(part);
        size += part.length;
      }
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const oneLine = (s?: string) => (s ?? '').split('\n')[0].trim().slice(0, 300);
