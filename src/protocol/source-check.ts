// The host never opens a path just because the webview named it: the ref must be one the current
// trace itself holds for that span. The trace's own copy is returned, so nothing from the message is used.
import type { SourceRef, Span, Trace } from '../core/trace/model';

export function sameSourceRef(a: SourceRef, b: SourceRef): boolean {
  return (
    a.kind === b.kind && a.path === b.path && a.line === b.line && a.endLine === b.endLine && a.function === b.function
  );
}

/** Every source place a span offers: its main source, the extra ones, and those of its execution-path steps. */
export function spanSourceRefs(span: Span): SourceRef[] {
  const refs: SourceRef[] = [];
  if (span.source) refs.push(span.source);
  if (span.moreSources) refs.push(...span.moreSources);
  for (const step of span.steps ?? []) {
    if (step.source) refs.push(step.source);
    if (step.ambiguous) refs.push(...step.ambiguous);
  }
  return refs;
}

/** The trace's copy of `ref` when the span with `spanId` offers it, else undefined. */
export function findSpanSourceRef(trace: Trace, spanId: string, ref: SourceRef): SourceRef | undefined {
  for (const span of trace.spans) {
    if (span.spanId !== spanId) continue; // ids can repeat in imported files, so look at every match
    const found = spanSourceRefs(span).find((r) => sameSourceRef(r, ref));
    if (found) return found;
  }
  return undefined;
}
