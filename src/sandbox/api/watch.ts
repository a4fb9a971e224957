// Watch: a chunked stream of JSON lines {"type","object"}. Without a resourceVersion (or with "0") it starts
// with ADDED for every current object; with one it replays the store's history after it (410 Expired when
// that is older than the history kept). Objects moving in or out of a selector become ADDED or DELETED.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ObjectStore, StoreChange } from '../store';
import type { ResourceDef } from './kinds';
import { includeObjectParam, negotiate } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, badRequest, expired } from './status';
import { toTable } from './table';
import { boolParam } from './query';

const MAX_TIMEOUT_S = 1800;
const BOOKMARK_EVERY_MS = 30_000;

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function handleWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  r: ResourceDef,
  namespace: string | undefined,
  q: URLSearchParams,
): void {
  const byLabel = parseLabelSelector(q.get('labelSelector'));
  const byField = parseFieldSelector(q.get('fieldSelector'), r.kind);
  const ns = r.namespaced ? namespace : undefined;
  const inScope = (o: KubeObject) => o.kind === r.kind && (ns === undefined || o.metadata.namespace === ns);
  const matches = (o: KubeObject) => byLabel(o) && byField(o);
  const rep = negotiate(req.headers.accept);
  const includeObject = includeObjectParam(q);
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam && !/^\d+$/.test(rvParam))
    throw new ApiError(badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`));
  const timeoutS = Math.min(Number(q.get('timeoutSeconds') ?? MAX_TIMEOUT_S) || MAX_TIMEOUT_S, MAX_TIMEOUT_S);
  const bookmarks = boolParam(q, 'allowWatchBookmarks');

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  let first = true;
  const send = (type: string, object: unknown) => {
    let obj = object;
    if (rep.as === 'Table' && type !== 'ERROR' && type !== 'BOOKMARK') {
      obj = toTable(r.kind, [object as KubeObject], {
        apiVersion: `meta.k8s.io/${rep.metaVersion}`,
        includeObject,
        noHeaders: !first,
        listMeta: { resourceVersion: (object as KubeObject).metadata.resourceVersion },
      });
      first = false;
    }
    // A write after the watch ended (timeout, client gone) would be an unhandled 'error' that kills the server.
    if (res.writableEnded || res.destroyed) return;
    res.write(`${JSON.stringify({ type, object: obj })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', {
      kind: r.kind,
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) },
    });

  const visible = new Set<string>();
  const onChange = (c: StoreChange) => {
    if (!inScope(c.object)) return;
    const key = keyOf(c.object),
      was = visible.has(key),
      now = c.type !== 'DELETED' && matches(c.object);
    if (c.type === 'DELETED') {
      if (was || matches(c.object)) {
        visible.delete(key);
        send('DELETED', c.object);
      }
      return;
    }
    if (now) {
      visible.add(key);
      send(was ? 'MODIFIED' : 'ADDED', c.object);
    } else if (was) {
      visible.delete(key);
      send('DELETED', c.object);
    }
  };

  const rv = Number(rvParam || 0);
  if (rv === 0) {
    for (const o of store.list(r.kind, ns))
      if (matches(o)) {
        visible.add(keyOf(o));
        send('ADDED', o);
      }
    if (bookmarks && boolParam(q, 'sendInitialEvents')) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const oldest = store.history.length ? store.history[0].resourceVersion : store.resourceVersion + 1;
    if (rv < oldest - 1 && rv < store.resourceVersion) {
      send('ERROR', expired(`too old resource version: ${rv} (${oldest - 1})`));
      res.end();
      return;
    }
    // What the client saw at `rv` is unknown here; today's matches are the best stand-in for it.
    for (const o of store.list(r.kind, ns)) if (matches(o)) visible.add(keyOf(o));
    for (const c of store.history) if (c.resourceVersion > rv) onChange(c);
  }

  store.on('change', onChange);
  const timers: NodeJS.Timeout[] = [];
  const stop = () => {
    store.off('change', onChange);
    for (const t of timers) clearTimeout(t);
  };
  timers.push(
    setTimeout(() => {
      stop();
      res.end();
    }, timeoutS * 1000),
  );
  if (bookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_EVERY_MS));
  res.on('error', stop);
  res.on('close', stop);
  req.on('close', stop);
}
