import type { Diagnostic, Trace } from './trace/model';

// Secrets never leave in logs, history, exports, summaries or printed messages: credential headers and fields,
// bearer tokens, URL user info (`https://user:pass@host`) and secret query parameters (`?access_token=...`).
// One rule decides what a secret name is, for headers, attributes, fields and query parameters alike.

/** Well-known credential headers (lower case); isSecretHeader also takes any name the secret-name rule matches. */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
];

// A name holds a secret when it contains one of these words; `key` and `auth` only as a whole word of the name
// (x-api-key, client-key-data, private_key), so `keyspace` or `author` stay readable.
const SECRET_WORD = /token|secret|passw|passwd|pwd|session|cookie|authori[sz]ation|credential|api[-_.]?key|signature/i;
const SECRET_PART = /(^|[^a-z0-9])(key|auth|sig|pass)([^a-z0-9]|$)/i;

/** Does this header, attribute, field or query-parameter name say its value is a secret? */
export function isSecretName(name: string): boolean {
  return SECRET_WORD.test(name) || SECRET_PART.test(name);
}

/** The one predicate for secret headers: the list above, or any header whose name says it holds a secret. */
export function isSecretHeader(name: string): boolean {
  const n = name.trim().toLowerCase();
  return SECRET_HEADERS.includes(n) || isSecretName(n);
}

const R = '[redacted]';
const TEXT_RULES: [RegExp, string | ((...m: string[]) => string)][] = [
  // scheme://user:pass@host -> scheme://[redacted]@host (user info alone may be a token too).
  [/\b([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/?#@"'<>]+@/gi, `$1${R}@`],
  // ?access_token=...&sig=... -> values of secret-named query parameters.
  [/([?&;])([^=&#\s"'?;]{1,100})=([^&#\s"';]*)/g, (m, sep, k, v) => (isSecretName(k) && v ? `${sep}${k}=${R}` : m)],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${R}`],
  // A JSON Web Token anywhere.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, R],
];

export function redact(text: string): string {
  let out = redactPairs(text);
  for (const [re, rep] of TEXT_RULES) out = out.replace(re, rep as string);
  return out;
}

// `Authorization: Bearer x`, `"password": "y"`, `client-key-data: z`, `X-Auth-Token=w`.
const PAIR =
  /([A-Za-z0-9_.-]{1,100})(["']?\s{0,5}[:=]\s{0,5}["']?)(?:(?:Bearer|Basic|Token|Digest)\s+)?([^"'\s,;&}]+)/g;

function redactPairs(text: string): string {
  // Values to replace, as [start, end) of `text`. Every value is also read again as a possible name, so a chain like
  // `key: token: x` or `a= password=y` loses each secret.
  const cuts: [number, number][] = [];
  const re = new RegExp(PAIR);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const valueStart = m.index + m[1].length + m[2].length;
    if (isSecretName(m[1])) {
      const prev = cuts[cuts.length - 1];
      if (prev && valueStart <= prev[1]) prev[1] = Math.max(prev[1], re.lastIndex);
      else cuts.push([valueStart, re.lastIndex]);
    }
    re.lastIndex = valueStart;
  }
  let out = '',
    last = 0;
  for (const [from, to] of cuts) {
    out += text.slice(last, from) + R;
    last = to;
  }
  return out + text.slice(last);
}

/** A URL for messages: user info removed (it stays usable for requests, never shown). */
export function stripUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/?#@]*@/i, '$1');
}

/**
 * Text that some other program wrote (an exec plugin's stderr) and may hold a token: the usual redaction, and
 * long opaque strings (32+ token characters) replaced too.
 */
export function redactForeign(text: string): string {
  // Paths (/usr/local/bin/...) and lower-case dotted names (client.authentication.k8s.io/v1) are not tokens.
  return redact(text).replace(/[A-Za-z0-9_+/=.-]{32,}/g, (s) => (/^[/.~]|^[a-z0-9-]+\.[a-z0-9./-]+$/.test(s) ? s : R));
}

/** Header maps as they may be shown or stored: secret values replaced. */
export function redactHeaders(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, isSecretHeader(k) ? R : redact(v)]));
}

const MAX_DEPTH = 32;

/** A value under `name`: secret names lose their value; strings lose embedded secrets; containers are walked. */
function scrubValue(name: string, v: unknown, depth: number): unknown {
  if (typeof v === 'string') return isSecretName(name) ? R : redact(v);
  if (v === null || typeof v !== 'object') return v; // numbers and booleans: a token count is not a token
  if (depth >= MAX_DEPTH) return R; // deeper than any real attribute: dropped rather than checked
  if (Array.isArray(v)) return v.map((x) => scrubValue(name, x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(k, x, depth + 1)]));
}

function scrub<T extends Record<string, unknown>>(attrs: T): T {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, scrubValue(k, v, 0)])) as T;
}

export function redactDiagnostic(d: Diagnostic): Diagnostic {
  return { ...d, message: redact(d.message), ...(d.hint !== undefined ? { hint: redact(d.hint) } : {}) };
}

/** A copy of the trace without secrets: secret-named attributes, URLs' user info and secret query parameters,
 *  tokens in names, events, links and diagnostics. */
export function redactTrace(t: Trace): Trace {
  return {
    ...t,
    spans: t.spans.map((s) => ({
      ...s,
      name: redact(s.name),
      attributes: scrub(s.attributes),
      events: s.events.map((e) => ({ ...e, name: redact(e.name), attributes: scrub(e.attributes) })),
      links: s.links.map((l) => (l.attributes ? { ...l, attributes: scrub(l.attributes) } : l)),
      // nginx's debug log prints every request header (`http header: "Authorization: Bearer …"`).
      ...(s.steps ? { steps: s.steps.map((st) => ({ ...st, message: redact(st.message) })) } : {}),
      ...(s.sourceReason !== undefined ? { sourceReason: redact(s.sourceReason) } : {}),
    })),
    diagnostics: t.diagnostics.map(redactDiagnostic),
  };
}
