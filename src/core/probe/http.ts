// One HTTP(S) exchange with the time of each phase, spoken on the socket (probe/connections.ts says why). A probe uses
// a fresh connection: it measures exactly one request. A burst passes a pool of kept-alive connections, as a client
// pool would; a reused connection has no DNS, connect or TLS phase.
import { createHash } from 'node:crypto';
import * as dns from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { nowUnixNano } from '../time';
import { endpointKey, open, remember, type Connection, type Connections, type Endpoint } from './connections';
import { requestBytes, ResponseReader, type WireError } from './wire';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ExchangeRequest {
  scheme: 'http' | 'https';
  /** Where to connect (IP or DNS name) and the port. */
  address: string;
  port: number;
  /** Host header and TLS server name. */
  host: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  ca?: (string | Buffer)[];
  insecure?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Kept-alive connections that may be reused; absent: a fresh connection that closes after the answer. */
  pool?: Connections;
  /** Many exchanges cancelled by one signal (a burst's): used instead of a listener of each on `signal`. */
  aborts?: AbortList;
}

/**
 * One listener on a signal for every exchange it cancels. A burst's requests all stop on one signal, and adding and
 * removing an EventTarget listener per request cost its client about 40 ms of CPU per 1,000 requests.
 */
export class AbortList {
  private readonly fns = new Set<() => void>();

  constructor(readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => [...this.fns].forEach((f) => f()), { once: true });
  }

  add(f: () => void): void {
    this.fns.add(f);
  }

  delete(f: () => void): void {
    this.fns.delete(f);
  }
}

export interface PhaseTimes {
  start: bigint;
  dnsStart?: bigint;
  dnsEnd?: bigint;
  connectStart?: bigint;
  connectEnd?: bigint;
  tlsEnd?: bigint;
  /** When a reused connection was handed to the request (no connect or TLS phase then). */
  requestStart?: bigint;
  requestEnd?: bigint;
  firstByte?: bigint;
  end?: bigint;
}

export interface ExchangeResult {
  times: PhaseTimes;
  status?: number;
  statusMessage?: string;
  headers: Record<string, string>;
  body: Buffer;
  bodyTruncated: boolean;
  bodyBytes: number;
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  tls?: { protocol?: string; cipher?: string; authorized: boolean; authorizationError?: string; peerSubject?: string };
  error?: { code: string; message: string };
  /** False when the request went over a connection an earlier request had opened. */
  newConnection: boolean;
}

export function exchange(req: ExchangeRequest): Promise<ExchangeResult> {
  return new Promise((resolve) => new Exchange(req, resolve).begin());
}

// A burst asks about the same two names for every request; net.isIP runs an IPv6 pattern of 1,500 characters,
// whose first use (compiling it) cost the first request of a burst about 8 ms. Only an IPv6 address has a colon.
const ipNames = new Map<string, boolean>();
function isIp(name: string): boolean {
  let v = ipNames.get(name);
  if (v === undefined) {
    if (ipNames.size > 64) ipNames.clear();
    ipNames.set(name, (v = name.includes(':') ? net.isIPv6(name) : net.isIPv4(name)));
  }
  return v;
}

// Methods a request may be sent again for when a kept-alive connection closed under it before any answer.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One exchange's state: the phases' times, the response as it is read, and how it ends (once). */
class Exchange {
  private readonly times: PhaseTimes = { start: nowUnixNano() };
  private readonly result: ExchangeResult = {
    times: this.times,
    headers: {},
    body: Buffer.alloc(0),
    bodyTruncated: false,
    bodyBytes: 0,
    newConnection: true,
  };
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private settled = false;
  private conn?: Connection;
  private retried = false;
  private readonly bytes: Buffer;
  private readonly onAbort = () => {
    this.conn?.socket.destroy();
    this.finish({ code: 'ABORT_ERR', message: 'The operation was aborted' });
  };

  constructor(
    private readonly req: ExchangeRequest,
    private readonly resolve: (r: ExchangeResult) => void,
  ) {
    // Throws, as Node's client throws, for a header or path that would break the request's framing.
    this.bytes = requestBytes(req, !!req.pool);
  }

  begin(): void {
    const { req, times } = this;
    if ((req.aborts?.signal ?? req.signal)?.aborted) return this.onAbort();
    if (req.aborts) req.aborts.add(this.onAbort);
    else req.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (isIp(req.address)) return this.start(req.address, true);
    times.dnsStart = nowUnixNano();
    dns.lookup(req.address, (err, address) => {
      times.dnsEnd = nowUnixNano();
      if (err) this.finish({ code: err.code ?? 'ENOTFOUND', message: err.message });
      else if (!this.settled) this.start(address, true);
    });
  }

  private start(ip: string, mayReuse: boolean): void {
    const { req, times, result } = this;
    const e: Endpoint = {
      scheme: req.scheme,
      ip,
      port: req.port,
      servername: req.scheme === 'https' && !isIp(req.host) ? req.host : undefined,
      secureContext: req.scheme === 'https' && req.ca?.length ? secureContextFor(req.ca) : undefined,
      rejectUnauthorized: !req.insecure,
    };
    const key = endpointKey(e);
    const reused = mayReuse ? req.pool?.take(key) : undefined;
    if (reused) {
      // An idle connection from the burst's pool: it is already open (and its TLS done).
      result.newConnection = false;
      times.requestStart = nowUnixNano();
      this.address(reused);
      return this.send(reused, true);
    }
    times.connectStart = nowUnixNano();
    const c = open(e, key);
    c.socket.once('connect', () => {
      times.connectEnd = nowUnixNano();
      remember(c);
      this.address(c);
    });
    if (req.scheme === 'https')
      c.socket.once('secureConnect', () => {
        times.tlsEnd = nowUnixNano();
        const t = c.socket as tls.TLSSocket;
        result.tls = {
          protocol: t.getProtocol() ?? undefined,
          cipher: t.getCipher()?.name,
          authorized: t.authorized,
          authorizationError: t.authorizationError ? String(t.authorizationError) : undefined,
          peerSubject: t.getPeerCertificate()?.subject?.CN as string | undefined,
        };
      });
    this.send(c, false);
  }

  private address(c: Connection): void {
    this.result.remoteAddress = c.remoteAddress;
    this.result.remotePort = c.remotePort;
    this.result.localAddress = c.localAddress;
    this.result.localPort = c.localPort;
  }

  // The exchange itself listens to its connection (Listener): a burst's client made four closures per request.
  private reader?: ResponseReader;
  /** Whether any byte of the answer came. */
  private got = false;
  /** Whether the connection came from the pool (and may have been closed by the server while idle). */
  private reused = false;

  private send(c: Connection, reused: boolean): void {
    const { req } = this;
    this.conn = c;
    this.got = false;
    this.reused = reused;
    this.reader = new ResponseReader(req.method === 'HEAD', (b) => this.body(b));
    c.on = this;
    c.socket.setTimeout(req.timeoutMs);
    c.socket.write(this.bytes, () => {
      this.times.requestEnd ??= nowUnixNano();
    });
  }

  /** Listener: bytes of the answer. */
  data(b: Buffer): void {
    const { req, times } = this;
    const c = this.conn!;
    const reader = this.reader!;
    if (!this.got) {
      this.got = true;
      times.firstByte = nowUnixNano();
    }
    let rest: Buffer | undefined;
    try {
      rest = reader.feed(b);
    } catch (e) {
      const w = e as WireError;
      return this.fail(w.code ?? 'HPE_INVALID', w.message);
    } finally {
      this.head(reader);
    }
    if (rest === undefined) return;
    times.end = nowUnixNano();
    c.on = undefined;
    c.socket.setTimeout(0);
    // Bytes after the response, or a server that will close: the connection is not used again.
    if (req.pool && reader.keepAlive && rest.length === 0) req.pool.give(c);
    else c.socket.destroy();
    this.finish();
  }

  /** Listener: the connection failed. */
  error(err: NodeJS.ErrnoException): void {
    this.fail(err.code ?? 'ECONNRESET', err.message);
  }

  /** Listener: the connection closed. */
  close(): void {
    const reader = this.reader!;
    if (reader.closed()) {
      this.head(reader);
      this.times.end = nowUnixNano();
      this.finish();
    } else this.fail('ECONNRESET', this.got ? 'the connection closed before the response ended' : 'socket hang up');
  }

  /** Listener: the connection was idle for the request's timeout. */
  timeout(): void {
    this.fail('ETIMEDOUT', `no complete answer within ${this.req.timeoutMs} ms`);
  }

  private fail(code: string, message: string): void {
    const { req, times, result } = this;
    const c = this.conn!;
    c.on = undefined;
    c.socket.destroy();
    // The server closed an idle kept-alive connection just as the request went out: a read goes again, once, on a
    // new connection (Node's documented case); nothing else is ever sent twice.
    if (this.reused && !this.got && !this.retried && IDEMPOTENT.has(req.method) && !this.settled) {
      this.retried = true;
      result.newConnection = true;
      times.requestStart = undefined;
      return this.start(c.remoteAddress ?? req.address, false);
    }
    this.finish({ code, message });
  }

  private head(reader: ResponseReader): void {
    const h = reader.head;
    if (!h || this.result.status !== undefined) return;
    this.result.status = h.status;
    this.result.statusMessage = h.statusMessage;
    this.result.headers = h.headers;
  }

  private body(b: Buffer): void {
    const r = this.result;
    r.bodyBytes += b.length;
    if (this.kept < MAX_BODY_BYTES) {
      // A copy: the connection's buffer may be reused for the next read.
      const room = MAX_BODY_BYTES - this.kept;
      const part = Buffer.from(b.length <= room ? b : b.subarray(0, room));
      this.chunks.push(part);
      this.kept += part.length;
    }
    if (r.bodyBytes > MAX_BODY_BYTES) r.bodyTruncated = true;
  }

  private finish(error?: { code: string; message: string }): void {
    if (this.settled) return;
    this.settled = true;
    if (this.req.aborts) this.req.aborts.delete(this.onAbort);
    else this.req.signal?.removeEventListener('abort', this.onAbort);
    this.times.end ??= nowUnixNano();
    if (error) this.result.error = error;
    this.result.body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.resolve(this.result);
  }
}

// Parsing the ~140 system roots costs tens of milliseconds; build each CA set's context once per process so
// the probe measures the network, not certificate parsing.
const contexts = new Map<string, tls.SecureContext>();
// A burst passes one CA list for all its requests: hashing it again per request cost more than the request's spans.
const byList = new WeakMap<(string | Buffer)[], tls.SecureContext>();
export function secureContextFor(ca: (string | Buffer)[]): tls.SecureContext {
  const known = byList.get(ca);
  if (known) return known;
  const extra = ca.map(String);
  const key = createHash('sha256').update(extra.join('\n')).digest('hex');
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
    contexts.set(key, ctx);
  }
  byList.set(ca, ctx);
  return ctx;
}
