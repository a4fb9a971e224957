// Free ports and readiness: a pod is Ready when its port accepts a TCP connection.
import { createConnection, createServer } from 'node:net';

/** A port that is free on `host` right now (the OS picks it; closed again before returning). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Several distinct free ports on one host, all held open at once so they cannot repeat. */
export async function freePorts(host: string, n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, host, () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(t);
      sock.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Polls until `host:port` accepts a connection. `gone` rejects the wait early (the process died),
 * so a crash is reported at once rather than after the timeout.
 */
export async function waitForPort(
  host: string,
  port: number,
  opts: { timeoutMs: number; gone?: Promise<unknown>; what: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let dead = false;
  opts.gone?.then(() => {
    dead = true;
  });
  let delay = 10;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${opts.what} exited before it listened on ${host}:${port}`);
    if (await canConnect(host, port, 300)) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 100);
  }
  throw new Error(`${opts.what} did not listen on ${host}:${port} within ${opts.timeoutMs} ms`);
}

/** Throws a clear error when host:port is taken (readiness would otherwise count a stranger's listener). */
export function assertFree(host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `${host}:${port} for ${what} is already in use: another sandbox on the same pod ` +
                `subnet, or a process left over from one (choose another podSubnet, or stop it)`
            : `cannot listen on ${host}:${port} for ${what}: ${e.message}`,
        ),
      ),
    );
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}
