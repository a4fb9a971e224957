// How a probe marks itself so an access log without a request-id field still shows its line: the User-Agent
// `kubetrace/<version> (probe <traceId>)` and, where the log drops headers, a `kubetrace=<traceId>` query
// parameter. The path itself is never changed.

/** Kept equal to package.json's version (a unit test checks it). */
export const KUBETRACE_VERSION = '0.1.0';
export const QUERY_MARK = 'kubetrace';

export const probeUserAgent = (traceId: string): string => `kubetrace/${KUBETRACE_VERSION} (probe ${traceId})`;

/** The path with `kubetrace=<traceId>` added to its query string. */
export function withQueryMark(path: string, traceId: string): string {
  const sep = path.includes('?') ? (path.endsWith('?') || path.endsWith('&') ? '' : '&') : '?';
  return `${path}${sep}${QUERY_MARK}=${traceId}`;
}

export const userAgentMarks = (ua: string | undefined, traceId: string): boolean =>
  !!ua && ua.includes(`(probe ${traceId})`);

/** True when the logged request target carries the query marker for this trace. */
export function queryMarks(uri: string | undefined, traceId: string): boolean {
  const q = uri?.indexOf('?') ?? -1;
  if (!uri || q < 0) return false;
  return uri
    .slice(q + 1)
    .split('&')
    .some((kv) => kv === `${QUERY_MARK}=${traceId}`);
}

/** The trace id a User-Agent mark names, if any. */
export function markOf(ua: string): string | undefined {
  return /\(probe ([0-9a-f]{32})\)/.exec(ua)?.[1];
}

/** The trace id a query mark names, if any. */
export function queryMarkOf(uri: string): string | undefined {
  return new RegExp(`[?&]${QUERY_MARK}=([0-9a-f]{32})(?:&|$)`).exec(uri)?.[1];
}
