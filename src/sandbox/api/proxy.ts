// services/[https:]{name}[:{port}]/proxy/{path} and pods/{name}[:{port}]/proxy/{path}: an HTTP proxy to a
// ready endpoint (service port by number or name → the EndpointSlice port → endpoint IP:port). Bodies stream
// both ways; headers pass through except Authorization and hop-by-hop ones.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeObject, ObjectStore } from '../store';
import { notFound, sendStatus, serviceUnavailable } from './status';
import { ownsPort, realPort } from '../port-map';

const HOP = new Set([
  'authorization',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** `https:orders:80` → scheme, name, port (port and scheme optional). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } {
  const parts = id.split(':');
  if (parts.length === 3) return { scheme: parts[0], name: parts[1], port: parts[2] };
  if (parts.length === 2 && (parts[0] === 'http' || parts[0] === 'https'))
    return { scheme: parts[0], name: parts[1], port: '' };
  return { scheme: '', name: parts[0], port: parts[1] ?? '' };
}

/** The Authorization the proxy itself sends to an endpoint (ip, port), or undefined. */
export type ProxyAuth = (ip: string, port: number) => string | undefined;

interface SvcPort {
  name?: string;
  port: number;
}

/** A ready endpoint `ip:port` of the service port, picked round-robin. */
function serviceEndpoint(store: ObjectStore, svc: KubeObject, portStr: string): { ip: string; port: number } | string {
  const ports = (svc.spec as { ports?: SvcPort[] }).ports ?? [];
  const sp = portStr === '' ? ports[0] : ports.find((p) => String(p.port) === portStr || p.name === portStr);
  if (!sp) return `no service port ${JSON.stringify(portStr)} found for service "${svc.metadata.name}"`;
  const candidates: { ip: string; port: number }[] = [];
  for (const sl of store.list('EndpointSlice', svc.metadata.namespace)) {
    if (sl.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
    const p = ((sl.ports as { name?: string; port?: number }[] | null) ?? []).find(
      (x) => (x.name ?? '') === (sp.name ?? ''),
    );
    if (!p?.port) continue;
    for (const e of (sl.endpoints as { addresses: string[]; conditions?: { ready?: boolean } }[]) ?? []) {
      if (e.conditions?.ready !== false) candidates.push({ ip: e.addresses[0], port: p.port });
    }
  }
  if (!candidates.length) return `no endpoints available for service "${svc.metadata.name}"`;
  return candidates[rr++ % candidates.length];
}
let rr = 0;

export function proxyService(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  namespace: string,
  id: string,
  subpath: string,
  search: string,
  auth?: ProxyAuth,
): void {
  const { scheme, name, port } = splitSchemeNamePort(id);
  const svc = store.get('Service', namespace, name);
  if (!svc) return sendStatus(res, notFound('services', '', name));
  const ep = serviceEndpoint(store, svc, port);
  if (typeof ep === 'string') return sendStatus(res, serviceUnavailable(ep));
  forward(req, res, scheme === 'https', ep.ip, ep.port, subpath, search, auth);
}

export function proxyPod(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  namespace: string,
  id: string,
  subpath: string,
  search: string,
  auth?: ProxyAuth,
): void {
  const { scheme, name, port } = splitSchemeNamePort(id);
  const pod = store.get('Pod', namespace, name);
  if (!pod) return sendStatus(res, notFound('pods', '', name));
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (!ip) return sendStatus(res, serviceUnavailable(`pod "${name}" has no IP address`));
  // A declared number reaches the real port in single-address mode (src/sandbox/port-map.ts).
  let num = realPort(pod, Number(port || 80));
  if (!Number.isInteger(num)) {
    const named = (
      (pod.spec as { containers?: { ports?: { name?: string; containerPort: number }[] }[] }).containers ?? []
    )
      .flatMap((c) => c.ports ?? [])
      .find((p) => p.name === port);
    if (!named) return sendStatus(res, serviceUnavailable(`no port named "${port}" in pod "${name}"`));
    num = named.containerPort;
  }
  if (!ownsPort(pod, num)) return sendStatus(res, serviceUnavailable(`pod "${name}" does not listen on port ${num}`));
  forward(req, res, scheme === 'https', ip, num, subpath, search, auth);
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  tls: boolean,
  host: string,
  port: number,
  subpath: string,
  search: string,
  auth?: ProxyAuth,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
  headers.host = `${host}:${port}`;
  // The caller's Authorization never passes; the API server's own, for endpoints that require one, does.
  const own = auth?.(host, port);
  if (own) headers.authorization = own;
  const path = `/${subpath.replace(/^\/+/, '')}${search}`;
  const opts = { host, port, method: req.method, path, headers, rejectUnauthorized: false };
  const up = (tls ? httpsRequest : httpRequest)(opts, (ur) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
    res.writeHead(ur.statusCode ?? 502, out);
    ur.pipe(res);
  });
  up.on('error', (e) => {
    if (!res.headersSent)
      sendStatus(res, serviceUnavailable(`error trying to reach service: dial tcp ${host}:${port}: ${e.message}`));
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
}
