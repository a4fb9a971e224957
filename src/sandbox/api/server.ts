// The HTTPS server: authentication, routing, RBAC, then the handlers. WebSocket upgrades (portforward,
// exec) take the same path through auth and RBAC before switching protocols.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { type Ca, type IssuedCert, createCa, issueCert } from '../certs';
import type { LogStore } from '../logs';
import type { KubeObject, ObjectStore } from '../store';
import { type Tokens, type User, authenticate, authorize, selfSubjectAccessReview } from './auth';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery';
import { EXEC_PROTOCOLS, type ExecResolver, serveExec } from './exec';
import { handleLog } from './log';
import { PORTFORWARD_PROTOCOLS, parsePorts, servePortForward } from './portforward';
import { proxyPod, proxyService } from './proxy';
import { handleGet, handleList } from './resources';
import { type Route, route } from './router';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notFound,
  pathNotFound,
  rejectUpgrade,
  sendJson,
  sendStatus,
  unauthorized,
  type Status,
} from './status';
import { handleWatch } from './watch';
import { boolParam } from './query';
import { ownsPort, portMap, realPort } from '../port-map';

export interface ApiServerOptions {
  store: ObjectStore;
  logs: LogStore;
  host?: string;
  /** 0 (default): a free port. A test that restarts the server passes the port it had. */
  port?: number;
  ca?: Ca;
  serverCert?: IssuedCert;
  restrictedNamespace?: string;
  adminToken?: string;
  restrictedToken?: string;
  execResolver?: ExecResolver;
  /** The Authorization the service/pod proxy sends to an endpoint (the trace store's token), if any. */
  proxyAuth?: (ip: string, port: number) => string | undefined;
}

export interface ApiServer {
  url: string;
  adminToken: string;
  restrictedToken: string;
  restrictedNamespace: string;
  caPem: string;
  ca: Ca;
  setExecResolver(r: ExecResolver | undefined): void;
  close(): Promise<void>;
}

const VERB_BY_METHOD: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
  OPTIONS: 'get',
};

type ResourceRoute = Extract<Route, { type: 'resource' }>;

function verbOf(method: string, r: ResourceRoute, watch: boolean): string {
  if (r.subresource) return VERB_BY_METHOD[method] ?? 'get';
  if (method === 'GET' || method === 'HEAD') return watch ? 'watch' : r.name ? 'get' : 'list';
  if (method === 'DELETE' && !r.name) return 'deletecollection';
  return VERB_BY_METHOD[method] ?? method.toLowerCase();
}

const isWatch = (r: ResourceRoute, q: URLSearchParams) => r.watchPrefix || boolParam(q, 'watch');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) throw new ApiError(badRequest('request body too large'));
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch (e) {
    throw new ApiError(
      badRequest(
        `the body of the request was in an unknown format - accepted media types include: application/json: ${(e as Error).message}`,
      ),
    );
  }
}

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const host = o.host ?? '127.0.0.1';
  const ca = o.ca ?? (await createCa());
  const cert = o.serverCert ?? (await issueCert(ca, [...new Set([host, '127.0.0.1', 'localhost'])]));
  const tokens: Tokens = {
    admin: o.adminToken ?? randomBytes(24).toString('base64url'),
    restricted: o.restrictedToken ?? randomBytes(24).toString('base64url'),
    restrictedNamespace: o.restrictedNamespace ?? 'shop',
  };
  let execResolver = o.execResolver;
  const { store, logs } = o;
  let address = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const q = url.searchParams;
    const user = authenticate(req, tokens);
    if (!user) return sendStatus(res, unauthorized());
    const method = req.method ?? 'GET';
    const r = route(url.pathname);
    const getOnly = (body: () => unknown) =>
      method === 'GET' ? sendJson(res, 200, body()) : sendStatus(res, methodNotAllowed());
    switch (r.type) {
      case 'version':
        return getOnly(versionInfo);
      case 'health':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return;
      case 'apiVersions':
        return getOnly(() => apiVersions(address));
      case 'groups':
        return getOnly(apiGroupList);
      case 'group': {
        const g = apiGroupDoc(r.group);
        return g ? getOnly(() => g) : sendStatus(res, pathNotFound());
      }
      case 'resourceList': {
        const l = apiResourceList(r.group, r.version);
        return l ? getOnly(() => l) : sendStatus(res, pathNotFound());
      }
      case 'ssar':
        if (method !== 'POST') return sendStatus(res, methodNotAllowed());
        return sendJson(res, 201, selfSubjectAccessReview(user, await readJson(req)));
      case 'notFound':
        return sendStatus(res, pathNotFound());
    }
    const watch = isWatch(r, q);
    const proxy = r.subresource === 'proxy';
    if (method !== 'GET' && !proxy) {
      if ((r.subresource === 'portforward' || r.subresource === 'exec') && method === 'POST')
        return sendStatus(res, badRequest('Upgrade request required'));
      return sendStatus(res, methodNotAllowed());
    }
    const denied = authorize(user, {
      verb: verbOf(method, r, watch),
      group: r.res.group,
      resource: r.res.plural,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
    });
    if (denied) return sendStatus(res, denied);
    if (r.subresource) return subresource(req, res, r, url);
    if (r.name && !watch) return handleGet(req, res, store, r.res, r.namespace, r.name, q);
    if (watch) {
      // A watch on one object: /watch/namespaces/ns/pods/name.
      if (r.name) q.set('fieldSelector', [q.get('fieldSelector'), `metadata.name=${r.name}`].filter(Boolean).join(','));
      return handleWatch(req, res, store, r.res, r.namespace, q);
    }
    return handleList(req, res, store, r.res, r.namespace, q);
  }

  function subresource(req: IncomingMessage, res: ServerResponse, r: ResourceRoute, url: URL): void {
    const ns = r.namespace ?? '';
    if (r.res.plural === 'services' && r.subresource === 'proxy')
      return proxyService(req, res, store, ns, r.name!, r.subpath, url.search, o.proxyAuth);
    if (r.res.plural === 'pods' && r.subresource === 'proxy')
      return proxyPod(req, res, store, ns, r.name!, r.subpath, url.search, o.proxyAuth);
    if (r.res.plural === 'pods' && r.subresource === 'log') {
      const pod = store.get('Pod', ns, r.name!);
      if (!pod) return sendStatus(res, notFound('pods', '', r.name!));
      return handleLog(req, res, logs, pod, url.searchParams);
    }
    if (r.res.plural === 'pods' && (r.subresource === 'portforward' || r.subresource === 'exec'))
      return sendStatus(res, badRequest('Upgrade request required'));
    sendStatus(res, pathNotFound());
  }

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered: Set<string>, req: IncomingMessage) => {
      const wanted = /\/exec$/.test(new URL(req.url ?? '/', 'https://x').pathname)
        ? EXEC_PROTOCOLS
        : PORTFORWARD_PROTOCOLS;
      return wanted.find((p) => offered.has(p)) ?? false;
    },
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const fail = (s: Status) => rejectUpgrade(socket, s);
    const url = new URL(req.url ?? '/', 'https://sandbox');
    const user: User | undefined = authenticate(req, tokens);
    if (!user) return fail(unauthorized());
    const r = route(url.pathname);
    if (
      r.type !== 'resource' ||
      r.res.plural !== 'pods' ||
      !r.name ||
      (r.subresource !== 'portforward' && r.subresource !== 'exec')
    )
      return fail(pathNotFound());
    const denied = authorize(user, {
      verb: 'get',
      group: '',
      resource: 'pods',
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
    });
    if (denied) return fail(denied);
    const pod = store.get('Pod', r.namespace, r.name);
    if (!pod) return fail(notFound('pods', '', r.name));
    const podIP = (pod.status as { podIP?: string } | undefined)?.podIP;
    const q = url.searchParams;
    if (r.subresource === 'portforward') {
      // kubectl tunnels SPDY/3.1 (over WebSocket since 1.31, or as its own upgrade); only the WebSocket channel
      // protocol client libraries use is served. Sandbox pods listen on loopback, so say how to reach one.
      if (/SPDY\/3\.1/i.test(`${req.headers['sec-websocket-protocol'] ?? ''} ${req.headers.upgrade ?? ''}`)) {
        // In single-address mode the pod's ports are not the declared ones (port-map.ts); kubectl's SPDY request
        // does not say which it wants, so name them all.
        const map = [...portMap(pod)].map(([d, r]) => `port ${d} is ${r}`).join(', ');
        const where = map ? `${podIP} (${map})` : podIP;
        const at = podIP ? `connect to the pod at ${where} directly` : 'connect to the pod address directly';
        return fail(
          badRequest(
            `the sandbox does not speak SPDY, which kubectl port-forward tunnels; its pods listen on this machine's ` +
              `loopback addresses, so ${at} (kubetrace probe --via port-forward uses the WebSocket protocol, which is served)`,
          ),
        );
      }
      const ports = parsePorts(q);
      if (!ports) return fail(badRequest('query parameter "ports" is required and must hold port numbers'));
      if (!podIP) return fail(badRequest(`pod ${r.name} does not have a host assigned`));
      const stranger = ports.find((p) => !ownsPort(pod, p));
      if (stranger !== undefined) return fail(badRequest(`pod ${r.name} does not listen on port ${stranger}`));
      // A declared port reaches the real one in single-address mode (src/sandbox/port-map.ts).
      wss.handleUpgrade(req, socket, head, (ws) =>
        servePortForward(ws, podIP, r.name!, ports, (p) => realPort(pod, p)),
      );
      return;
    }
    const command = q.getAll('command');
    if (!command.length) return fail(badRequest('you must specify at least 1 command'));
    const containers = ((pod.spec as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
    const container = q.get('container') || (containers.length === 1 ? containers[0] : '');
    if (!containers.includes(container))
      return fail(
        badRequest(
          container
            ? `container ${container} is not valid for pod ${r.name}`
            : `a container name must be specified for pod ${r.name}, choose one of: [${containers.join(' ')}]`,
        ),
      );
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveExec(
        ws,
        { pod: pod as KubeObject, container, command, stdin: boolParam(q, 'stdin') || q.get('input') === '1' },
        execResolver,
      ),
    );
  }

  const server: Server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const s =
        e instanceof ApiError
          ? e.status
          : ({ ...badRequest(String((e as Error)?.message ?? e)), code: 500, reason: 'InternalError' } as Status);
      if (!res.headersSent) sendStatus(res, s);
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      upgrade(req, socket, head);
    } catch (e) {
      rejectUpgrade(socket, e instanceof ApiError ? e.status : badRequest(String(e)));
    }
  });
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  address = `${host}:${port}`;

  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    adminToken: tokens.admin,
    restrictedToken: tokens.restricted,
    restrictedNamespace: tokens.restrictedNamespace,
    caPem: ca.certPem,
    ca,
    setExecResolver(r) {
      execResolver = r;
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
