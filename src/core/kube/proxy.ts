// A transport through the API server's service proxy: how Kubetrace reads in-cluster trace backends.
import type { KubeRequester } from './request';

export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}
export type Transport = (
  path: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<TransportResponse>;

export function serviceProxyTransport(
  api: KubeRequester,
  ns: string,
  service: string,
  port: number | string,
  scheme: 'http' | 'https' = 'http',
): Transport {
  const prefix =
    `/api/v1/namespaces/${encodeURIComponent(ns)}` +
    `/services/${scheme === 'https' ? 'https:' : ''}${encodeURIComponent(service)}:${port}/proxy`;
  return async (path, init) => {
    const url = new URL(path, 'http://x');
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const res = await api.request({
      path: prefix + url.pathname,
      query,
      headers: init?.headers,
      signal: init?.signal,
      timeoutMs: 10_000,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.status, headers, body: res.body };
  };
}
