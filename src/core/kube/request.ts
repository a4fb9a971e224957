// Raw requests to the API server with client-node's auth, TLS and proxy settings. Raw JSON keeps paging
// and Status errors simple and lets one code path serve lists, logs and the service proxy.
import * as http from 'node:http';
import * as https from 'node:https';
import type { LoadedKubeconfig } from './load';
import { KubeApiError, connectionError, statusError } from './errors';
import { redactForeign } from '../redact';

export interface KubeRequest {
  method?: string;
  path: string; // starts with /
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface KubeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Methods that change nothing, so that sending one twice is harmless. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class KubeRequester {
  private agent?: https.Agent;
  constructor(readonly config: LoadedKubeconfig) {}

  private async options(): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {};
    try {
      await this.config.kc.applyToHTTPSOptions(opts as never);
    } catch (e) {
      // client-node rejects a failing exec plugin with its stderr as the message, which may be empty, and may
      // hold a token (a plugin that prints its credential on the wrong stream): only a redacted first line is kept.
      const line = (e as Error)?.message
        ?.split('\n')
        .find((l) => l.trim())
        ?.trim();
      const first = line && redactForeign(line).slice(0, 300);
      const plugin = this.config.kc.getCurrentUser()?.exec?.command;
      throw new KubeApiError(
        `cannot authenticate to the cluster: ${first ?? (plugin ? `the exec plugin ${plugin} failed without a message` : 'no reason')}`,
        "check the user's credentials or exec plugin in the kubeconfig (kubectl config view)",
        0,
        'AuthConfig',
      );
    }
    // One keep-alive agent per requester: polls and pages reuse their TLS connection instead of a handshake
    // each. Behind a proxy-url, client-node's own proxy agent is kept.
    if (!this.proxyUrl() && this.config.server.startsWith('https:')) {
      const o = opts as https.RequestOptions & { pfx?: unknown; passphrase?: string };
      this.agent ??= new https.Agent({
        keepAlive: true,
        maxSockets: 16,
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        pfx: o.pfx as never,
        passphrase: o.passphrase,
        rejectUnauthorized: o.rejectUnauthorized,
        servername: o.servername,
      });
      opts.agent = this.agent;
    }
    return opts;
  }

  private proxyUrl(): string | undefined {
    const p = this.config.kc.getCurrentCluster()?.proxyUrl;
    return typeof p === 'string' && p ? p : undefined;
  }

  private hasClientCert(): boolean {
    const u = this.config.kc.getCurrentUser();
    return !!(u?.certData || u?.certFile);
  }

  url(path: string, query?: KubeRequest['query']): URL {
    const base = new URL(this.config.server);
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Opens the response as a stream (logs with follow, watches). The caller consumes `res`. */
  async stream(req: KubeRequest, retried = false): Promise<http.IncomingMessage> {
    const url = this.url(req.path, req.query);
    const opts = await this.options();
    const mod = url.protocol === 'http:' ? http : https;
    const method = req.method ?? 'GET';
    return new Promise((resolve, reject) => {
      const r = mod.request(
        url,
        { ...opts, method, headers: { ...(opts.headers ?? {}), ...(req.headers ?? {}) }, signal: req.signal },
        resolve,
      );
      r.on('error', (e) => {
        // A kept-alive connection that the server closed just as this request went out on it: no answer came, so a
        // read is sent once more on a new connection (Node's documented case for a retry). A write never is.
        const reset = (e as NodeJS.ErrnoException).code === 'ECONNRESET' && r.reusedSocket;
        if (reset && !retried && SAFE.has(method) && !req.signal?.aborted) {
          this.stream(req, true).then(resolve, reject);
          return;
        }
        reject(connectionError(e, this.config.server, this.proxyUrl(), this.hasClientCert()));
      });
      if (req.timeoutMs)
        r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
      r.end(req.body);
    });
  }

  async request(req: KubeRequest): Promise<KubeResponse> {
    const res = await this.stream(req);
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) chunks.push(c as Buffer);
    } catch (e) {
      throw connectionError(e as Error, this.config.server, this.proxyUrl(), this.hasClientCert());
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** GET (or other) expecting JSON; non-2xx answers become KubeApiError with the Status message. */
  async json<T>(req: KubeRequest): Promise<T> {
    const res = await this.request({ ...req, headers: { accept: 'application/json', ...(req.headers ?? {}) } });
    if (res.status < 200 || res.status >= 300) throw statusError(res.status, res.body, req.path, this.config);
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new KubeApiError(
        `the API server sent a body that is not JSON for ${req.path}`,
        undefined,
        res.status,
        'BadBody',
      );
    }
  }
}
