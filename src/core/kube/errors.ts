// API failures in plain words, with the Status reason kept for callers that branch on it.
import { KubetraceError } from '../errors';
import { redact, stripUserInfo } from '../redact';
import type { LoadedKubeconfig } from './load';

// In VS Code the requester and the probe engine are separate bundles, each with its own copy of this class, so
// `instanceof` answers by a brand shared through the global symbol registry rather than by the prototype chain.
const BRAND = Symbol.for('kubetrace.KubeApiError');

export class KubeApiError extends KubetraceError {
  readonly [BRAND] = true;
  constructor(
    message: string,
    hint: string | undefined,
    readonly status: number,
    readonly reason: string,
  ) {
    super(message, hint, 'kube-api');
    this.name = 'KubeApiError';
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as { [BRAND]?: unknown })[BRAND] === true;
  }
}

export function connectionError(
  e: Error & { code?: string },
  server: string,
  proxyUrl?: string,
  clientCert?: boolean,
): KubeApiError {
  if (e instanceof KubeApiError) return e;
  // URLs from a kubeconfig may carry user:password@; messages never do.
  server = stripUserInfo(server);
  proxyUrl = proxyUrl && stripUserInfo(proxyUrl);
  const code = e.code ?? '';
  if (e.name === 'AbortError') return new KubeApiError('request cancelled', undefined, 0, 'Cancelled');
  // A TLS alert comes from the server: it refused our client certificate (or asked for one we did not send).
  if (
    /^ERR_SSL_.*ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|ACCESS_DENIED)/.test(
      code,
    )
  ) {
    return new KubeApiError(
      `the API server ${server} refused the TLS connection: it wants a client certificate it trusts (${code})`,
      'check client-certificate(-data) and client-key(-data) of this user in the ' +
        'kubeconfig: the cluster must trust the certificate, and it must not be expired',
      0,
      'ClientCert',
    );
  }
  if (
    proxyUrl &&
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH'].includes(code)
  ) {
    return new KubeApiError(
      `cannot reach the API server at ${server} through the proxy ${proxyUrl} (${code})`,
      "is the proxy in the kubeconfig's proxy-url running and reachable from here?",
      0,
      'Unreachable',
    );
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new KubeApiError(
      `TLS verification of the API server ${server} failed (${code})`,
      'check certificate-authority(-data) for this cluster in the kubeconfig',
      0,
      'TLS',
    );
  }
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ENETUNREACH'].includes(
      code,
    ) ||
    /no answer within/.test(e.message)
  ) {
    // A server that rejects a client certificate in TLS 1.3 often just resets the connection: say it may be that.
    const certHint =
      clientCert && code === 'ECONNRESET'
        ? '; a reset right after connecting may also mean the server refused the ' +
          'client certificate (check client-certificate(-data) and client-key(-data))'
        : '';
    return new KubeApiError(
      `cannot reach the API server at ${server} (${code || e.message})`,
      `is the cluster running and the kubeconfig's server address right? (kubectl cluster-info)${certHint}`,
      0,
      'Unreachable',
    );
  }
  return new KubeApiError(
    `request to the API server at ${server} failed: ${redact(e.message)}`,
    undefined,
    0,
    'Network',
  );
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { kind?: string; name?: string };
}

export function statusError(status: number, body: Buffer, path: string, config: LoadedKubeconfig): KubeApiError {
  let s: StatusBody = {};
  try {
    s = JSON.parse(body.toString('utf8'));
  } catch {
    /* not a Status */
  }
  const message = s.message || body.toString('utf8').slice(0, 200).trim() || `HTTP ${status}`;
  switch (status) {
    case 401:
      return new KubeApiError(
        `the cluster refused the credentials of user "${config.user}" (401 Unauthorized)`,
        'the token or certificate may have expired: refresh your credentials, or pick another context',
        401,
        'Unauthorized',
      );
    case 403:
      return new KubeApiError(
        `forbidden: ${message}`,
        'ask for RBAC permission (see README, "RBAC"), or narrow the request with -n NAMESPACE',
        403,
        s.reason || 'Forbidden',
      );
    case 404:
      return new KubeApiError(
        s.details?.name ? `${s.details.kind ?? 'object'} "${s.details.name}" not found` : `not found: ${path}`,
        undefined,
        404,
        'NotFound',
      );
    default:
      return new KubeApiError(
        `the API server answered ${status} for ${path}: ${message}`,
        undefined,
        status,
        s.reason || 'Error',
      );
  }
}
