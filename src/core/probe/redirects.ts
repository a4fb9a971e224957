// Which redirect a probe follows: same host only, at most MAX_REDIRECTS, never from https down to http, and a
// scheme change only where the target has a port for it. Anything else stops with a diagnostic saying where it
// would have gone. A hop that changes scheme or port goes on without the secret headers (Authorization, Cookie...).
import { isSecretHeader } from '../redact';
import type { Diagnostic, SpanEvent } from '../trace/model';
import type { ExchangeResult } from './http';

export const MAX_REDIRECTS = 5;

export interface Hop {
  scheme: 'http' | 'https';
  port: number;
  path: string;
}

export interface NextHop {
  hop: Hop;
  event: SpanEvent;
  /** The headers to send on the next hop: the same, or without the secret ones when the origin changed. */
  headers: Record<string, string>;
  /** Says which secret headers were left out, so a 401 after the redirect explains itself. */
  note?: Diagnostic;
}

export function nextHop(
  res: ExchangeResult,
  hop: Hop,
  host: string,
  followed: number,
  portFor: (scheme: 'http' | 'https') => number | undefined,
  headers: Record<string, string> = {},
): NextHop | { stop: Diagnostic } | undefined {
  const status = res.status ?? 0;
  const location = res.headers.location;
  if (status < 300 || status >= 400 || !location || res.error) return undefined;
  const from = `${hop.scheme}://${host}${hop.path}`;
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return {
      stop: {
        code: 'redirect-invalid',
        severity: 'warning',
        message: `the answer redirects to "${location}", which is not a URL`,
      },
    };
  }
  if (followed >= MAX_REDIRECTS) {
    return {
      stop: {
        code: 'too-many-redirects',
        severity: 'warning',
        message: `more than ${MAX_REDIRECTS} redirects; the last one went to ${next.href}`,
        hint: 'check the Ingress annotations (ssl-redirect, permanent-redirect, rewrite-target) for a loop',
      },
    };
  }
  if (next.hostname.toLowerCase() !== host.toLowerCase()) {
    return {
      stop: {
        code: 'redirect-other-host',
        severity: 'info',
        message: `the answer (${status}) redirects to another host, ${next.href}; Kubetrace does not follow it`,
        hint: 'probe that host with --host if it is served by this cluster',
      },
    };
  }
  const scheme = next.protocol === 'https:' ? 'https' : 'http';
  if (hop.scheme === 'https' && scheme === 'http') {
    return {
      stop: {
        code: 'redirect-downgrade',
        severity: 'warning',
        message:
          `the answer (${status}) redirects from https to plain http, ${next.href}; Kubetrace ` +
          `does not follow it, which would send the request (and its credentials) unencrypted`,
        hint: 'the server should redirect to https; check the Ingress annotations and the app for an http:// Location',
      },
    };
  }
  const port = scheme === hop.scheme ? hop.port : portFor(scheme);
  if (port === undefined) {
    return {
      stop: {
        code: 'redirect-not-followed',
        severity: 'info',
        message: `the answer (${status}) redirects to ${next.href}, which this probe's target cannot reach`,
        hint: 'probe through the load balancer, or send the probe to that URL directly',
      },
    };
  }
  const path = `${next.pathname}${next.search}`;
  // Another origin (scheme or an explicit other port; other hosts stop above) gets no credentials.
  const originChanged = scheme !== hop.scheme || (next.port !== '' && Number(next.port) !== hop.port);
  const dropped = originChanged ? Object.keys(headers).filter(isSecretHeader) : [];
  const event: SpanEvent = {
    timeUnixNano: String(res.times.end ?? res.times.start),
    name: 'redirect',
    attributes: { 'http.response.status_code': status, 'url.full': from, 'http.response.header.location': location },
  };
  if (dropped.length) event.attributes['kubetrace.redirect.dropped_headers'] = dropped.map((h) => h.toLowerCase());
  return {
    hop: { scheme, port, path },
    event,
    headers: dropped.length ? Object.fromEntries(Object.entries(headers).filter(([k]) => !isSecretHeader(k))) : headers,
    ...(dropped.length
      ? {
          note: {
            code: 'redirect-dropped-credentials',
            severity: 'info' as const,
            message:
              `the redirect to ${next.protocol}//${next.host} changes the origin, so ` +
              `${dropped.map((h) => h.toLowerCase()).join(', ')} ${dropped.length === 1 ? 'was' : 'were'} not sent again`,
            hint: 'probe the final URL directly (with --path, and the scheme the target serves) to send them',
          },
        }
      : {}),
  };
}
