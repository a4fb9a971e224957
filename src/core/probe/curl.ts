// "Copy as curl": the probe's request as a curl command a user can run. The command starts a trace of its own
// (fresh traceparent and X-Request-ID, so running it never adds spans to the probe's trace), carries no secret
// header (the redactor's list, src/core/redact.ts), and for HTTPS trusts exactly what the probe trusted: the
// caller writes `caPem` to a file and passes its path.
import { rootCertificates } from 'node:tls';
import { newSpanId, newTraceId, traceparent } from '../ids';
import { isSecretHeader } from '../redact';

export interface CurlRequest {
  method: string;
  url: string;
  /** Where the probe connected, for `--resolve host:port:address`. */
  resolve: { host: string; port: number; address: string };
  /** Headers to send, lower-case names, without the trace ids and without secrets. */
  headers: Record<string, string>;
  /** Names of the secret headers the probe sent, left out of the command. */
  dropped: string[];
  body?: string;
  insecure: boolean;
  /** For HTTPS: the roots the probe trusted (the system's plus the cluster's and the user's CAs), PEM. */
  caPem?: string;
  /** The probe's own trace id, named in the comment line. */
  probeTraceId: string;
}

// Sent by every probe but not worth repeating, or replaced by fresh ones in the command.
const LEFT_OUT = new Set(['user-agent', 'accept', 'traceparent', 'tracestate', 'x-request-id']);

export function curlRequest(o: {
  method: string;
  url: string;
  target: { address: string; port: number };
  headers: Record<string, string>;
  body?: Buffer;
  insecure?: boolean;
  ca: (string | Buffer)[];
  probeTraceId: string;
}): CurlRequest {
  const headers: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(o.headers)) {
    const name = k.toLowerCase();
    if (isSecretHeader(name)) dropped.push(name);
    else if (!LEFT_OUT.has(name)) headers[name] = v;
  }
  const u = new URL(o.url);
  const https = u.protocol === 'https:';
  return {
    method: o.method.toUpperCase(),
    url: o.url,
    resolve: { host: u.hostname, port: o.target.port, address: o.target.address },
    headers,
    dropped,
    body: o.body?.length ? o.body.toString('utf8') : undefined,
    insecure: https && !!o.insecure,
    caPem: https && !o.insecure ? [...rootCertificates, ...o.ca.map(String)].join('\n') : undefined,
    probeTraceId: o.probeTraceId,
  };
}

/** POSIX shell single quoting. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command, two or three lines: a comment naming the fresh trace id (and any secret headers left out), then
 * curl. `caFile` is where the caller wrote `req.caPem`; without it an HTTPS command says it needs one.
 */
export function curlCommand(
  req: CurlRequest,
  o: { caFile?: string; ids?: { traceId: string; spanId: string } } = {},
): string {
  const ids = o.ids ?? { traceId: newTraceId(), spanId: newSpanId() };
  const comment = [
    `# Fresh trace id ${ids.traceId} (new traceparent and X-Request-ID): this request is traced on its own,`,
    `not as part of probe ${req.probeTraceId}.`,
  ];
  if (req.dropped.length) comment.push(`Secret headers left out: ${req.dropped.join(', ')}.`);
  const lines = [comment.join(' ')];
  const parts = ['curl', '-sS', '-o', '/dev/null', '-w', shellQuote('%{http_code} %{time_total}s\\n')];
  if (req.method !== 'GET') parts.push('-X', shellQuote(req.method));
  for (const [k, v] of Object.entries(req.headers)) parts.push('-H', shellQuote(`${k}: ${v}`));
  parts.push('-H', shellQuote(`traceparent: ${traceparent(ids.traceId, ids.spanId)}`));
  parts.push('-H', shellQuote(`x-request-id: ${ids.traceId}`));
  if (req.body !== undefined) parts.push('--data-binary', shellQuote(req.body));
  if (req.insecure) parts.push('--insecure');
  else if (req.caPem !== undefined) {
    if (o.caFile) parts.push('--cacert', shellQuote(o.caFile));
    else lines.push('# This HTTPS command needs --cacert with the CA the probe trusted.');
  }
  const { host, port, address } = req.resolve;
  // An IPv6 address goes in brackets in --resolve.
  parts.push('--resolve', shellQuote(`${host}:${port}:${address.includes(':') ? `[${address}]` : address}`));
  parts.push(shellQuote(req.url));
  lines.push(parts.join(' '));
  return lines.join('\n');
}
