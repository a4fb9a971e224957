// The facts of a trace summary, before any text: what an agent needs to answer "why is this request slow or
// failing", aggregated so that a 10,000-span trace gives as few entries as a 10-span one.
import type { Diagnostic, Layer, Severity, Span, Trace } from '../trace/model';
import { end, indexSpans, start, type SpanTree } from '../trace/span-index';

export interface SpanGroup {
  layer: Layer;
  service: string;
  name: string;
  count: number;
  /** The longest span of the group. */
  maxNs: number;
  /** Critical path: time owned on the path; app code: own time (children excluded). Summed over the group. */
  ownNs: number;
  /** The first span of the group, for its source and status. */
  first: Span;
}

export interface TraceFacts {
  traceId: string;
  spanCount: number;
  root?: Span;
  totalNs: number;
  layers: Layer[];
  /** Root first, in path order; consecutive spans of the same kind are one entry. */
  path: SpanGroup[];
  pathOwnNs: number;
  /** Per layer, the spans where the request entered it (their parent is in another layer), biggest first. */
  entries: { layer: Layer; groups: SpanGroup[] }[];
  /** App and downstream spans by own time, biggest first. */
  appCode: SpanGroup[];
  /** Spans with status error, by kind, in trace order. */
  errors: { group: SpanGroup; message?: string }[];
  diagnostics: { d: Diagnostic; count: number }[];
}

const LAYERS: Layer[] = ['client', 'ingress', 'app', 'downstream'];
const SEVERITY: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const dur = (s: Span) => Number(end(s) - start(s));
const groupKey = (s: Span) => `${s.layer}\u0000${s.service}\u0000${s.name}`;

export function traceFacts(trace: Pick<Trace, 'traceId' | 'spans' | 'diagnostics' | 'criticalPath'>): TraceFacts {
  const spans = trace.spans;
  const tree = indexSpans(spans);
  // Sections refer to spans by index (validated on the way in: src/protocol/trace-check.ts); skip any that do not.
  const sections = trace.criticalPath.filter((s) => spans[s.index] !== undefined);
  const first = spans[sections[0]?.index ?? -1];
  const root = first ? rootOf(first, tree) : longestRoot(tree);
  const totalNs = root ? dur(root) : extent(spans);

  // Own time on the path per span, in the order the path first reaches it.
  const ownByIndex = new Map<number, number>();
  for (const s of sections)
    ownByIndex.set(
      s.index,
      (ownByIndex.get(s.index) ?? 0) + Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)),
    );
  const path: SpanGroup[] = [];
  let pathOwnNs = 0;
  for (const [i, own] of ownByIndex) {
    const s = spans[i];
    pathOwnNs += own;
    const last = path[path.length - 1];
    if (last && groupKey(last.first) === groupKey(s)) {
      last.count++;
      last.ownNs += own;
      last.maxNs = Math.max(last.maxNs, dur(s));
    } else
      path.push({ layer: s.layer, service: s.service, name: s.name, count: 1, maxNs: dur(s), ownNs: own, first: s });
  }

  const entries = LAYERS.map((layer) => ({
    layer,
    groups: grouped(
      spans.filter((s) => s.layer === layer && tree.byId.get(s.parentSpanId ?? '')?.layer !== layer),
      () => 0,
    ).sort((a, b) => b.maxNs - a.maxNs),
  })).filter((e) => e.groups.length);

  const appCode = grouped(
    spans.filter((s) => s.layer === 'app' || s.layer === 'downstream'),
    (s) => ownTime(s, tree),
  ).sort((a, b) => b.ownNs - a.ownNs);

  const errorSpans = spans.filter((s) => s.status === 'error');
  const errors = grouped(errorSpans, () => 0).map((group) => ({ group, message: errorText(group.first) }));

  const byCode = new Map<string, { d: Diagnostic; count: number }>();
  for (const d of trace.diagnostics) {
    const k = `${d.severity}\u0000${d.code}`;
    const had = byCode.get(k);
    if (had) had.count++;
    else byCode.set(k, { d, count: 1 });
  }
  const diagnostics = [...byCode.values()].sort((a, b) => SEVERITY[a.d.severity] - SEVERITY[b.d.severity]);

  return {
    traceId: trace.traceId,
    spanCount: spans.length,
    root,
    totalNs,
    layers: LAYERS.filter((l) => spans.some((s) => s.layer === l)),
    path,
    pathOwnNs,
    entries,
    appCode,
    errors,
    diagnostics,
  };
}

/** Groups spans by layer, service and name, keeping the order in which each kind first appears. */
function grouped(spans: Span[], own: (s: Span) => number): SpanGroup[] {
  const groups = new Map<string, SpanGroup>();
  for (const s of spans) {
    const k = groupKey(s);
    const g = groups.get(k);
    if (g) {
      g.count++;
      g.maxNs = Math.max(g.maxNs, dur(s));
      g.ownNs += own(s);
    } else
      groups.set(k, {
        layer: s.layer,
        service: s.service,
        name: s.name,
        count: 1,
        maxNs: dur(s),
        ownNs: own(s),
        first: s,
      });
  }
  return [...groups.values()];
}

/** The span's time not covered by any of its children. */
function ownTime(s: Span, tree: SpanTree): number {
  const a0 = start(s);
  const b0 = end(s);
  let covered = 0n;
  let cursor = a0;
  for (const c of tree.children.get(s.spanId) ?? []) {
    // Children are sorted by start (span-index.ts).
    const a = start(c) > cursor ? start(c) : cursor;
    const b = end(c) < b0 ? end(c) : b0;
    if (b > a) {
      covered += b - a;
      cursor = b;
    }
  }
  return Math.max(0, Number(b0 - a0 - covered));
}

function errorText(s: Span): string | undefined {
  const ex = s.events.find((e) => e.name === 'exception');
  if (ex) {
    const type = ex.attributes['exception.type'];
    const message = ex.attributes['exception.message'];
    return [type, message].filter((v) => typeof v === 'string' && v).join(': ') || 'exception';
  }
  const code = s.attributes['http.response.status_code'];
  return code !== undefined ? `HTTP ${code}` : undefined;
}

/** The top of a span's parent chain (the critical path starts at the root, which may own no time itself). */
function rootOf(s: Span, tree: SpanTree): Span {
  const seen = new Set<Span>();
  let cur = s;
  for (;;) {
    seen.add(cur);
    const p = tree.byId.get(cur.parentSpanId ?? '');
    if (!p || p === cur || seen.has(p)) return cur;
    cur = p;
  }
}

function longestRoot(tree: SpanTree): Span | undefined {
  let best: Span | undefined;
  for (const r of tree.roots) if (!best || dur(r) > dur(best)) best = r;
  return best;
}

function extent(spans: Span[]): number {
  if (!spans.length) return 0;
  let a = start(spans[0]);
  let b = end(spans[0]);
  for (const s of spans) {
    if (start(s) < a) a = start(s);
    if (end(s) > b) b = end(s);
  }
  return Number(b - a);
}
