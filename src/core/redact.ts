import type { Trace } from './trace/model';

// Secrets never leave in logs, history or exports: bearer tokens, Authorization/Cookie headers, token fields.
const PATTERNS: [RegExp, string][] = [
  [
    /(authorization|proxy-authorization|cookie|set-cookie|x-api-key)(["']?\s*[:=]\s*["']?)([^"'\r\n,}]+)/gi,
    '$1$2[redacted]',
  ],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]'],
  [/\b(token|client-key-data|password|secret)(["']?\s*[:=]\s*["']?)([^"'\s,}]+)/gi, '$1$2[redacted]'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/** Header maps as they may be shown or stored: secret values replaced. */
export function redactHeaders(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(h).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v]),
  );
}

const SECRET_ATTR =
  /(^|\.)(authorization|proxy_authorization|proxy-authorization|cookie|set_cookie|set-cookie|x-api-key|token|password)$/i;

/** A copy of the trace whose secret-looking attributes (request headers, tokens) are replaced. */
export function redactTrace(t: Trace): Trace {
  const scrub = (attrs: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [
        k,
        SECRET_ATTR.test(k) ? '[redacted]' : typeof v === 'string' ? redact(v) : v,
      ]),
    );
  return {
    ...t,
    spans: t.spans.map((s) => ({
      ...s,
      attributes: scrub(s.attributes) as typeof s.attributes,
      events: s.events.map((e) => ({ ...e, attributes: scrub(e.attributes) })),
    })),
  };
}
