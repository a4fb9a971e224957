// The waterfall's row tree: which row shows a span, which rows are open, a row's parent row, and expanding the
// ancestors of a span. Pure functions over the rows (webview/model.ts buildRows) and the collapse state.
import type { Layer } from '../src/protocol/messages';
import type { Row, TraceView } from './model';

export interface Collapse {
  collapsed: Set<string>;
  collapsedLayers: Set<Layer>;
  hiddenLayers: Set<Layer>;
  query: string;
}

/** The row showing span `i`, or -1 when it is hidden (collapsed, filtered, its layer off). */
export function rowOfSpan(rows: Row[], i: number): number {
  if (i < 0) return -1;
  for (let p = 0; p < rows.length; p++) {
    const r = rows[p];
    if (r.kind === 'span' && r.i === i) return p;
  }
  return -1;
}

/** Make a span visible: expand its layer and every collapsed ancestor. */
export function expandTo(view: TraceView, i: number, c: Collapse): void {
  const info = view.spans[i];
  c.collapsedLayers.delete(info.span.layer);
  c.hiddenLayers.delete(info.span.layer);
  for (let a = info.parent; a >= 0; a = view.spans[a].parent) c.collapsed.delete(view.spans[a].span.spanId);
}

/** Open, closed, or undefined for a row that cannot be expanded (a leaf, or any span while filtering). */
export function isExpanded(r: Row, view: TraceView, c: Collapse): boolean | undefined {
  if (r.kind === 'layer') return !c.collapsedLayers.has(r.group.layer);
  const info = view.spans[r.i];
  if (!info.children.length || c.query) return undefined;
  return !c.collapsed.has(info.span.spanId);
}

/** The row of a row's parent span (or of its layer), for the Left key. */
export function parentRow(rows: Row[], view: TraceView, p: number): number {
  const r = rows[p];
  if (r.kind === 'layer') return -1;
  const parent = view.spans[r.i].parent;
  for (let q = p - 1; q >= 0; q--) {
    const x = rows[q];
    if (x.kind === 'layer') return q;
    if (x.i === parent) return q;
  }
  return -1;
}

/** A row's open/closed state as part of its paint key: a row is repainted when it changes. */
export function expandKey(r: Row, view: TraceView | undefined, c: Collapse): string {
  if (r.kind === 'layer') return c.collapsedLayers.has(r.group.layer) ? 'c' : 'e';
  return view && c.collapsed.has(view.spans[r.i].span.spanId) ? 'c' : 'e';
}
