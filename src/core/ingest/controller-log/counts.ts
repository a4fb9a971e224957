// How many lines of each class a controller log held, and the sentence that reports them.
import type { FormatFamily } from './classify';

export interface LineCounts {
  requests: number;
  byFamily: Partial<Record<FormatFamily, number>>;
  /** nginx error-log lines at warn level or above (the ones that can explain a request). */
  nginxErrors: number;
  /** Of those, attached to a request as an event. */
  attached: number;
  /** nginx error-log lines below warn: debug, info, notice. */
  nginxNotices: number;
  /** klog, the start banner, the proxy's own diagnostics. */
  controller: number;
  stream: number;
  json: number;
  other: number;
  /** Access-looking lines that could not be read (each one is also reported as a warning). */
  unreadable: number;
}

export const emptyCounts = (): LineCounts => ({
  requests: 0,
  byFamily: {},
  nginxErrors: 0,
  attached: 0,
  nginxNotices: 0,
  controller: 0,
  stream: 0,
  json: 0,
  other: 0,
  unreadable: 0,
});

/** Adds the counts of more lines into `into`. */
export function addCounts(into: LineCounts, c: LineCounts): void {
  into.requests += c.requests;
  for (const [f, n] of Object.entries(c.byFamily) as [FormatFamily, number][])
    into.byFamily[f] = (into.byFamily[f] ?? 0) + n;
  into.nginxErrors += c.nginxErrors;
  into.attached += c.attached;
  into.nginxNotices += c.nginxNotices;
  into.controller += c.controller;
  into.stream += c.stream;
  into.json += c.json;
  into.other += c.other;
  into.unreadable += c.unreadable;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `412 requests, 23 nginx error lines (3 attached to requests), 51 controller lines, 0 unreadable` */
export function describeCounts(c: LineCounts): string {
  const parts = [plural(c.requests, 'request')];
  if (c.nginxErrors) parts.push(`${plural(c.nginxErrors, 'nginx error line')} (${c.attached} attached to requests)`);
  if (c.nginxNotices) parts.push(plural(c.nginxNotices, 'nginx notice/debug line'));
  if (c.controller) parts.push(plural(c.controller, 'controller line'));
  if (c.stream) parts.push(plural(c.stream, 'stream line'));
  if (c.json) parts.push(plural(c.json, 'other JSON line'));
  if (c.other) parts.push(plural(c.other, 'other line'));
  parts.push(`${c.unreadable} unreadable`);
  return parts.join(', ');
}
