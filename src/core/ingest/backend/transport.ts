// A Transport straight to a URL (node:http / node:https), for `kubetrace.traceBackend: https://...`.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Transport, TransportResponse } from './types';

export interface UrlTransportOptions {
  /** PEM CA bundle for https. */
  ca?: string | Buffer;
  /** Skip TLS verification. */
  insecure?: boolean;
  /** Largest body accepted (default 256 MiB). */
  maxBodyBytes?: number;
}

export function urlTransport(baseUrl: string, opts: UrlTransportOptions = {}): Transport {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`unsupported URL scheme ${base.protocol} (use http or https)`);
  const prefix = base.pathname.replace(/\/+$/, '');
  // user:pass in the URL becomes Basic auth; it is never logged.
  const auth = base.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`
    : undefined;
  const max = opts.maxBodyBytes ?? 256 * 1024 * 1024;
  const doRequest = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return (path, init) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const signal = init?.signal;
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const headers: Record<string, string> = { ...(init?.headers ?? {}) };
      if (auth && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) headers.authorization = auth;
      const req = doRequest(
        {
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || undefined,
          path: prefix + (path.startsWith('/') ? path : `/${path}`),
          method: 'GET',
          headers,
          ...(base.protocol === 'https:' ? { ca: opts.ca, rejectUnauthorized: !opts.insecure } : {}),
        },
        (res) => {
          const parts: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > max) {
              req.destroy(new Error(`the answer is larger than ${max} bytes`));
              return;
            }
            parts.push(c);
          });
          res.on('end', () => {
            // A body cut short (connection closed early) ends without `complete`.
            if (!res.complete) {
              reject(new Error('the connection closed before the whole answer arrived'));
              return;
            }
            resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body: Buffer.concat(parts) });
          });
          res.on('error', reject);
          res.on('aborted', () => reject(new Error('the connection closed before the whole answer arrived')));
        },
      );
      const onAbort = () => req.destroy(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e) => {
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      });
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.end();
    });
}

function flatHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function abortError(): Error {
  const e = new Error('the request was aborted');
  e.name = 'AbortError';
  return e;
}
