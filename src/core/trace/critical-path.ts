// The critical path: from the root, the chain of work that the root's end waited for. Walking back from a
// span's end, the last child to finish is on the path; before that child started, the next one, and so on.
import type { Span } from './model';
import { end, indexSpans, start, type SpanTree } from './span-index';

export function criticalPath(spans: Span[], rootId?: string): string[] {
  const tree = indexSpans(spans);
  const root = (rootId && tree.byId.get(rootId)) || pickRoot(tree);
  if (!root) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (s: Span) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    out.push(s.spanId);
    let cursor = end(s);
    const kids = [...(tree.children.get(s.spanId) ?? [])].sort((a, b) =>
      end(b) > end(a) ? 1 : end(b) < end(a) ? -1 : 0,
    );
    const onPath: Span[] = [];
    for (const k of kids) {
      // The first is the last child to finish; each next one must finish before the previous one started.
      if (onPath.length && end(k) > cursor) continue;
      if (start(k) >= cursor) continue;
      onPath.push(k);
      cursor = start(k);
      if (cursor <= start(s)) break;
    }
    for (const k of onPath.reverse()) visit(k);
  };
  visit(root);
  return out;
}

function pickRoot(tree: SpanTree): Span | undefined {
  let best: Span | undefined;
  for (const r of tree.roots) if (!best || end(r) - start(r) > end(best) - start(best)) best = r;
  return best;
}
