// Parent/child indexes over a span list; shared by assembly, skew correction and the critical path.
import type { Span } from './model';

export interface SpanTree {
  byId: Map<string, Span>;
  children: Map<string, Span[]>;
  roots: Span[];
}

export const start = (s: Span): bigint => BigInt(s.startTimeUnixNano);
export const end = (s: Span): bigint => BigInt(s.endTimeUnixNano);

export function indexSpans(spans: Span[]): SpanTree {
  const byId = new Map<string, Span>();
  for (const s of spans) if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  // A repeated span id (imports keep them) is still placed, so no span is lost from the tree.
  for (const s of spans) {
    const p = s.parentSpanId && s.parentSpanId !== s.spanId ? byId.get(s.parentSpanId) : undefined;
    if (p) (children.get(p.spanId) ?? children.set(p.spanId, []).get(p.spanId)!).push(s);
    else roots.push(s);
  }
  for (const list of children.values()) list.sort((a, b) => (start(a) < start(b) ? -1 : start(a) > start(b) ? 1 : 0));
  return { byId, children, roots };
}

/** Visits a subtree depth-first; guards against parent cycles in imported data. */
export function walk(tree: SpanTree, root: Span, fn: (s: Span, depth: number) => void, seen = new Set<Span>()): void {
  const stack: [Span, number][] = [[root, 0]];
  while (stack.length) {
    const [s, d] = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    fn(s, d);
    const kids = tree.children.get(s.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], d + 1]);
  }
}
