// Zipkin lets a client and the server it called report the same span id (the server half has `shared: true`).
// Kubetrace merges such a pair into one span, the client's, and keeps everything the server half said on it.
import type { Span } from '../../trace/model';
import type { ZipkinSpan } from './span';

export const SERVER_PREFIX = 'zipkin.server.';

/** Merges client/server pairs in place of their halves; returns the spans and how many pairs merged. */
export function mergeShared(spans: ZipkinSpan[]): { spans: ZipkinSpan[]; merged: number } {
  const byId = new Map<string, ZipkinSpan[]>();
  for (const s of spans) {
    const list = byId.get(s.span.spanId);
    if (list) list.push(s);
    else byId.set(s.span.spanId, [s]);
  }
  const drop = new Set<ZipkinSpan>();
  let merged = 0;
  for (const list of byId.values()) {
    if (list.length !== 2) continue; // anything else stays as duplicates, with a diagnostic later
    const server = list.find((s) => s.shared);
    const client = list.find((s) => !s.shared);
    if (!server || !client) continue;
    mergeInto(client, server);
    drop.add(server);
    merged++;
  }
  return { spans: spans.filter((s) => !drop.has(s)), merged };
}

function mergeInto(client: ZipkinSpan, server: ZipkinSpan): void {
  const c = client.span;
  const s = server.span;
  const a = c.attributes;
  a[`${SERVER_PREFIX}service`] = s.service;
  if (server.local.address) a[`${SERVER_PREFIX}address`] = server.local.address;
  if (server.local.port !== undefined) a[`${SERVER_PREFIX}port`] = server.local.port;
  if (s.name !== c.name) a[`${SERVER_PREFIX}name`] = s.name;
  if (server.hasTimestamp) {
    a[`${SERVER_PREFIX}start_time_unix_nano`] = s.startTimeUnixNano;
    a[`${SERVER_PREFIX}end_time_unix_nano`] = s.endTimeUnixNano;
  }
  for (const [k, v] of Object.entries(s.attributes)) {
    if (k === 'network.local.address' || k === 'network.local.port') continue; // recorded above as the server's address
    if (!(k in a)) a[k] = v;
    else if (JSON.stringify(a[k]) !== JSON.stringify(v)) a[`${SERVER_PREFIX}${k}`] = v;
  }
  c.events = [...c.events, ...s.events].sort(byTime);
  if (s.status === 'error' || (c.status === 'unset' && s.status === 'ok')) c.status = s.status;
  if (c.parentSpanId === undefined && s.parentSpanId !== undefined) c.parentSpanId = s.parentSpanId;
  if (!client.hasTimestamp && server.hasTimestamp) {
    c.startTimeUnixNano = s.startTimeUnixNano;
    c.endTimeUnixNano = s.endTimeUnixNano;
    client.hasTimestamp = true;
  }
  if (c.service === 'unknown') c.service = s.service;
}

function byTime(x: Span['events'][number], y: Span['events'][number]): number {
  const d = BigInt(x.timeUnixNano) - BigInt(y.timeUnixNano);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
