// Which redirect a probe follows: same host only, at most MAX_REDIRECTS, and a scheme change only where
// the target has a port for it. Anything else stops with a diagnostic saying where it would have gone.
import type { Diagnostic, SpanEvent } from '../trace/model';
import type { ExchangeResult } from './http';

export const MAX_REDIRECTS = 5;

export interface Hop {
  scheme: 'http' | 'https';
  port: number;
  path: string;
}

export function nextHop(
  res: ExchangeResult,
  hop: Hop,
  host: string,
  followed: number,
  portFor: (scheme: 'http' | 'https') => number | undefined,
): { hop: Hop; event: SpanEvent } | { stop: Diagnostic } | undefined {
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
  const event: SpanEvent = {
    timeUnixNano: String(res.times.end ?? res.times.start),
    name: 'redirect',
    attributes: { 'http.response.status_code': status, 'url.full': from, 'http.response.header.location': location },
  };
  return { hop: { scheme, port, path }, event };
}
