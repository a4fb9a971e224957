// pods/log from the LogStore, with the kubelet's options: container, tailLines, sinceTime, sinceSeconds,
// limitBytes, timestamps (RFC3339Nano prefix) and follow (stream until the client goes away).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogEntry, LogStore } from '../logs';
import type { KubeObject } from '../store';
import { ApiError, badRequest } from './status';
import { boolParam } from './query';

/** Go's time.RFC3339Nano in UTC: fraction without trailing zeros. */
export function rfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n,
    frac = ns % 1_000_000_000n;
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const f = frac.toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${f ? `.${f}` : ''}Z`;
}

/**
 * rfc3339Nano for many times in a row: the date and clock part is formatted once per second. A kubelet stores each
 * line's timestamp as text when the line is written; formatting it again per line per read cost the sandbox more CPU
 * than nginx serving a burst (a burst reads tens of MB of log).
 */
export function timestampFormatter(): (ns: bigint) => string {
  let sec = -1n;
  let base = '';
  return (ns) => {
    const s = ns / 1_000_000_000n;
    if (s !== sec) {
      sec = s;
      base = new Date(Number(s) * 1000).toISOString().slice(0, 19);
    }
    const frac = Number(ns - s * 1_000_000_000n);
    if (frac === 0) return `${base}Z`;
    const digits = String(frac + 1e9); // "1" and nine digits
    let end = 10;
    while (digits.charCodeAt(end - 1) === 48) end--;
    return `${base}.${digits.slice(1, end)}Z`;
  };
}

/** The index of the first entry at or after `since` (entries are in time order: LogStore keeps them so). */
function firstSince(list: LogEntry[], since: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].timeUnixNano < since) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lines are sent in chunks of about this many bytes, as a kubelet's buffered stream does, not one chunk a line. */
const CHUNK_CHARS = 64 * 1024;
const FOLLOW_FLUSH_MS = 5;
/**
 * Once lines have kept coming for a while (BUSY_AFTER flushes in a row, each soon after the one before: a burst,
 * not one probe's few milliseconds of lines), they go out every BUSY_FLUSH_MS in chunks of up to BUSY_CHARS. A TLS
 * write every 5 ms cost the sandbox a sixth of a core while a burst's log streamed, CPU the cluster it stands in for
 * would not take from the pods.
 */
const BUSY_AFTER = 10;
const BUSY_FLUSH_MS = 25;
const BUSY_CHARS = 256 * 1024;

function intParam(q: URLSearchParams, name: string, min: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min)
    throw new ApiError(badRequest(`${name}: Invalid value: ${v}: must be greater than or equal to ${min}`));
  return Number(v);
}

/** The container the request means, or a 400 as the API server words it. */
function pickContainer(pod: KubeObject, q: URLSearchParams): string {
  const names = ((pod.spec as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
  const want = q.get('container');
  const podName = pod.metadata.name;
  if (want) {
    if (!names.includes(want)) throw new ApiError(badRequest(`container ${want} is not valid for pod ${podName}`));
    return want;
  }
  if (names.length === 1) return names[0];
  throw new ApiError(
    badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`),
  );
}

export function handleLog(
  req: IncomingMessage,
  res: ServerResponse,
  logs: LogStore,
  pod: KubeObject,
  q: URLSearchParams,
): void {
  const container = pickContainer(pod, q);
  if (boolParam(q, 'previous'))
    throw new ApiError(
      badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`),
    );
  const tail = intParam(q, 'tailLines', 0);
  const limitBytes = intParam(q, 'limitBytes', 1);
  const sinceSeconds = intParam(q, 'sinceSeconds', 1);
  const sinceTimeText = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTimeText)
    throw new ApiError(badRequest('at most one of sinceTime or sinceSeconds may be specified'));
  let since: bigint | undefined;
  if (sinceTimeText) {
    const ms = Date.parse(sinceTimeText);
    if (Number.isNaN(ms)) throw new ApiError(badRequest(`sinceTime: Invalid value: "${sinceTimeText}"`));
    since = BigInt(ms) * 1_000_000n;
  } else if (sinceSeconds !== undefined) {
    since = (BigInt(Date.now()) - BigInt(sinceSeconds) * 1000n) * 1_000_000n;
  }
  const timestamps = boolParam(q, 'timestamps');
  const follow = boolParam(q, 'follow');

  const key = { namespace: pod.metadata.namespace!, pod: pod.metadata.name, container };
  // In a one-container pod, lines written without a container name are that container's.
  const single = ((pod.spec as { containers?: unknown[] }).containers ?? []).length === 1;
  const podKey = { namespace: key.namespace, pod: key.pod };
  const exact = logs.read(key);
  const all = single && !exact.length ? logs.read(podKey) : exact;
  let from = since === undefined ? 0 : firstSince(all, since);
  if (tail !== undefined) from = Math.max(from, all.length - tail);

  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  let budget = limitBytes ?? Infinity;
  const stamp = timestampFormatter();
  const text = (e: LogEntry) => `${timestamps ? `${stamp(e.timeUnixNano)} ` : ''}${e.line}\n`;
  // Whether the client stopped reading (its socket's buffers are full): as a kubelet waits on a reader that does
  // not read, new lines then wait unwritten (`waiting`), not even formatted, until the client reads again.
  let blocked = false;
  const write = (t: string): boolean => {
    if (budget <= 0) return false;
    let buf = Buffer.from(t);
    if (buf.length > budget) buf = buf.subarray(0, budget);
    budget -= buf.length;
    if (!res.write(buf)) blocked = true;
    return budget > 0;
  };
  let chunk = '';
  let open = true;
  for (let i = from; i < all.length && open; i++) {
    chunk += text(all[i]);
    if (chunk.length >= CHUNK_CHARS) {
      open = write(chunk);
      chunk = '';
    }
  }
  if (open && chunk) write(chunk);
  if (!follow || budget <= 0) {
    res.end();
    return;
  }
  res.flushHeaders();
  // New lines go out together a few milliseconds after the first of them, as a kubelet reads a growing log file:
  // a chunk per line made a burst's client parse hundreds of thousands of chunks.
  let queued = '';
  let timer: NodeJS.Timeout | undefined;
  let lastFlush = -Infinity;
  let streak = 0;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const now = performance.now();
    streak = now - lastFlush <= BUSY_FLUSH_MS + FOLLOW_FLUSH_MS ? streak + 1 : 0;
    lastFlush = now;
    const t = queued;
    queued = '';
    if (t && !write(t)) {
      stopAll();
      res.end();
    }
  };
  const waiting: LogEntry[] = [];
  const stop = logs.follow(single ? podKey : key, (e) => {
    if (blocked) {
      waiting.push(e);
      return;
    }
    queued += text(e);
    if (queued.length >= (streak >= BUSY_AFTER ? BUSY_CHARS : CHUNK_CHARS)) return flush();
    if (timer) return;
    // Quiet since the last flush: the next lines (one probe's) go out promptly again.
    if (performance.now() - lastFlush > BUSY_FLUSH_MS + FOLLOW_FLUSH_MS) streak = 0;
    timer = setTimeout(flush, streak >= BUSY_AFTER ? BUSY_FLUSH_MS : FOLLOW_FLUSH_MS);
  });
  const stopAll = () => {
    stop();
    if (timer) clearTimeout(timer);
  };
  // The client reads again: what waited goes out in chunks, as long as it keeps reading.
  res.on('drain', () => {
    blocked = false;
    let i = 0;
    let open = true;
    while (i < waiting.length && !blocked && open) {
      let chunk = '';
      while (i < waiting.length && chunk.length < BUSY_CHARS) chunk += text(waiting[i++]);
      open = write(chunk);
    }
    waiting.splice(0, i);
    if (!open) {
      stopAll();
      res.end();
    }
  });
  res.on('close', stopAll);
  req.on('close', stopAll);
}
