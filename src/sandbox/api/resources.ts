// get and list: selectors, limit/continue paging, and the representations clients ask for
// (plain objects, server-side Table, PartialObjectMetadata).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ObjectStore } from '../store';
import { type ResourceDef, groupVersion } from './kinds';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, badRequest, notFound, sendJson, sendStatus } from './status';
import { type IncludeObject, toTable } from './table';

export interface Representation {
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  metaVersion: string;
}

/** The first media type in Accept that this server can produce. */
export function negotiate(accept: string | undefined): Representation {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim())));
    if (!p.as) return { metaVersion: 'v1' };
    if (p.g === 'meta.k8s.io' && ['Table', 'PartialObjectMetadata', 'PartialObjectMetadataList'].includes(p.as)) {
      return { as: p.as, metaVersion: p.v === 'v1beta1' ? 'v1beta1' : 'v1' };
    }
  }
  return { metaVersion: 'v1' };
}

export function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v)
    throw new ApiError(
      badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`),
    );
  return 'Metadata';
}

/** Objects of a kind in scope (one namespace or all), filtered by the request's selectors. */
export function selectObjects(
  store: ObjectStore,
  res: ResourceDef,
  namespace: string | undefined,
  q: URLSearchParams,
): KubeObject[] {
  const byLabel = parseLabelSelector(q.get('labelSelector'));
  const byField = parseFieldSelector(q.get('fieldSelector'), res.kind);
  return store.list(res.kind, res.namespaced ? namespace : undefined).filter((o) => byLabel(o) && byField(o));
}

const sortKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v === 'meta.k8s.io/v1' && typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch {
    /* reported below */
  }
  throw new ApiError(
    badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'),
  );
}

export interface Page {
  items: KubeObject[];
  meta: Record<string, unknown>;
}

/** One page of a list, after `continue` and up to `limit`; the token names the last key served. */
export function paginate(all: KubeObject[], q: URLSearchParams, currentRv: number, selectorsUsed: boolean): Page {
  const limit = Number(q.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit < 0)
    throw new ApiError(badRequest(`limit: Invalid value: "${q.get('limit')}"`));
  const cont = q.get('continue');
  let rv = currentRv;
  let items = all;
  if (cont) {
    const t = decodeContinue(cont);
    rv = t.rv;
    items = all.filter((o) => sortKey(o) > t.start);
  }
  const meta: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: sortKey(page[page.length - 1]) };
    meta.continue = Buffer.from(JSON.stringify(token)).toString('base64url');
    if (!selectorsUsed) meta.remainingItemCount = items.length - limit;
    items = page;
  }
  return { items, meta };
}

/** The wire form of an object (lists leave out each item's kind and apiVersion, as the API server does). */
const bare = (o: KubeObject): Omit<KubeObject, 'kind' | 'apiVersion'> => {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
};

export function handleList(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  r: ResourceDef,
  namespace: string | undefined,
  q: URLSearchParams,
): void {
  const all = selectObjects(store, r, namespace, q);
  const page = paginate(all, q, store.resourceVersion, !!(q.get('labelSelector') || q.get('fieldSelector')));
  const rep = negotiate(req.headers.accept);
  if (rep.as === 'Table') {
    sendJson(
      res,
      200,
      toTable(r.kind, page.items, {
        apiVersion: `meta.k8s.io/${rep.metaVersion}`,
        includeObject: includeObjectParam(q),
        listMeta: page.meta,
      }),
    );
  } else if (rep.as === 'PartialObjectMetadataList' || rep.as === 'PartialObjectMetadata') {
    sendJson(res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${rep.metaVersion}`,
      metadata: page.meta,
      items: page.items.map((o) => ({
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${rep.metaVersion}`,
        metadata: o.metadata,
      })),
    });
  } else {
    sendJson(res, 200, {
      kind: `${r.kind}List`,
      apiVersion: groupVersion(r),
      metadata: page.meta,
      items: page.items.map(bare),
    });
  }
}

export function handleGet(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  r: ResourceDef,
  namespace: string | undefined,
  name: string,
  q: URLSearchParams,
): void {
  const obj = store.get(r.kind, r.namespaced ? namespace : undefined, name);
  if (!obj) return sendStatus(res, notFound(r.plural, r.group, name));
  const rep = negotiate(req.headers.accept);
  if (rep.as === 'Table') {
    sendJson(
      res,
      200,
      toTable(r.kind, [obj], {
        apiVersion: `meta.k8s.io/${rep.metaVersion}`,
        includeObject: includeObjectParam(q),
        listMeta: { resourceVersion: obj.metadata.resourceVersion },
      }),
    );
  } else if (rep.as === 'PartialObjectMetadata') {
    sendJson(res, 200, {
      kind: 'PartialObjectMetadata',
      apiVersion: `meta.k8s.io/${rep.metaVersion}`,
      metadata: obj.metadata,
    });
  } else {
    sendJson(res, 200, obj);
  }
}
