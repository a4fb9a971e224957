// One HTTP(S) exchange with the time of each phase, and no retries. A probe uses a fresh connection (no agent): it
// measures exactly one request. A burst passes a keep-alive agent, as a client pool would; a reused connection has
// no DNS, connect or TLS phase.
import { createHash } from 'node:crypto';
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { nowUnixNano } from '../time';

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
  /** A keep-alive agent whose connections may be reused; absent: a fresh connection that closes after the answer. */
  agent?: http.Agent;
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
  const times: PhaseTimes = { start: nowUnixNano() };
  const result: ExchangeResult = {
    times,
    headers: {},
    body: Buffer.alloc(0),
    bodyTruncated: false,
    bodyBytes: 0,
    newConnection: true,
  };
  const isIp = net.isIP(req.address) !== 0;
  const lookup: net.LookupFunction = (hostname, options, cb) => {
    times.dnsStart = nowUnixNano();
    dns.lookup(hostname, options, (err, address, family) => {
      times.dnsEnd = nowUnixNano();
      (cb as (e: Error | null, a: string | dns.LookupAddress[], f?: number) => void)(err, address as string, family);
    });
  };
  const options: https.RequestOptions & { secureContext?: tls.SecureContext } = {
    host: req.address,
    port: req.port,
    method: req.method,
    path: req.path,
    headers: { ...req.headers, host: req.host },
    agent: req.agent ?? false,
    lookup: isIp ? undefined : lookup,
    signal: req.signal,
  };
  if (req.scheme === 'https') {
    options.servername = net.isIP(req.host) ? undefined : req.host;
    options.rejectUnauthorized = !req.insecure;
    if (req.ca?.length) options.secureContext = secureContextFor(req.ca);
  }
  return new Promise((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    const finish = (error?: { code: string; message: string }) => {
      if (settled) return;
      settled = true;
      times.end ??= nowUnixNano();
      if (error) result.error = error;
      result.body = Buffer.concat(chunks);
      resolve(result);
    };
    const r = (req.scheme === 'https' ? https : http).request(options, (res) => {
      times.firstByte ??= nowUnixNano();
      result.status = res.statusCode;
      result.statusMessage = res.statusMessage;
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) result.headers[k] = Array.isArray(v) ? v.join(', ') : v;
      let kept = 0;
      res.on('data', (c: Buffer) => {
        result.bodyBytes += c.length;
        if (kept < MAX_BODY_BYTES) {
          const part = c.subarray(0, MAX_BODY_BYTES - kept);
          chunks.push(part);
          kept += part.length;
        }
        if (result.bodyBytes > MAX_BODY_BYTES) result.bodyTruncated = true;
      });
      res.on('end', () => {
        times.end = nowUnixNano();
        finish();
      });
      res.on('error', (e: NodeJS.ErrnoException) => finish({ code: e.code ?? 'ERESPONSE', message: e.message }));
      res.on('aborted', () =>
        finish({ code: 'ECONNRESET', message: 'the connection closed before the response ended' }),
      );
    });
    r.setTimeout(req.timeoutMs, () =>
      r.destroy(Object.assign(new Error(`no complete answer within ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
    );
    r.on('socket', (socket: net.Socket) => {
      if (req.agent && !socket.connecting) {
        // An idle connection from the agent's pool: it is already open (and its TLS done).
        result.newConnection = false;
        times.requestStart = nowUnixNano();
        Object.assign(result, {
          remoteAddress: socket.remoteAddress,
          remotePort: socket.remotePort,
          localAddress: socket.localAddress,
          localPort: socket.localPort,
        });
        return;
      }
      times.connectStart = isIp ? nowUnixNano() : undefined;
      socket.once('lookup', () => {
        times.connectStart = nowUnixNano();
      });
      socket.once('connect', () => {
        times.connectEnd = nowUnixNano();
        result.remoteAddress = socket.remoteAddress;
        result.remotePort = socket.remotePort;
        result.localAddress = socket.localAddress;
        result.localPort = socket.localPort;
      });
      socket.once('secureConnect', () => {
        times.tlsEnd = nowUnixNano();
        const t = socket as tls.TLSSocket;
        const cipher = t.getCipher?.();
        result.tls = {
          protocol: t.getProtocol?.() ?? undefined,
          cipher: cipher?.name,
          authorized: t.authorized,
          authorizationError: t.authorizationError ? String(t.authorizationError) : undefined,
          peerSubject: t.getPeerCertificate?.()?.subject?.CN as string | undefined,
        };
      });
    });
    r.on('finish', () => {
      times.requestEnd = nowUnixNano();
    });
    r.on('error', (e: NodeJS.ErrnoException) =>
      finish({ code: e.code ?? (e.name === 'AbortError' ? 'ABORT_ERR' : 'EREQUEST'), message: e.message }),
    );
    r.end(req.body);
  });
}

// Parsing the ~140 system roots costs tens of milliseconds; build each CA set's context once per process so
// the probe measures the network, not certificate parsing.
const contexts = new Map<string, tls.SecureContext>();
// A burst passes one CA list for all its requests: hashing it again per request cost more than the request's spans.
const byList = new WeakMap<(string | Buffer)[], tls.SecureContext>();
function secureContextFor(ca: (string | Buffer)[]): tls.SecureContext {
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
