// Status objects, the API server's error body, and the small response helpers every handler uses.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

export function failure(code: number, reason: string, message: string, details?: Status['details']): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details: details ?? {},
    code,
  };
}

const what = (resource: string, group: string, name?: string) => ({
  ...(name ? { name } : {}),
  ...(group ? { group } : {}),
  kind: resource,
});
const qualified = (resource: string, group: string) => (group ? `${resource}.${group}` : resource);

export const notFound = (resource: string, group: string, name: string): Status =>
  failure(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, what(resource, group, name));
export const pathNotFound = (): Status =>
  failure(404, 'NotFound', 'the server could not find the requested resource', {});
export const badRequest = (message: string): Status => failure(400, 'BadRequest', message);
export const methodNotAllowed = (): Status =>
  failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
export const unauthorized = (): Status => failure(401, 'Unauthorized', 'Unauthorized');
export const serviceUnavailable = (message: string): Status => failure(503, 'ServiceUnavailable', message);
export const expired = (message: string): Status => failure(410, 'Expired', message);

export function forbidden(
  user: string,
  verb: string,
  resource: string,
  group: string,
  namespace?: string,
  name?: string,
  subresource?: string,
): Status {
  const res = subresource ? `${resource}/${subresource}` : resource;
  const subject = name ? `${qualified(resource, group)} "${name}"` : qualified(resource, group);
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  return failure(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${group}" ${scope}`,
    what(resource, group, name),
  );
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const data = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-cache, private',
  });
  res.end(data);
}

export const sendStatus = (res: ServerResponse, s: Status): void => sendJson(res, s.code, s);

/** Answers a refused WebSocket upgrade on the raw socket, as the API server does before switching protocols. */
export function rejectUpgrade(socket: Duplex, s: Status): void {
  const body = JSON.stringify(s);
  const text =
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' }[
      s.code
    ] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${s.code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ` +
      `${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
