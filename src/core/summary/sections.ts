// The critical path as sections: the time each span owns on it, root first. This one adapter reads both the
// older shape (a list of span ids) and the section shape, so the summary never depends on which one a trace has.
import type { Span } from '../trace/model';

export interface Section {
  spanId: string;
  /** The span's position in trace.spans, so repeated span ids stay unambiguous. */
  index: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

interface SectionLike {
  spanId?: unknown;
  index?: unknown;
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
}

export function criticalSections(trace: { spans: Span[]; criticalPath: readonly unknown[] }): Section[] {
  const path = trace.criticalPath ?? [];
  if (path.every((p) => typeof p === 'string')) return fromIds(trace.spans, path as string[]);
  const out: Section[] = [];
  for (const p of path) {
    if (!p || typeof p !== 'object') continue;
    const s = p as SectionLike;
    const index = typeof s.index === 'number' ? s.index : trace.spans.findIndex((x) => x.spanId === s.spanId);
    const span = trace.spans[index];
    if (!span) continue;
    out.push({
      spanId: span.spanId,
      index,
      startTimeUnixNano: decimal(s.startTimeUnixNano) ?? span.startTimeUnixNano,
      endTimeUnixNano: decimal(s.endTimeUnixNano) ?? span.endTimeUnixNano,
    });
  }
  return out;
}

const decimal = (v: unknown): string | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? v : undefined);

/**
 * The id list names the spans on the path; each span owns its window minus the windows of the path spans
 * under it (the children it waited for).
 */
function fromIds(spans: Span[], ids: string[]): Section[] {
  const indexOf = new Map<string, number>();
  spans.forEach((s, i) => {
    if (!indexOf.has(s.spanId)) indexOf.set(s.spanId, i);
  });
  const onPath = ids.map((id) => indexOf.get(id)).filter((i): i is number => i !== undefined);
  // The path spans under each parent, so every span finds its path children without a scan of the whole path.
  const pathKids = new Map<string, Span[]>();
  for (const j of onPath) {
    const c = spans[j];
    if (c.parentSpanId && c.parentSpanId !== c.spanId)
      (pathKids.get(c.parentSpanId) ?? pathKids.set(c.parentSpanId, []).get(c.parentSpanId)!).push(c);
  }
  const out: Section[] = [];
  for (const i of onPath) {
    const span = spans[i];
    const holes = (pathKids.get(span.spanId) ?? [])
      .map((c) => [BigInt(c.startTimeUnixNano), BigInt(c.endTimeUnixNano)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let cursor = BigInt(span.startTimeUnixNano);
    const stop = BigInt(span.endTimeUnixNano);
    const push = (a: bigint, b: bigint) => {
      if (b > a) out.push({ spanId: span.spanId, index: i, startTimeUnixNano: `${a}`, endTimeUnixNano: `${b}` });
    };
    for (const [a, b] of holes) {
      push(cursor, a < stop ? a : stop);
      if (b > cursor) cursor = b;
    }
    push(cursor, stop);
    // A span its children cover completely is still on the path (the root often is): it owns nothing.
    if (!out.length || out[out.length - 1].index !== i)
      out.push({
        spanId: span.spanId,
        index: i,
        startTimeUnixNano: span.startTimeUnixNano,
        endTimeUnixNano: span.startTimeUnixNano,
      });
  }
  return out;
}
