// Splits an API path into what it addresses: a discovery document, or a resource (namespaced or not,
// possibly one object, possibly a subresource with a trailing path as services/x/proxy/<path> has).
import { type ResourceDef, findResource } from './kinds';

export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'apiVersions' }
  | { type: 'groups' }
  | { type: 'group'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | { type: 'ssar' }
  | {
      type: 'resource';
      res: ResourceDef;
      namespace?: string;
      name?: string;
      subresource?: string;
      subpath: string;
      watchPrefix: boolean;
    }
  | { type: 'notFound' };

export function route(pathname: string): Route {
  if (pathname === '/version' || pathname === '/version/') return { type: 'version' };
  if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(pathname)) return { type: 'health' };
  const raw = pathname.split('/').slice(1);
  if (raw[raw.length - 1] === '' && raw.length > 1) raw.pop();
  let seg: string[];
  try {
    seg = raw.map(decodeURIComponent);
  } catch {
    return { type: 'notFound' };
  }
  let group: string, version: string, rest: string[], restStart: number;
  if (seg[0] === 'api') {
    if (seg.length === 1) return { type: 'apiVersions' };
    if (seg[1] !== 'v1') return { type: 'notFound' };
    group = '';
    version = 'v1';
    rest = seg.slice(2);
    restStart = 2;
  } else if (seg[0] === 'apis') {
    if (seg.length === 1) return { type: 'groups' };
    if (seg.length === 2) return { type: 'group', group: seg[1] };
    group = seg[1];
    version = seg[2];
    rest = seg.slice(3);
    restStart = 3;
  } else return { type: 'notFound' };
  if (!rest.length) return { type: 'resourceList', group, version };
  if (
    group === 'authorization.k8s.io' &&
    version === 'v1' &&
    rest.length === 1 &&
    rest[0] === 'selfsubjectaccessreviews'
  )
    return { type: 'ssar' };
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
    restStart++;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
    restStart += 2;
  }
  const res = findResource(group, rest[0]);
  if (!res || res.version !== version) return { type: 'notFound' };
  if (namespace !== undefined && !res.namespaced) return { type: 'notFound' };
  const name = rest[1];
  const subresource = rest[2];
  // The proxy's trailing path keeps its exact form (encoding, trailing slash) from the raw path.
  const subpath = pathname
    .split('/')
    .slice(1 + restStart + 3)
    .join('/');
  return { type: 'resource', res, namespace, name, subresource, subpath, watchPrefix };
}
