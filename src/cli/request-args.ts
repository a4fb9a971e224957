// The request options `probe` and `load` share: -X, -H, --data, --via, and the route reference.
import { readFileSync } from 'node:fs';
import { bool, int, list, str, type Parsed } from './args';
import { UsageError } from '../core/errors';

export const requestFlags = {
  host: { type: 'string' },
  path: { type: 'string' },
  request: { type: 'string', short: 'X' },
  header: { type: 'list', short: 'H' },
  data: { type: 'string' },
  via: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  yes: { type: 'boolean' },
  insecure: { type: 'boolean' },
  cacert: { type: 'string' },
  timeout: { type: 'string' },
  'trace-backend': { type: 'string' },
} as const;

export function requestArgs(p: Parsed): {
  headers: Record<string, string>;
  body?: Buffer;
  method: string;
  via?: 'lb' | 'port-forward';
} {
  const via = str(p, 'via');
  if (via && via !== 'lb' && via !== 'port-forward')
    throw new UsageError(`--via takes lb or port-forward, not "${via}"`);
  const headers: Record<string, string> = {};
  for (const h of list(p, 'header')) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`-H takes 'Name: value', not "${h}"`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const data = str(p, 'data');
  const body = data === undefined ? undefined : data.startsWith('@') ? readFileSync(data.slice(1)) : Buffer.from(data);
  return { headers, body, method: str(p, 'request') ?? (body ? 'POST' : 'GET'), via: via as 'lb' | 'port-forward' };
}

/** Where and how the request goes: host and path, TLS trust, timeout, trace backend, and consent (`--yes`). */
export function sendArgs(p: Parsed) {
  const cacert = str(p, 'cacert');
  return {
    host: str(p, 'host'),
    path: str(p, 'path'),
    insecure: bool(p, 'insecure'),
    caFiles: cacert ? [cacert] : [],
    timeoutMs: int(p, 'timeout'),
    traceBackend: str(p, 'trace-backend'),
    confirmed: bool(p, 'yes'),
  };
}
