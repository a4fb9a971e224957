// Bearer-token authentication and the RBAC of the two users: the admin may do anything; the restricted
// service account may read a fixed set of resources in one namespace (a Role bound there, nothing cluster-wide).
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { forbidden, type Status } from './status';

export interface User {
  name: string;
  admin: boolean;
  namespace?: string;
}

export interface Tokens {
  admin: string;
  restricted: string;
  restrictedNamespace: string;
}

const RESTRICTED_RULES: Record<string, string[]> = {
  pods: ['get', 'list', 'watch'],
  'pods/log': ['get'],
  'pods/portforward': ['get', 'create'],
  services: ['get', 'list', 'watch'],
  'services/proxy': ['get', 'create', 'update', 'patch', 'delete'],
  endpointslices: ['get', 'list', 'watch'],
  ingresses: ['get', 'list', 'watch'],
  httproutes: ['get', 'list', 'watch'],
};
const RESTRICTED_GROUPS: Record<string, string> = {
  pods: '',
  services: '',
  endpointslices: 'discovery.k8s.io',
  ingresses: 'networking.k8s.io',
  httproutes: 'gateway.networking.k8s.io',
};

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The token from `Authorization: Bearer`, or from the WebSocket subprotocol browsers use for it. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (m) return m[1];
  for (const p of String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())) {
    const prefix = 'base64url.bearer.authorization.k8s.io.';
    if (p.startsWith(prefix)) return Buffer.from(p.slice(prefix.length), 'base64url').toString('utf8');
  }
  return undefined;
}

export function authenticate(req: IncomingMessage, tokens: Tokens): User | undefined {
  const t = bearerToken(req);
  if (!t) return undefined;
  if (same(t, tokens.admin)) return { name: 'kubetrace-admin', admin: true };
  if (same(t, tokens.restricted))
    return {
      name: `system:serviceaccount:${tokens.restrictedNamespace}:kubetrace`,
      admin: false,
      namespace: tokens.restrictedNamespace,
    };
  return undefined;
}

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export function allowed(user: User, a: Attributes): boolean {
  if (user.admin) return true;
  if (!a.namespace || a.namespace !== user.namespace) return false;
  const key = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (RESTRICTED_RULES[key]?.includes(a.verb) ?? false) && RESTRICTED_GROUPS[a.resource] === a.group;
}

/** undefined when allowed, else the Forbidden Status RBAC gives. */
export function authorize(user: User, a: Attributes): Status | undefined {
  return allowed(user, a)
    ? undefined
    : forbidden(user.name, a.verb, a.resource, a.group, a.namespace, a.name, a.subresource);
}

/** `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`. */
export function selfSubjectAccessReview(user: User, body: unknown): Record<string, unknown> {
  const review = (body && typeof body === 'object' ? body : {}) as {
    spec?: { resourceAttributes?: Partial<Attributes>; nonResourceAttributes?: { path?: string; verb?: string } };
  };
  const spec = review.spec ?? {};
  let ok: boolean;
  let reason = '';
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    ok = allowed(user, {
      verb: r.verb ?? '',
      group: r.group ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource || undefined,
      namespace: r.namespace || undefined,
      name: r.name,
    });
    if (ok)
      reason = user.admin
        ? 'RBAC: allowed by ClusterRoleBinding "kubetrace-admin" of ClusterRole "cluster-admin" to User "kubetrace-admin"'
        : `RBAC: allowed by RoleBinding "kubetrace/${user.namespace}" of Role "kubetrace" to ServiceAccount "kubetrace/${user.namespace}"`;
  } else {
    // Discovery and health paths are open to every authenticated user (system:discovery, system:public-info-viewer).
    const path = spec.nonResourceAttributes?.path ?? '';
    ok =
      user.admin ||
      (spec.nonResourceAttributes?.verb === 'get' &&
        /^\/(api|apis|version|healthz|livez|readyz|openapi)(\/|$)/.test(path));
  }
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: ok, ...(reason ? { reason } : {}) },
  };
}
