// A local TCP listener whose connections are forwarded to a pod port through the API server's
// WebSocket port-forward (client-node's PortForward), so a probe can use an ordinary HTTP client.
import * as net from 'node:net';
import { Writable } from 'node:stream';
import { loadClientNode, type LoadedKubeconfig } from './load';

export interface Forward {
  host: string;
  port: number;
  /** Errors reported by the API server or the pod, in arrival order. */
  errors: string[];
  close(): Promise<void>;
}

export async function openPortForward(
  config: LoadedKubeconfig,
  namespace: string,
  pod: string,
  podPort: number,
): Promise<Forward> {
  const k8s = await loadClientNode();
  const pf = new k8s.PortForward(config.kc, true);
  const errors: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const err = new Writable({
      write(chunk: Buffer, _enc: string, cb: () => void) {
        const m = chunk.toString('utf8').trim();
        if (m) errors.push(m);
        cb();
      },
    });
    pf.portForward(namespace, pod, [podPort], socket, err, socket).then(
      (ws) => {
        const w = typeof ws === 'function' ? ws() : ws;
        socket.on('close', () => {
          try {
            (w as { close?: () => void })?.close?.();
          } catch {
            /* already closed */
          }
        });
        (w as unknown as NodeJS.EventEmitter | null)?.on?.('close', () => socket.destroy());
      },
      (e: Error) => {
        errors.push(`port-forward to ${namespace}/${pod}:${podPort} failed: ${e.message}`);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
