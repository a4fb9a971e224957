// pods/portforward over WebSocket, as the kubelet's websocket port-forward speaks it (and client-node's
// PortForward expects): for the i-th port, channel 2i carries data and 2i+1 errors; each channel's first
// frame from the server is the port number (uint16, little endian). Each port is one TCP connection to
// <podIP>:<port>; the WebSocket closes when that connection ends.
import { connect, type Socket } from 'node:net';
import type { WebSocket } from 'ws';

export const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io', 'portforward.k8s.io'];

/** Ports from `?ports=80&ports=443` or `?ports=80,443`; undefined when one is not a valid port. */
export function parsePorts(q: URLSearchParams): number[] | undefined {
  const ports = q
    .getAll('ports')
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  if (!ports.length) return undefined;
  const nums = ports.map(Number);
  return nums.every((n) => Number.isInteger(n) && n > 0 && n < 65536) ? nums : undefined;
}

const frame = (channel: number, data: Buffer | string): Buffer => {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
};

/** `real` maps a requested port to the one the pod's process listens on (src/sandbox/port-map.ts). */
export function servePortForward(
  ws: WebSocket,
  podIP: string,
  podName: string,
  ports: number[],
  real: (port: number) => number = (p) => p,
): void {
  const sockets: Socket[] = [];
  let closing = false;
  const closeAll = () => {
    if (closing) return;
    closing = true;
    for (const s of sockets) s.end();
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    ws.send(frame(2 * i, portBytes));
    ws.send(frame(2 * i + 1, portBytes));
    const sock = connect({ host: podIP, port: real(port) });
    sockets.push(sock);
    sock.on('data', (d: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame(2 * i, d));
      // Back-pressure: stop reading from the pod while the client is behind.
      if (ws.bufferedAmount > 4 * 1024 * 1024) {
        sock.pause();
        waitDrain(ws, () => sock.resume());
      }
    });
    sock.on('error', (e) => {
      if (ws.readyState === ws.OPEN)
        ws.send(
          frame(
            2 * i + 1,
            `error forwarding port ${port} to pod ${podName}: failed to connect to ${podIP}:${real(port)}: ${e.message}`,
          ),
        );
      closeAll();
    });
    sock.on('close', closeAll);
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = isBinary ? data : Buffer.from(data.toString(), 'utf8');
    if (buf.length < 1) return;
    const channel = buf[0];
    if (channel % 2 !== 0) return; // clients do not write on error channels
    const sock = sockets[channel / 2];
    if (sock && buf.length > 1 && !sock.destroyed) sock.write(buf.subarray(1));
  });
  ws.on('close', () => {
    closing = true;
    for (const s of sockets) s.destroy();
  });
  ws.on('error', () => {
    for (const s of sockets) s.destroy();
  });
}

function waitDrain(ws: WebSocket, fn: () => void): void {
  const t = setInterval(() => {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount < 1024 * 1024) {
      clearInterval(t);
      fn();
    }
  }, 5);
}
