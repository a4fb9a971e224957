// Puts each span inside the parent that physically contains it, respecting how finely each source knows time.
// Only edges between services are checked: inside one process a child that outlives its parent is real (async).
//  - Within the coarser side's resolution (precision.ts), the coarse side moves, silently: a coarse child (the
//    nginx span from the access log) is shifted, or trimmed, into its finer parent (the client's window); a coarse
//    parent (an `upstream.attempt`) is widened to cover the finer child (the app server span) it forwarded to.
//  - Beyond it, the offset is clock skew and is corrected as Jaeger's adjuster does: the child, with its subtree,
//    is centred inside its parent, with a note naming the coarse source and the offset.
//  - A span from a log that lasts longer than its finer parent by more than the resolution is scaled into it, with
//    a warning: its own durations are the less exact ones.
import type { Diagnostic, Span } from './model';
import { FINE, MS, precisionOf, type Precision } from './precision';
import { end, indexSpans, start, type SpanTree } from './span-index';

const LOG_ORIGINS = new Set<Span['origin']>(['nginx-log', 'nginx-debug', 'app-log']);

export function correctClockSkew(spans: Span[]): Diagnostic[] {
  // Only edges between services are checked, so a one-service trace (each access-log line's) has nothing to fit.
  if (spans.every((s) => s.service === spans[0].service)) return [];
  const tree = indexSpans(spans);
  const prec = precisionOf(spans);
  const diagnostics: Diagnostic[] = [];
  const parentOf = (s: Span) =>
    s.parentSpanId !== undefined && s.parentSpanId !== s.spanId ? tree.byId.get(s.parentSpanId) : undefined;
  const seen = new Set<Span>();
  // Top-down, so each parent is already in place when its children are checked.
  const stack = [...tree.roots].reverse();
  while (stack.length) {
    const child = stack.pop()!;
    if (seen.has(child)) continue;
    seen.add(child);
    const parent = parentOf(child);
    if (parent && parent.service !== child.service && !inside(child, parent)) {
      diagnostics.push(...fit(tree, parent, child, prec(parent), prec(child), parentOf));
    }
    const kids = tree.children.get(child.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i] !== child) stack.push(kids[i]);
  }
  return diagnostics;
}

function fit(
  tree: SpanTree,
  parent: Span,
  child: Span,
  pp: Precision,
  cp: Precision,
  parentOf: (s: Span) => Span | undefined,
): Diagnostic[] {
  const [ps, pe, cs, ce] = [start(parent), end(parent), start(child), end(child)];
  const pd = pe - ps;
  const cd = ce - cs;
  const early = ps - cs;
  const late = ce - pe;
  // Within the parent's resolution, a coarse parent (and its coarse ancestors) widens to cover the child.
  const rp = pp.resolution;
  if (rp > FINE && early <= rp && late <= rp && widen(parent, cs, ce, parentOf)) return [];
  // Within the child's resolution, a coarse child moves into the parent, or is trimmed to it when longer.
  const r = cp.resolution;
  if (r > FINE || r >= rp) {
    if (cd <= pd) {
      const delta = early > 0n ? early : -late;
      if (abs(delta) <= r) {
        moveGroup(tree, child, (x) => x + delta);
        return [];
      }
    } else if (early <= r && late <= r) {
      trimGroup(tree, child, ps, pe);
      return [];
    }
  }
  if (cd <= pd) return [centre(tree, parent, child, rp > r ? pp : cp, 'its parent', requestStart(tree, parent, child))];
  // A child with exact durations outlasting the log-derived span that forwarded to it: the log is what is off.
  if (LOG_ORIGINS.has(parent.origin) && !LOG_ORIGINS.has(child.origin))
    return widenToExact(tree, parent, child, pp, parentOf);
  // Both exact: a server span outlasting the client call it answered was closed after its response left (as
  // below); other kinds of work in another service (a consumer after its producer) may outlive their parent.
  if (!LOG_ORIGINS.has(child.origin))
    return child.kind === 'server' && parent.kind === 'client' ? [clipLate(tree, parent, child)] : [];
  // Scaled into the request window: a server span cannot start before the client has connected.
  const ws = requestStart(tree, parent, child) ?? ps;
  moveGroup(tree, child, (x) => ws + ((x - cs) * (pe - ws)) / cd);
  return [
    {
      code: 'coarse-span-scaled',
      severity: 'warning',
      spanId: child.spanId,
      message:
        `${child.service} "${child.name}" lasts ${fmtMs(cd)} by ${cp.source} (${fmtMs(r)} resolution), longer than ` +
        `its parent ${parent.service} "${parent.name}" (${fmtMs(pd)}), which must contain it; it and its phases are ` +
        `shown scaled into the parent, in the same order`,
      hint: `the parent's times are finer than ${cp.source}; the ${fmtMs(cd - pd)} difference is in the coarse source`,
    },
  ];
}

/**
 * Widens a log-derived span (and its log-derived ancestors) to cover a longer child whose duration is exact. When
 * the child does not fit the window around that group (the client's), it is first centred there as clock skew.
 */
function widenToExact(
  tree: SpanTree,
  parent: Span,
  child: Span,
  pp: Precision,
  parentOf: (s: Span) => Span | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  let top = parent;
  for (let p = parentOf(top); p && p.service === parent.service && p.origin === parent.origin; p = parentOf(p)) {
    if (p === parent) break;
    top = p;
  }
  const outer = parentOf(top);
  const cd = end(child) - start(child);
  if (outer && outer.service !== top.service && !inside(child, outer)) {
    if (cd > end(outer) - start(outer)) out.push(clipLate(tree, outer, child));
    else out.push(centre(tree, outer, child, pp, 'the span around its parent'));
  }
  const pd = end(parent) - start(parent);
  if (!widen(parent, start(child), end(child), parentOf)) return out;
  out.push({
    code: 'coarse-span-widened',
    severity: 'info',
    spanId: parent.spanId,
    message:
      `${parent.service} "${parent.name}" lasts ${fmtMs(pd)} by ${pp.source}, less than ${child.service} ` +
      `"${child.name}" (${fmtMs(cd)}), which it waited on; it was widened to cover it`,
    hint: `${pp.source} has ${fmtMs(pp.resolution)} resolution; the child's duration is measured exactly`,
  });
  return out;
}

/**
 * A server span that outlasts the whole exchange the client saw was closed after its response left (an SDK that ends
 * the span on the response's `finish` event, on a busy event loop): no shift can fit it, so it is cut at the end of
 * the window that must contain it, with its subtree clamped into the cut span, and a note with the cut.
 */
function clipLate(tree: SpanTree, outer: Span, child: Span): Diagnostic {
  const [os, oe, cs, ce] = [start(outer), end(outer), start(child), end(child)];
  const lo = clamp(cs, requestStart(tree, outer, child) ?? os, oe);
  const visited = new Set<Span>();
  const stack = [child];
  while (stack.length) {
    const s = stack.pop()!;
    if (visited.has(s)) continue;
    visited.add(s);
    const a = clamp(start(s), lo, oe);
    s.startTimeUnixNano = String(a);
    s.endTimeUnixNano = String(clamp(end(s), a, oe));
    stack.push(...(tree.children.get(s.spanId) ?? []).filter((k) => k !== s));
  }
  child.attributes['kubetrace.clipped_ns'] = Number(ce - cs - (oe - lo));
  return {
    code: 'span-clipped',
    severity: 'info',
    spanId: child.spanId,
    message:
      `${child.service} "${child.name}" lasts ${fmtMs(ce - cs)}, longer than the whole ${outer.service} ` +
      `"${outer.name}" (${fmtMs(oe - os)}) that contains it; it is shown cut at that span's end`,
    hint: 'the app closed its span after its response had left (e.g. on a busy event loop); its start is kept',
  };
}

/** Clock skew: the child moves, with its whole subtree, to sit centred in its parent. */
function centre(
  tree: SpanTree,
  parent: Span,
  child: Span,
  coarse: Precision,
  role = 'its parent',
  from?: bigint,
): Diagnostic {
  const [ps, pe, cs, ce] = [start(parent), end(parent), start(child), end(child)];
  // Inside [from, pe] (the client's request window) when the child fits there, else inside the whole parent.
  const lo = from !== undefined && ce - cs <= pe - from ? from : ps;
  const delta = lo + (pe - lo - (ce - cs)) / 2n - cs;
  const visited = new Set<Span>();
  const stack = [child];
  while (stack.length) {
    const s = stack.pop()!;
    if (visited.has(s)) continue;
    visited.add(s);
    s.startTimeUnixNano = String(start(s) + delta);
    s.endTimeUnixNano = String(end(s) + delta);
    // A shift past 2^53 ns (imports can hold any times) stays exact as a decimal string.
    s.attributes['kubetrace.clock_skew_ns'] = safe(delta) ? Number(delta) : String(delta);
    stack.push(...(tree.children.get(s.spanId) ?? []).filter((k) => k !== s));
  }
  const how = cs < ps ? `started ${fmtMs(ps - cs)} before` : `ended ${fmtMs(ce - pe)} after`;
  const res = coarse.resolution > FINE ? `${fmtMs(coarse.resolution)} resolution of ${coarse.source}` : 'resolution';
  return {
    code: 'clock-skew',
    severity: 'info',
    spanId: child.spanId,
    message:
      `${child.service} "${child.name}" ${how} ${role} (${parent.service} "${parent.name}"), more than the ` +
      `${res}; it was moved ${fmtMs(delta)} ${delta > 0n ? 'later' : 'earlier'} to sit inside it`,
    hint:
      cs < ps
        ? 'the two clocks differ (another host, or a process that anchors its clock differently); ' +
          'durations are exact, offsets are estimated'
        : // Ending late is also what an app does that closes its span after the response has left it.
          'the two clocks differ, or the app closed its span after sending the response; ' +
          'durations are exact, offsets are estimated',
  };
}

/**
 * Where a server span of another service under a probe must start: not before the client's `request` phase began
 * (nginx counts `$request_time` from the request's first bytes, after the connection and TLS are up).
 */
function requestStart(tree: SpanTree, parent: Span, child: Span): bigint | undefined {
  if (child.kind !== 'server' || parent.layer !== 'client') return undefined;
  const request = (tree.children.get(parent.spanId) ?? []).find(
    (k) => k.name === 'request' && k.service === parent.service,
  );
  return request ? start(request) : undefined;
}

/** The span and its descendants from the same source (same service and origin): one log line, one clock. */
function group(tree: SpanTree, root: Span): Span[] {
  const out: Span[] = [];
  const stack = [root];
  const seen = new Set<Span>();
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
    for (const k of tree.children.get(s.spanId) ?? [])
      if (k.service === root.service && k.origin === root.origin) stack.push(k);
  }
  return out;
}

function moveGroup(tree: SpanTree, root: Span, f: (x: bigint) => bigint): void {
  for (const s of group(tree, root)) {
    s.startTimeUnixNano = String(f(start(s)));
    s.endTimeUnixNano = String(f(end(s)));
  }
}

/** Trims a coarse span to [lo, hi] and keeps its group nested: each member is clamped into the trimmed window. */
function trimGroup(tree: SpanTree, root: Span, lo: bigint, hi: bigint): void {
  for (const s of group(tree, root)) {
    const a = clamp(start(s), lo, hi);
    s.startTimeUnixNano = String(a);
    s.endTimeUnixNano = String(clamp(end(s), a, hi));
  }
}

/**
 * Widens a coarse span to cover [cs, ce], and its ancestors from the same source as needed, unless that would
 * take the top of that group outside its own (finer) parent: then the offset is not rounding.
 */
function widen(span: Span, cs: bigint, ce: bigint, parentOf: (s: Span) => Span | undefined): boolean {
  const chain: Span[] = [span];
  for (let p = parentOf(span); p && p.service === span.service && p.origin === span.origin; p = parentOf(p)) {
    if (chain.includes(p)) break;
    chain.push(p);
  }
  const top = chain[chain.length - 1];
  const outer = parentOf(top);
  const lo = min(cs, start(top));
  const hi = max(ce, end(top));
  if (outer && outer.service !== top.service && (lo < start(outer) || hi > end(outer))) return false;
  for (const s of chain) {
    s.startTimeUnixNano = String(min(start(s), cs));
    s.endTimeUnixNano = String(max(end(s), ce));
  }
  return true;
}

const safe = (x: bigint) => x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= -BigInt(Number.MAX_SAFE_INTEGER);
const inside = (c: Span, p: Span) => start(c) >= start(p) && end(c) <= end(p);
const abs = (x: bigint) => (x < 0n ? -x : x);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const clamp = (x: bigint, lo: bigint, hi: bigint) => (x < lo ? lo : x > hi ? hi : x);
const fmtMs = (ns: bigint) => `${(Math.abs(Number(ns)) / Number(MS)).toFixed(2)} ms`;
