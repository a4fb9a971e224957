// The connections a probe's requests go over. A probe speaks HTTP/1.1 itself (probe/wire.ts) instead of through
// Node's http client: a burst measures the cluster while sharing the machine's cores with it, and Node's client
// spent about 0.6 ms of CPU per request here (1,000 keep-alive HTTPS requests: 0.6 s), three times what a client on
// plain TLS sockets spends (0.23 s), enough to cost the burst a quarter of its throughput (README, Performance).
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface Endpoint {
  scheme: 'http' | 'https';
  /** An IP address (a DNS name is looked up before, where its time is measured). */
  ip: string;
  port: number;
  /** TLS server name (SNI and certificate check); absent for an IP host. */
  servername?: string;
  secureContext?: tls.SecureContext;
  rejectUnauthorized: boolean;
}

/** One open connection; `remote`/`local` are read once, when it connects. */
export interface Connection {
  socket: net.Socket;
  key: string;
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  /** The exchange the connection is serving; an idle one has none. */
  on?: Listener;
}

export interface Listener {
  data(b: Buffer): void;
  error(e: NodeJS.ErrnoException): void;
  close(): void;
  timeout(): void;
}

/**
 * Starts a connection. Its socket's events go to whichever exchange holds it (`c.on`); bytes while idle mean the
 * server broke HTTP, so the connection is dropped.
 */
export function open(e: Endpoint, key: string): Connection {
  const socket =
    e.scheme === 'https'
      ? tls.connect({
          host: e.ip,
          port: e.port,
          servername: e.servername,
          secureContext: e.secureContext,
          rejectUnauthorized: e.rejectUnauthorized,
        })
      : net.connect({ host: e.ip, port: e.port });
  socket.setNoDelay(true);
  const c: Connection = { socket, key };
  socket.on('data', (b: Buffer) => (c.on ? c.on.data(b) : socket.destroy()));
  socket.on('error', (err: NodeJS.ErrnoException) => c.on?.error(err));
  socket.on('close', () => c.on?.close());
  socket.on('timeout', () => c.on?.timeout());
  return c;
}

// Connections made with different trust (CA sets) are never shared.
const contextIds = new WeakMap<tls.SecureContext, number>();
let nextContextId = 1;

export function endpointKey(e: Endpoint): string {
  let ctx = 0;
  if (e.secureContext) {
    ctx = contextIds.get(e.secureContext) ?? nextContextId++;
    contextIds.set(e.secureContext, ctx);
  }
  return `${e.scheme} ${e.ip} ${e.port} ${e.servername ?? ''} ${ctx} ${e.rejectUnauthorized}`;
}

export function remember(c: Connection): void {
  c.remoteAddress = c.socket.remoteAddress;
  c.remotePort = c.socket.remotePort;
  c.localAddress = c.socket.localAddress;
  c.localPort = c.socket.localPort;
}

/**
 * Idle kept-alive connections, by endpoint, for a burst: a request takes one if there is one, else opens its own,
 * so there are never more connections than requests in flight (the burst's concurrency). A connection the server
 * closes while idle leaves the pool by itself.
 */
export class Connections {
  private readonly idle = new Map<string, Connection[]>();
  private readonly all = new Set<Connection>();
  private closed = false;

  take(key: string): Connection | undefined {
    const list = this.idle.get(key);
    for (let c = list?.pop(); c; c = list?.pop()) if (!c.socket.destroyed && c.socket.readyState === 'open') return c;
    return undefined;
  }

  /** Keeps an answered connection for the next request; after `destroy` it is closed instead. */
  give(c: Connection): void {
    if (this.closed || c.socket.destroyed) {
      c.socket.destroy();
      return;
    }
    if (!this.all.has(c)) {
      this.all.add(c);
      const drop = () => {
        this.all.delete(c);
        const list = this.idle.get(c.key);
        const i = list?.indexOf(c) ?? -1;
        if (i >= 0) list!.splice(i, 1);
      };
      c.socket.once('close', drop);
    }
    let list = this.idle.get(c.key);
    if (!list) this.idle.set(c.key, (list = []));
    list.push(c);
  }

  destroy(): void {
    this.closed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.clear();
  }
}
