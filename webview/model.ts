// The trace prepared for display: times in ms from the trace start, spans grouped by layer, and
// each group ordered as a tree (depth-first, children by start time). Pure; no DOM.
import type { Layer, Span, Trace } from '../src/protocol/messages';
import { msSinceNanos, nanosMs, nanosRest, splitNanos, type NanoTime } from '../src/protocol/nanos';
import { LAYERS } from '../src/protocol/vocabulary';

export const LAYER_ORDER: readonly Layer[] = LAYERS;
export const LAYER_TITLE: Record<Layer, string> = {
  client: 'Client',
  ingress: 'Ingress',
  app: 'App',
  downstream: 'Downstream',
};

export interface SpanInfo {
  span: Span;
  index: number;
  startMs: number;
  endMs: number;
  /** index of the parent when it is in the same layer; cross-layer parents start a new root in the group */
  parent: number;
  children: number[];
  depth: number;
  /** position in its group's `order`, and one past its last descendant there */
  pos: number;
  end: number;
  critical: boolean;
  /** The part of the request's time this span owns on the critical path (0..1), when it is on it. */
  criticalShare?: number;
  error: boolean;
  hay?: string;
}

export interface LayerGroup {
  layer: Layer;
  order: number[];
  startMs: number;
  endMs: number;
  errors: number;
}

export interface TraceView {
  trace: Trace;
  spans: SpanInfo[];
  byId: Map<string, number>;
  groups: LayerGroup[];
  totalMs: number;
}

const NO_CHILDREN: number[] = [];

/** "41%" of the request owned on the critical path; under half a percent reads "<1%", never nothing. */
export function shareText(share: number | undefined): string {
  if (share === undefined) return '';
  if (share === 0) return '0%';
  return share < 0.005 ? '<1%' : `${Math.round(share * 100)}%`;
}

export function buildTraceView(trace: Trace): TraceView {
  const n = trace.spans.length;
  const base: NanoTime = n ? splitNanos(trace.spans[0].startTimeUnixNano) : { ms: 0, ns: 0 };
  for (let i = 1; i < n; i++) {
    const s = trace.spans[i].startTimeUnixNano;
    const ms = nanosMs(s);
    if (ms < base.ms || (ms === base.ms && nanosRest(s) < base.ns)) {
      base.ms = ms;
      base.ns = nanosRest(s);
    }
  }
  const owned = new Map<number, number>();
  for (const c of trace.criticalPath)
    owned.set(
      c.index,
      (owned.get(c.index) ?? 0) + msSinceNanos(c.endTimeUnixNano, base) - msSinceNanos(c.startTimeUnixNano, base),
    );
  const byId = new Map<string, number>();
  const spans: SpanInfo[] = new Array(n);
  let totalMs = 0;
  for (let i = 0; i < n; i++) {
    const span = trace.spans[i];
    const startMs = msSinceNanos(span.startTimeUnixNano, base);
    const endMs = Math.max(startMs, msSinceNanos(span.endTimeUnixNano, base));
    if (endMs > totalMs) totalMs = endMs;
    if (!byId.has(span.spanId)) byId.set(span.spanId, i);
    spans[i] = {
      span,
      index: i,
      startMs,
      endMs,
      parent: -1,
      children: NO_CHILDREN,
      depth: 0,
      pos: 0,
      end: 0,
      critical: owned.has(i),
      error: span.status === 'error',
    };
  }
  for (const info of spans) {
    const p = info.span.parentSpanId === undefined ? undefined : byId.get(info.span.parentSpanId);
    if (p !== undefined && p !== info.index && spans[p].span.layer === info.span.layer) {
      info.parent = p;
      if (spans[p].children === NO_CHILDREN) spans[p].children = [];
      spans[p].children.push(info.index);
    }
  }
  const root = spans[trace.criticalPath[0]?.index ?? -1];
  const rootMs = root ? root.endMs - root.startMs : 0;
  if (rootMs > 0) for (const [i, ms] of owned) if (spans[i]) spans[i].criticalShare = ms / rootMs;
  const byStart = (x: number, y: number) => spans[x].startMs - spans[y].startMs || x - y;
  for (const info of spans) if (info.children.length > 1) info.children.sort(byStart);

  const groups: LayerGroup[] = [];
  const byLayer = new Map<Layer, SpanInfo[]>(LAYER_ORDER.map((l) => [l, []]));
  for (const s of spans) byLayer.get(s.span.layer)?.push(s);
  for (const layer of LAYER_ORDER) {
    const members = byLayer.get(layer)!;
    if (!members.length) continue;
    const roots = members
      .filter((s) => s.parent < 0)
      .map((s) => s.index)
      .sort(byStart);
    const order: number[] = [];
    const seen = new Uint8Array(n);
    walk(spans, roots, order, seen);
    // Spans in a parent cycle are reached from no root: show them as roots rather than lose them.
    for (const s of members)
      if (!seen[s.index]) {
        s.parent = -1;
        walk(spans, [s.index], order, seen);
      }
    let startMs = Infinity;
    let endMs = 0;
    let errors = 0;
    for (const s of members) {
      startMs = Math.min(startMs, s.startMs);
      endMs = Math.max(endMs, s.endMs);
      if (s.error) errors++;
    }
    groups.push({ layer, order, startMs, endMs, errors });
  }
  return { trace, spans, byId, groups, totalMs };
}

/** Iterative depth-first walk (traces can nest thousands deep); fills pos/end/depth. A negative stack
 *  entry marks "leaving" that span, when its subtree's end is known. */
function walk(spans: SpanInfo[], roots: number[], order: number[], seen: Uint8Array): void {
  const stack: number[] = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push(roots[r]);
  const depthOf = (i: number) => (spans[i].parent >= 0 && seen[spans[i].parent] ? spans[spans[i].parent].depth + 1 : 0);
  while (stack.length) {
    const top = stack.pop()!;
    if (top < 0) {
      spans[~top].end = order.length;
      continue;
    }
    if (seen[top]) continue;
    const info = spans[top];
    info.depth = depthOf(top);
    seen[top] = 1;
    info.pos = order.length;
    order.push(top);
    stack.push(~top);
    for (let c = info.children.length - 1; c >= 0; c--) if (!seen[info.children[c]]) stack.push(info.children[c]);
  }
}

export type Row =
  { kind: 'layer'; group: LayerGroup; count: number } | { kind: 'span'; i: number; depth: number; context: boolean };

export interface RowOptions {
  collapsed: ReadonlySet<string>;
  collapsedLayers: ReadonlySet<Layer>;
  hiddenLayers: ReadonlySet<Layer>;
  query: string;
}

export function spanHaystack(info: SpanInfo): string {
  if (info.hay !== undefined) return info.hay;
  const s = info.span;
  const parts = [s.name, s.service, s.spanId];
  for (const [k, v] of Object.entries(s.attributes)) parts.push(`${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  return (info.hay = parts.join('\n').toLowerCase());
}

/** The rows to show. With a query, matching spans plus their same-layer ancestors (as context), ignoring collapse. */
export function buildRows(view: TraceView, o: RowOptions): { rows: Row[]; matches: number } {
  const rows: Row[] = [];
  const q = o.query.trim().toLowerCase();
  let matches = 0;
  for (const g of view.groups) {
    if (o.hiddenLayers.has(g.layer)) continue;
    if (!q) {
      rows.push({ kind: 'layer', group: g, count: g.order.length });
      matches += g.order.length;
      if (o.collapsedLayers.has(g.layer)) continue;
      for (let p = 0; p < g.order.length;) {
        const info = view.spans[g.order[p]];
        rows.push({ kind: 'span', i: info.index, depth: info.depth, context: false });
        p = o.collapsed.has(info.span.spanId) && info.children.length ? info.end : p + 1;
      }
      continue;
    }
    const keep = new Uint8Array(g.order.length); // 1 = context, 2 = match
    let count = 0;
    for (let p = 0; p < g.order.length; p++) {
      const info = view.spans[g.order[p]];
      if (!spanHaystack(info).includes(q)) continue;
      keep[p] = 2;
      count++;
      for (let a = info.parent; a >= 0 && !keep[view.spans[a].pos]; a = view.spans[a].parent)
        keep[view.spans[a].pos] = 1;
    }
    if (!count) continue;
    matches += count;
    rows.push({ kind: 'layer', group: g, count });
    if (o.collapsedLayers.has(g.layer)) continue;
    for (let p = 0; p < g.order.length; p++) {
      if (keep[p])
        rows.push({ kind: 'span', i: g.order[p], depth: view.spans[g.order[p]].depth, context: keep[p] === 1 });
    }
  }
  return { rows, matches };
}
