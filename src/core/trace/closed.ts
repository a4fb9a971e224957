// Stand-in until the lead's treeClosed lands on main (the merge takes theirs): a span tree is closed when every
// span's parent is in the set and there is exactly one root.
import type { Span } from './model';

export function treeClosed(spans: Span[]): boolean {
  const ids = new Set(spans.map((s) => s.spanId));
  let roots = 0;
  for (const s of spans) {
    if (!s.parentSpanId) roots++;
    else if (!ids.has(s.parentSpanId)) return false;
  }
  return roots === 1;
}
