// ingress-nginx annotations that the HTTPRoutes replacing an Ingress do not carry over (static.ts): for each known
// annotation, what it does, whether the routes have its Gateway API counterpart, and what is missing when they do not.
// Values are named so the user recognizes the setting, except where they may hold credentials or raw configuration.
import { isSecretName, redact } from '../redact';
import { clip, str, type RuleView } from './read';

const PREFIX = 'nginx.ingress.kubernetes.io/';

interface Known {
  /** What ingress-nginx does with it: the predicate of the sentence. */
  does: string;
  /** Whether the routes have the counterpart; absent when core Gateway API has none. */
  has?: (rules: RuleView[], value: string) => boolean;
  /** Why it is not carried over. */
  missing: string | ((value: string) => string);
  /** Values that ask ingress-nginx for nothing ("false"): there is nothing to carry over. */
  inert?: (value: string) => boolean;
  /** Never print the value (credentials, raw nginx configuration that may embed them). */
  hidden?: true;
}

const off = (v: string) => v.trim().toLowerCase() === 'false';
const hasFilter = (type: string) => (rules: RuleView[]) => rules.some((r) => r.filters.includes(type));
const weighted = (rules: RuleView[]) => rules.some((r) => r.backendRefs > 1);
const POLICY = 'so it needs an implementation policy (such as an Envoy Gateway or NGINX Gateway Fabric policy)';

const TIMEOUT: Omit<Known, 'does'> = {
  has: (rules) => rules.some((r) => r.timeouts),
  missing: 'no route rule sets timeouts (request or backendRequest)',
};
const CORS: Omit<Known, 'does'> = {
  has: hasFilter('CORS'),
  missing: `no route rule has a CORS filter (experimental in Gateway API) and core Gateway API has no other counterpart, ${POLICY}`,
};
const AUTH: Omit<Known, 'does'> = {
  missing:
    'core Gateway API has no authentication, so it needs an implementation policy' +
    " (such as Envoy Gateway's SecurityPolicy or an NGINX Gateway Fabric policy)",
  hidden: true,
};
const CANARY: Omit<Known, 'does'> = {
  has: weighted,
  missing: 'no route rule splits traffic between weighted backendRefs',
};
const LIMIT: Omit<Known, 'does'> = { missing: `core Gateway API has no rate or connection limits, ${POLICY}` };

const EXACT: Record<string, Known> = {
  'rewrite-target': {
    does: 'rewrites the request path before it reaches the backend',
    has: hasFilter('URLRewrite'),
    missing: 'no route rule has a URLRewrite filter',
  },
  'ssl-redirect': {
    does: 'redirects plain HTTP requests to HTTPS',
    has: (rules) => rules.some((r) => r.httpsRedirect),
    missing: 'no route rule has a RequestRedirect filter with scheme https (usually on a route of the HTTP listener)',
    inert: off,
  },
  'proxy-read-timeout': { does: "sets how long nginx waits for the backend's response", ...TIMEOUT },
  'proxy-send-timeout': { does: 'sets how long nginx waits while sending the request to the backend', ...TIMEOUT },
  'proxy-connect-timeout': { does: 'sets how long nginx waits to connect to the backend', ...TIMEOUT },
  'enable-cors': { does: 'answers CORS preflight requests and adds CORS headers', ...CORS, inert: off },
  'auth-url': { does: 'asks an external service to authenticate every request', ...AUTH },
  'auth-signin': { does: 'sends unauthenticated users to a sign-in page', ...AUTH },
  'auth-type': { does: 'requires HTTP basic or digest authentication', ...AUTH },
  'auth-secret': { does: 'names the credentials for HTTP basic or digest authentication', ...AUTH },
  'auth-realm': { does: 'names the realm of HTTP basic or digest authentication', ...AUTH },
  canary: { does: "marks this Ingress as a canary of another Ingress's host and path", ...CANARY, inert: off },
  'canary-by-header': {
    does: "sends requests that carry this header to the canary's backend",
    has: (rules, v) =>
      weighted(rules) || rules.some((r) => r.matches.some((m) => m.headerNames.includes(v.toLowerCase()))),
    missing: 'no route rule matches on that header or splits traffic between weighted backendRefs',
  },
  'backend-protocol': {
    does: 'sets the protocol nginx speaks to the backend',
    missing: (v) =>
      /^grpcs?$/i.test(v.trim())
        ? 'an HTTPRoute does not carry gRPC: that needs a GRPCRoute'
        : /^https$/i.test(v.trim())
          ? 'an HTTPRoute speaks plain HTTP to its backends unless a BackendTLSPolicy targets the Service' +
            ' (this comparison reads only the routes)'
          : 'Gateway API has no counterpart for this protocol',
    inert: (v) => v.trim().toUpperCase() === 'HTTP',
  },
  'proxy-body-size': {
    does: 'limits the size of request bodies',
    missing: "core Gateway API has no body size limit, so the Gateway implementation's own default applies",
  },
  'use-regex': {
    does: "makes nginx read this Ingress's paths as regular expressions",
    has: (rules) => rules.some((r) => r.matches.some((m) => m.type === 'RegularExpression')),
    missing: 'no route match uses a RegularExpression path',
    inert: off,
  },
  'app-root': {
    does: 'redirects requests for / to this path',
    has: hasFilter('RequestRedirect'),
    missing: 'no route rule has a RequestRedirect filter',
  },
};
EXACT['force-ssl-redirect'] = { ...EXACT['ssl-redirect'], does: 'redirects every HTTP request to HTTPS' };
EXACT['limit-connections'] = { does: 'limits the concurrent connections of each client address', ...LIMIT };

// Families named by a prefix or suffix, tried in order after the exact names.
const FAMILIES: [(short: string) => boolean, Known][] = [
  [
    (s) => s.endsWith('-snippet'),
    {
      does: 'adds raw nginx configuration',
      missing: 'Gateway API has no way to add raw proxy configuration: each directive needs its own filter or policy',
      hidden: true,
    },
  ],
  [(s) => s.startsWith('auth-tls-'), { does: 'configures client certificate authentication', ...AUTH }],
  [(s) => s.startsWith('auth-'), { does: 'configures authentication', ...AUTH }],
  [(s) => s.startsWith('cors-'), { does: 'configures the CORS headers nginx adds', ...CORS }],
  [(s) => s.startsWith('canary-'), { does: "decides which requests go to the canary's backend", ...CANARY }],
  [(s) => s.startsWith('limit-'), { does: 'rate-limits each client address', ...LIMIT }],
];

const UNKNOWN: Known = {
  does: 'is set',
  missing: 'it has no known Gateway API counterpart, so check by hand whether the route needs one',
};

// Credentials may sit in any of these, whatever the table says.
const SECRET_LOOKING = /secret|auth|token|passw|snippet|key/i;

export function annotationGaps(
  annotations: Record<string, unknown> | undefined,
  rules: RuleView[],
): { what: string; detail: string }[] {
  const out: { what: string; detail: string }[] = [];
  for (const name of Object.keys(annotations ?? {}).sort()) {
    const value = str(annotations?.[name]);
    if (!name.startsWith(PREFIX) || value === undefined) continue;
    const short = name.slice(PREFIX.length);
    const known = EXACT[short] ?? FAMILIES.find(([test]) => test(short))?.[1] ?? UNKNOWN;
    if (known.inert?.(value) || known.has?.(rules, value)) continue;
    const hide = known.hidden || isSecretName(short) || SECRET_LOOKING.test(short);
    const shown = hide ? '(value not shown)' : `"${clip(redact(value))}"`;
    const missing = typeof known.missing === 'function' ? known.missing(value) : known.missing;
    out.push({ what: name, detail: `${short} ${shown} ${known.does}, but ${missing}.` });
  }
  return out;
}
