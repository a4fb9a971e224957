// Checks a request set's report (src/core/burst/model.ts) before the webview draws it, and the filters and
// comparisons that go with it. A report may come from a hostile access log, so every string is bounded, every
// number finite and in range, every list capped. Each check rebuilds its object from the checked fields only:
// a field the model does not name is dropped, never carried to the panel.
import type {
  BurstDifference,
  BurstEntry,
  BurstLive,
  BurstReport,
  ErrorStats,
  HistogramBin,
  LayerStats,
  PodStats,
  RequestFilter,
  RequestSummary,
  SpanStats,
  Stats,
  Tail,
} from './messages';
import { STATUS_CLASSES } from './messages';
import { Bad, arr, at, int, nanos, num, obj, oneOf, onlyKeys, optNum, optStr, str, type Obj } from './check';
import type { Diagnostic } from './messages';
import { MAX_ID, MAX_PATH } from './trace-check';
import { LAYERS, SEVERITIES } from './vocabulary';

const MAX_NAME = 1024;
const MAX_TEXT = 10_000;
const MAX_COUNT = 1e12;
const MAX_MS = 1e12;
/** Lists of a report; `probes` is one entry per request the view can draw and open. */
const CAP = { layers: 16, spans: 10_000, tails: 16, pods: 10_000, failures: 1_000, retries: 10_000 } as const;
const CAP_BINS = 1_000;
const CAP_PROBES = 200_000;
const CAP_DIAGS = 1_000;

const count = (o: Obj, path: string, key: string) => int(o[key], path, key, 0, MAX_COUNT);
const ms = (o: Obj, path: string, key: string) => num(o[key], path, key, 0, MAX_MS);
const list = <T>(o: Obj, path: string, key: string, max: number, f: (x: unknown, p: string, i: number) => T): T[] =>
  arr(o[key], path, key, max).map((x, i) => f(x, at(path, key), i));

function stats(o: Obj, path: string): Stats {
  return {
    count: count(o, path, 'count'),
    p50: ms(o, path, 'p50'),
    p90: ms(o, path, 'p90'),
    p99: ms(o, path, 'p99'),
    max: ms(o, path, 'max'),
  };
}

function layerStats(x: unknown, parent: string, i: number): LayerStats {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  return { ...stats(o, path), layer: oneOf(o.layer, LAYERS, path, 'layer'), share: num(o.share, path, 'share', 0, 1) };
}

function spanStats(x: unknown, parent: string, i: number): SpanStats {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  return {
    ...stats(o, path),
    layer: oneOf(o.layer, LAYERS, path, 'layer'),
    service: str(o.service, path, 'service', MAX_NAME),
    name: str(o.name, path, 'name', MAX_NAME),
  };
}

function tail(x: unknown, parent: string, key: string | number): Tail {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  const t: Tail = {
    percentile: num(o.percentile, path, 'percentile', 0, 100),
    thresholdMs: ms(o, path, 'thresholdMs'),
    medianMs: ms(o, path, 'medianMs'),
    extraMs: num(o.extraMs, path, 'extraMs', -MAX_MS, MAX_MS),
    layers: list(o, path, 'layers', CAP.layers, (y, p, j) => {
      const l = obj(y, p, j);
      const lp = at(p, j);
      return {
        layer: oneOf(l.layer, LAYERS, lp, 'layer'),
        medianShare: num(l.medianShare, lp, 'medianShare', 0, 1),
        tailShare: num(l.tailShare, lp, 'tailShare', 0, 1),
        delta: num(l.delta, lp, 'delta', -1, 1),
      };
    }),
    sentence: str(o.sentence, path, 'sentence', MAX_TEXT),
  };
  if (o.biggest !== undefined) {
    const b = obj(o.biggest, path, 'biggest');
    const bp = at(path, 'biggest');
    t.biggest = {
      layer: oneOf(b.layer, LAYERS, bp, 'layer'),
      service: str(b.service, bp, 'service', MAX_NAME),
      name: str(b.name, bp, 'name', MAX_NAME),
      extraMs: num(b.extraMs, bp, 'extraMs', -MAX_MS, MAX_MS),
    };
  }
  return t;
}

function pod(x: unknown, parent: string, i: number): PodStats {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  return {
    pod: str(o.pod, path, 'pod', MAX_NAME),
    count: count(o, path, 'count'),
    p50: ms(o, path, 'p50'),
    p99: ms(o, path, 'p99'),
    errors: count(o, path, 'errors'),
  };
}

function failure(x: unknown, parent: string, i: number): ErrorStats {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  const f: ErrorStats = { layer: oneOf(o.layer, LAYERS, path, 'layer'), count: count(o, path, 'count') };
  if (o.status !== undefined) f.status = int(o.status, path, 'status', 0, 999);
  const example = optStr(o.example, path, 'example', MAX_TEXT);
  if (example !== undefined) f.example = example;
  return f;
}

function bin(x: unknown, parent: string, i: number): HistogramBin {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  const b = { lowerMs: ms(o, path, 'lowerMs'), upperMs: ms(o, path, 'upperMs'), count: count(o, path, 'count') };
  if (b.upperMs < b.lowerMs) throw new Bad(`${path}.upperMs: is below lowerMs`);
  return b;
}

function request(x: unknown, parent: string, i: number): RequestSummary {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  if (typeof o.complete !== 'boolean') throw new Bad(`${path}.complete: expected true or false`);
  if (typeof o.newConnection !== 'boolean') throw new Bad(`${path}.newConnection: expected true or false`);
  const r: RequestSummary = {
    traceId: str(o.traceId, path, 'traceId', MAX_ID, 1),
    startUnixNano: nanos(o.startUnixNano, path, 'startUnixNano'),
    durationMs: ms(o, path, 'durationMs'),
    complete: o.complete,
    newConnection: o.newConnection,
  };
  if (o.status !== undefined) r.status = int(o.status, path, 'status', 0, 999);
  const extra = {
    pod: optStr(o.pod, path, 'pod', MAX_NAME),
    method: optStr(o.method, path, 'method', 64),
    path: optStr(o.path, path, 'path', MAX_PATH),
    error: optStr(o.error, path, 'error', MAX_TEXT),
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (r as unknown as Obj)[k] = v;
  return r;
}

function diagnostic(x: unknown, parent: string, i: number): Diagnostic {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  const d: Diagnostic = {
    code: str(o.code, path, 'code', 256),
    severity: oneOf(o.severity, SEVERITIES, path, 'severity'),
    message: str(o.message, path, 'message', MAX_TEXT),
  };
  const hint = optStr(o.hint, path, 'hint', MAX_TEXT);
  const spanId = optStr(o.spanId, path, 'spanId', MAX_ID);
  if (hint !== undefined) d.hint = hint;
  if (spanId !== undefined) d.spanId = spanId;
  return d;
}

export function checkBurstReport(x: unknown, parent: string, key: string): BurstReport {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  return {
    route: str(o.route, path, 'route', MAX_TEXT),
    requests: count(o, path, 'requests'),
    completed: count(o, path, 'completed'),
    errors: count(o, path, 'errors'),
    durationMs: ms(o, path, 'durationMs'),
    rps: num(o.rps, path, 'rps', 0, 1e9),
    layers: list(o, path, 'layers', CAP.layers, layerStats),
    spans: list(o, path, 'spans', CAP.spans, spanStats),
    tail: tail(o.tail, path, 'tail'),
    tails: list(o, path, 'tails', CAP.tails, tail),
    pods: list(o, path, 'pods', CAP.pods, pod),
    failures: list(o, path, 'failures', CAP.failures, failure),
    retries: list(o, path, 'retries', CAP.retries, (y, p, i) => {
      const r = obj(y, p, i);
      const rp = at(p, i);
      return { upstream: str(r.upstream, rp, 'upstream', MAX_NAME), retries: count(r, rp, 'retries') };
    }),
    histogram: list(o, path, 'histogram', CAP_BINS, bin),
    probes: list(o, path, 'probes', CAP_PROBES, request),
    diagnostics: list(o, path, 'diagnostics', CAP_DIAGS, diagnostic),
  };
}

export function checkBurstLive(x: unknown, parent: string, key: string): BurstLive {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  onlyKeys(o, ['sent', 'answered', 'traced', 'errors', 'p50', 'p99'], path);
  const live: BurstLive = {
    sent: count(o, path, 'sent'),
    answered: count(o, path, 'answered'),
    traced: count(o, path, 'traced'),
    errors: count(o, path, 'errors'),
  };
  const p50 = optNum(o.p50, path, 'p50', 0, MAX_MS);
  const p99 = optNum(o.p99, path, 'p99', 0, MAX_MS);
  if (p50 !== undefined) live.p50 = p50;
  if (p99 !== undefined) live.p99 = p99;
  return live;
}

/** Strict: a filter comes back from the webview and narrows what the host computes. */
export function checkFilter(x: unknown, parent: string, key: string): RequestFilter {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  onlyKeys(o, ['status', 'path', 'upstream', 'fromUnixNano', 'toUnixNano'], path);
  const f: RequestFilter = {};
  if (typeof o.status === 'number') f.status = int(o.status, path, 'status', 100, 999);
  else if (o.status !== undefined) f.status = oneOf(o.status, STATUS_CLASSES, path, 'status');
  const p = optStr(o.path, path, 'path', MAX_PATH);
  if (p !== undefined) f.path = p;
  const upstream = optStr(o.upstream, path, 'upstream', MAX_NAME);
  if (upstream !== undefined) f.upstream = upstream;
  if (o.fromUnixNano !== undefined) f.fromUnixNano = nanos(o.fromUnixNano, path, 'fromUnixNano');
  if (o.toUnixNano !== undefined) f.toUnixNano = nanos(o.toUnixNano, path, 'toUnixNano');
  return f;
}

export function checkBurstEntry(x: unknown, parent: string, key: string): BurstEntry {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  onlyKeys(o, ['requests', 'errors', 'p50Ms', 'p99Ms'], path);
  return {
    requests: count(o, path, 'requests'),
    errors: count(o, path, 'errors'),
    p50Ms: ms(o, path, 'p50Ms'),
    p99Ms: ms(o, path, 'p99Ms'),
  };
}

export function checkDifference(x: unknown, parent: string, i: number): BurstDifference {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  onlyKeys(o, ['what', 'a', 'b', 'severity'], path);
  const side = (k: 'a' | 'b') => (typeof o[k] === 'number' ? num(o[k], path, k) : str(o[k], path, k, MAX_TEXT));
  const d: BurstDifference = {
    what: str(o.what, path, 'what', MAX_TEXT),
    severity: oneOf(o.severity, SEVERITIES, path, 'severity'),
  };
  if (o.a !== undefined) d.a = side('a');
  if (o.b !== undefined) d.b = side('b');
  return d;
}
