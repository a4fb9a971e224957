// One request's numbers, taken from its trace so that the trace itself need not be kept (docs/ARCHITECTURE.md,
// "Request sets and bursts: the breakdown"). Layer time is critical-path time: each section's time goes to its span's
// layer, and the root's time that no section covers goes to the root's layer, so a request's layer times sum to its
// duration.
import type { Layer, Span, Trace } from '../trace/model';
import { criticalPath } from '../trace/critical-path';
import { LAYERS } from '../../protocol/vocabulary';
import type { RequestSummary } from './model';

/** A span row of the breakdown: layer, service and name joined by NUL (which none of them can hold in a report). */
export type SpanKey = string;
export const spanKey = (layer: Layer, service: string, name: string): SpanKey => `${layer}\0${service}\0${name}`;
export function splitKey(key: SpanKey): { layer: Layer; service: string; name: string } {
  const [layer, service, name] = key.split('\0');
  return { layer: layer as Layer, service, name };
}

/** The name of the row for the ingress's time before its first upstream try (routing, rate limits, auth, queueing). */
export const BEFORE_UPSTREAM = ' (before upstream)';
const NO_TRACE = '(no trace)';

export interface RequestMeasure {
  durationMs: number;
  /** Start of the request (the trace's root, else the summary's start), in Unix nanoseconds. */
  startNs: bigint;
  /** Critical-path time per layer, indexed like LAYERS; sums to durationMs. */
  layerMs: number[];
  /** One entry per span: its key and duration. */
  spans: [SpanKey, number][];
  /** Critical-path time per span key; sums to durationMs. */
  owned: Map<SpanKey, number>;
  pod?: string;
  status?: number;
  /** Set for failed requests (no response, or status >= 500): the layer that failed them. */
  failedLayer?: Layer;
  error?: string;
  /** The upstream (pod, else address) of every try that was retried. */
  retried: string[];
}

const nanos = (v: string): bigint => {
  try {
    return BigInt(v);
  } catch {
    return 0n;
  }
};
const ms = (ns: bigint): number => Number(ns) / 1e6;

export function measureRequest(trace: Trace, request: RequestSummary): RequestMeasure {
  const { spans } = trace;
  const layerMs = LAYERS.map(() => 0);
  const owned = new Map<SpanKey, number>();
  const out: RequestMeasure = {
    durationMs: 0,
    startNs: nanos(request.startUnixNano),
    layerMs,
    spans: [],
    owned,
    retried: [],
  };
  const sections = trace.criticalPath.length || !spans.length ? trace.criticalPath : criticalPath(spans).sections;
  const root = spans[sections[0]?.index ?? -1];
  // Each span's times and key, parsed once.
  const st = spans.map((x) => nanos(x.startTimeUnixNano));
  const en = spans.map((x) => nanos(x.endTimeUnixNano));
  const keys = spans.map((x) => spanKey(x.layer, x.service, x.name));
  if (!root) {
    // No span (the request got no answer, or nothing was traced): all its time is the client's.
    out.durationMs = Math.max(0, request.durationMs);
    layerMs[LAYERS.indexOf('client')] = out.durationMs;
    owned.set(spanKey('client', 'client', NO_TRACE), out.durationMs);
  } else {
    const start = st[sections[0].index];
    const end = en[sections[0].index];
    const total = end > start ? end - start : 0n;
    out.startNs = start;
    out.durationMs = ms(total);
    const ownedNs = new Map<number, bigint>();
    let covered = 0n;
    for (const c of sections) {
      const d = nanos(c.endTimeUnixNano) - nanos(c.startTimeUnixNano);
      if (d <= 0n) continue;
      covered += d;
      ownedNs.set(c.index, (ownedNs.get(c.index) ?? 0n) + d);
    }
    const rootIndex = sections[0].index;
    if (total > covered) ownedNs.set(rootIndex, (ownedNs.get(rootIndex) ?? 0n) + total - covered);
    // Summed in nanoseconds and turned into milliseconds once, so the numbers do not depend on the section order.
    const layerNs = LAYERS.map(() => 0n);
    const keyNs = new Map<SpanKey, bigint>();
    for (const [i, d] of ownedNs) {
      layerNs[LAYERS.indexOf(spans[i].layer)] += d;
      keyNs.set(keys[i], (keyNs.get(keys[i]) ?? 0n) + d);
    }
    layerNs.forEach((d, k) => (layerMs[k] = ms(d)));
    for (const [k, d] of keyNs) owned.set(k, ms(d));
    spans.forEach((_, i) => out.spans.push([keys[i], en[i] > st[i] ? ms(en[i] - st[i]) : 0]));
  }
  const tries: number[] = [];
  spans.forEach((x, i) => x.name === 'upstream.attempt' && tries.push(i));
  tries.sort((a, b) => (st[a] < st[b] ? -1 : st[a] > st[b] ? 1 : a - b));
  const attempts = tries.map((i) => spans[i]);
  const ing = spans.findIndex((x) => x.layer === 'ingress' && x.kind === 'server');
  const ingress = spans[ing];
  if (ingress && tries.length) {
    const d = st[tries[0]] - st[ing];
    out.spans.push([spanKey('ingress', ingress.service, ingress.name + BEFORE_UPSTREAM), d > 0n ? ms(d) : 0]);
  }
  const last = attempts[attempts.length - 1];
  const app = spans.find((s) => s.layer === 'app' && s.kind === 'server');
  out.pod = upstreamOf(last, app) ?? request.pod;
  for (const a of attempts.slice(0, -1)) out.retried.push(upstreamOf(a) ?? '?');
  out.status = request.status ?? statusOf(ingress ?? root);
  // A request without a status failed only when it did not complete (a trace file's request may just not say).
  if (out.status === undefined ? !request.complete : out.status >= 500) {
    // No answer at all is the client's to report; a 5xx is the app's when the app (or the upstream nginx asked)
    // produced it, else the ingress's own (no upstream reached, or one that never answered).
    const upstreamStatus = last ? statusOf(last) : undefined;
    out.failedLayer =
      out.status === undefined
        ? 'client'
        : app || (upstreamStatus !== undefined && upstreamStatus >= 500)
          ? 'app'
          : 'ingress';
    out.error = request.error ?? errorMessage(spans);
  }
  return out;
}

function upstreamOf(attempt: Span | undefined, app?: Span): string | undefined {
  const pod = attempt?.attributes['kubetrace.pod'] ?? app?.attributes['kubetrace.pod'];
  if (typeof pod === 'string' && pod) return pod;
  const addr = attempt?.attributes['nginx.upstream_addr'];
  return typeof addr === 'string' && addr ? addr : undefined;
}

function statusOf(s: Span | undefined): number | undefined {
  return httpStatus(s?.attributes['http.response.status_code']);
}

/** An HTTP status as a span's attribute may hold it (number or text), when it is one. */
export function httpStatus(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The first nginx error line or exception the trace carries. */
function errorMessage(spans: Span[]): string | undefined {
  for (const s of spans)
    for (const e of s.events) {
      const m =
        e.name === 'exception'
          ? e.attributes['exception.message']
          : e.name === 'nginx.error'
            ? e.attributes.message
            : undefined;
      if (typeof m === 'string' && m) return m.slice(0, 300);
    }
  return undefined;
}

/** A request's summary from its trace alone (an access-log line, an imported trace). */
export function summarizeRequest(trace: Trace): RequestSummary {
  const sections = trace.criticalPath;
  const root = trace.spans[sections[0]?.index ?? -1] ?? trace.spans[0];
  const start = root ? nanos(root.startTimeUnixNano) : 0n;
  const end = root ? nanos(root.endTimeUnixNano) : 0n;
  const ingress = trace.spans.find((s) => s.layer === 'ingress' && s.kind === 'server') ?? root;
  const attr = (k: string) =>
    typeof ingress?.attributes[k] === 'string' ? (ingress.attributes[k] as string) : undefined;
  const status = statusOf(ingress);
  const out: RequestSummary = {
    traceId: trace.traceId,
    startUnixNano: String(start),
    durationMs: end > start ? ms(end - start) : 0,
    // An access line is a completed request; a trace file's request completed when it has a span.
    complete: status !== undefined || trace.spans.length > 0,
    newConnection: false,
  };
  if (status !== undefined) out.status = status;
  const method = attr('http.request.method');
  const path = attr('url.path');
  if (method) out.method = method;
  if (path !== undefined) out.path = path;
  return out;
}
