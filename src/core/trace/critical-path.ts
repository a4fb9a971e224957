// The critical path as sections: the time each span owns on the chain of work that the root's end waited for.
// Walking back from a span's end, the time goes to the last child to finish (and inside it, the same way down),
// then to the child that finished before that one started, and so on; where no such child ran, the span owns it.
//
// The wait: a probe's client phases (request, ttfb, download) and nginx's attempt phases (connect, header,
// response) are measured on the calling side, and the server span that did the work hangs beside them, not under
// them. So a childless phase yields to the concurrent server span of another service: where that span ran, the
// time is the server's (and, below it, its callees'); the phase owns only the time around it. The client's wait
// for its first byte thus descends into nginx, and nginx's wait for the upstream's header into the app server
// span. The tree itself (and so the waterfall's nesting) is left as it is.
//
// Times are plain numbers that keep their order (time-numbers.ts): the walk only compares and picks among given
// times, so it finds the same path as in BigInt, and each section's times are the spans' own decimal strings.
// test/unit/critical-path-numbers.test.ts compares this with the BigInt version on random traces.
import type { CriticalSection, Diagnostic, Span } from './model';
import { timeNumbers } from './time-numbers';

export interface CriticalPathResult {
  sections: CriticalSection[];
  diagnostics: Diagnostic[];
}

const MAX_DIAGNOSTICS = 20;

interface Tree {
  spans: Span[];
  /** Start and end of each span (time-numbers.ts), and the decimal string of each such number. */
  s: number[];
  e: number[];
  text: (v: number) => string;
  kids: number[][];
  roots: number[];
  /** The index of the first span with this id. */
  first: (id: string) => number | undefined;
  /** A childless phase -> the concurrent server spans it yields its time to (see markYielding). */
  yieldsTo: (number[] | undefined)[];
}

interface Candidate {
  k: number;
  cs: number;
  ce: number;
}

interface Frame {
  i: number;
  lo: number;
  cands: Candidate[];
  pos: number;
  cursor: number;
  /** Order of arrival on the path, to keep a parent before its child when both start at one instant. */
  seq: number;
  owns: boolean;
}

interface Owned {
  i: number;
  s: number;
  e: number;
  seq: number;
}

export function criticalPath(spans: Span[], rootId?: string): CriticalPathResult {
  const diagnostics: Diagnostic[] = [];
  if (!spans.length) return { sections: [], diagnostics };
  const tree = buildTree(spans);
  markYielding(tree);
  const root = pickRoot(tree, rootId, diagnostics);
  const owned: Owned[] = [];
  const visited = spans.length <= FEW ? clearedFew() : new Uint8Array(spans.length);
  const outside: number[] = [];
  let seq = 0;
  const frame = (i: number, lo: number, hi: number): Frame => {
    visited[i] = 1;
    return { i, lo, cands: candidates(tree, i, lo, hi, visited, outside), pos: 0, cursor: hi, seq: seq++, owns: false };
  };
  const own = (f: Frame, s: number, e: number) => {
    owned.push({ i: f.i, s, e, seq: f.seq });
    f.owns = true;
  };
  // An explicit stack: imported traces can nest deeper than the call stack allows.
  const stack: Frame[] = [frame(root, tree.s[root], tree.e[root])];
  while (stack.length) {
    const f = stack[stack.length - 1];
    let child: Candidate | undefined;
    while (f.pos < f.cands.length) {
      const c = f.cands[f.pos++];
      // A child still running when the next one on the path started was not waited for.
      if (c.ce > f.cursor) continue;
      if (c.ce <= f.lo) break;
      child = c;
      break;
    }
    if (child) {
      if (child.ce < f.cursor) own(f, child.ce, f.cursor);
      f.cursor = child.cs;
      stack.push(frame(child.k, child.cs, child.ce));
      continue;
    }
    // A span the path passes through but whose children fill its time keeps an empty section: it is on the path.
    if (f.cursor > f.lo || !f.owns) own(f, f.lo, f.cursor);
    stack.pop();
  }
  for (const k of outside.length > MAX_DIAGNOSTICS ? outside.slice(0, MAX_DIAGNOSTICS) : outside)
    diagnostics.push(outsideDiagnostic(tree, k));
  if (outside.length > MAX_DIAGNOSTICS)
    diagnostics.push({
      code: 'critical-path-outside-parent',
      severity: 'info',
      message: `${outside.length - MAX_DIAGNOSTICS} more spans lie entirely outside their parents and are not on the critical path`,
    });
  return { sections: order(tree, root, owned), diagnostics };
}

/** Owned time per span index, in nanoseconds, and the root's duration: what each critical span's share is of. */
export function criticalShares(trace: { spans: Span[]; criticalPath: CriticalSection[] }): {
  owned: Map<number, bigint>;
  total: bigint;
} {
  const owned = new Map<number, bigint>();
  for (const c of trace.criticalPath) {
    const d = BigInt(c.endTimeUnixNano) - BigInt(c.startTimeUnixNano);
    owned.set(c.index, (owned.get(c.index) ?? 0n) + d);
  }
  const root = trace.spans[trace.criticalPath[0]?.index ?? -1];
  const total = root ? BigInt(root.endTimeUnixNano) - BigInt(root.startTimeUnixNano) : 0n;
  return { owned, total };
}

function buildTree(spans: Span[]): Tree {
  const n = spans.length;
  const first = firstById(spans);
  const { s, e, text } = timeNumbers(spans);
  const kids: number[][] = new Array(n);
  for (let i = 0; i < n; i++) kids[i] = [];
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = spans[i];
    // A repeated id's children hang under its first occurrence; a span naming itself as parent is a root.
    const p = x.parentSpanId === undefined ? undefined : first(x.parentSpanId);
    if (p !== undefined && p !== i) kids[p].push(i);
    else roots.push(i);
  }
  return { spans, s, e, text, kids, roots, first, yieldsTo: new Array(n) };
}

// An access log's trace has five spans or so: looking through them beats building a Map, and one small array of
// marks serves every such trace (the walk never runs inside another).
const FEW = 16;
const fewMarks = new Uint8Array(FEW);

function clearedFew(): Uint8Array {
  fewMarks.fill(0);
  return fewMarks;
}

function firstById(spans: Span[]): (id: string) => number | undefined {
  if (spans.length <= FEW)
    return (id) => {
      for (let i = 0; i < spans.length; i++) if (spans[i].spanId === id) return i;
      return undefined;
    };
  const first = new Map<string, number>();
  spans.forEach((x, i) => {
    if (!first.has(x.spanId)) first.set(x.spanId, i);
  });
  return (id) => first.get(id);
}

/**
 * Where a parent has a server span of another service among its children, its own childless children (the
 * measured phases) are the ones waiting: they yield the time that server span covers to it.
 */
function markYielding(t: Tree): void {
  for (let p = 0; p < t.spans.length; p++) {
    const ks = t.kids[p];
    if (ks.length < 2) continue;
    const own = t.spans[p].service;
    const servers = ks.filter((k) => t.spans[k].kind === 'server' && t.spans[k].service !== own);
    if (!servers.length) continue;
    for (const k of ks) if (!t.kids[k].length && t.spans[k].service === own) t.yieldsTo[k] = servers;
  }
}

/** The given root, else the root span that covers the most of the trace; other roots are named, never added. */
function pickRoot(t: Tree, rootId: string | undefined, diagnostics: Diagnostic[]): number {
  const given = rootId === undefined ? undefined : t.first(rootId);
  let root = given ?? t.roots[0] ?? 0;
  // The numbers keep order, not always lengths: the roots' lengths are worked out in BigInt.
  if (given === undefined && t.roots.length > 1) {
    const length = (i: number) => BigInt(t.text(t.e[i])) - BigInt(t.text(t.s[i]));
    let best = length(root);
    for (const r of t.roots) {
      const d = length(r);
      if (d > best || (d === best && t.s[r] < t.s[root])) {
        root = r;
        best = d;
      }
    }
  }
  // Usually the one root is the root: no list to make.
  const others = t.roots.length === 1 && t.roots[0] === root ? [] : t.roots.filter((r) => r !== root);
  if (others.length) {
    const names = others.slice(0, 5).map((r) => `${t.spans[r].service} "${t.spans[r].name}"`);
    const rs = t.spans[root];
    diagnostics.push({
      code: 'critical-path-other-roots',
      severity: 'info',
      spanId: rs.spanId,
      message:
        `the trace has ${others.length + 1} root spans; the critical path follows ${rs.service} "${rs.name}", ` +
        `the one that covers the trace, and leaves out ${names.join(', ')}${others.length > 5 ? ', ...' : ''}`,
    });
  }
  return root;
}

/**
 * The children that may be on the path inside [lo, hi], clipped to the parent and to that window (a child running
 * past its parent's end is cut there), the last to finish first. A producer does not wait for its consumers; a
 * child lying entirely outside its parent cannot have blocked it.
 */
function candidates(t: Tree, i: number, lo: number, hi: number, visited: Uint8Array, outside: number[]): Candidate[] {
  const out: Candidate[] = [];
  for (const k of t.kids[i]) {
    if (visited[k]) continue;
    if (t.spans[i].kind === 'producer' && t.spans[k].kind === 'consumer') continue;
    if (t.e[k] < t.s[i] || t.s[k] > t.e[i]) {
      outside.push(k);
      continue;
    }
    const cs = Math.max(t.s[k], t.s[i], lo);
    const ce = Math.min(t.e[k], t.e[i], hi);
    const servers = t.yieldsTo[k];
    if (servers) for (const [a, b] of without(cs, ce, servers, t)) out.push({ k, cs: a, ce: b });
    else if (ce > cs) out.push({ k, cs, ce });
  }
  // The last to finish first; of two that finish together, the longer, which covers more of the wait.
  return out.length > 1 ? out.sort((a, b) => b.ce - a.ce || a.cs - b.cs || a.k - b.k) : out;
}

/** [cs, ce] minus the windows of the given spans: the pieces of a phase that no server span covers. */
function without(cs: number, ce: number, servers: number[], t: Tree): [number, number][] {
  let pieces: [number, number][] = [[cs, ce]];
  for (const x of servers) {
    const next: [number, number][] = [];
    for (const [a, b] of pieces) {
      if (t.e[x] <= a || t.s[x] >= b) next.push([a, b]);
      else {
        if (t.s[x] > a) next.push([a, t.s[x]]);
        if (t.e[x] < b) next.push([t.e[x], b]);
      }
    }
    pieces = next;
  }
  return pieces.filter(([a, b]) => b > a);
}

function outsideDiagnostic(t: Tree, k: number): Diagnostic {
  const c = t.spans[k];
  const p = t.spans[t.first(c.parentSpanId ?? '') ?? k];
  return {
    code: 'critical-path-outside-parent',
    severity: 'info',
    spanId: c.spanId,
    message:
      `${c.service} "${c.name}" lies entirely outside its parent ${p.service} "${p.name}", so it cannot have ` +
      `held it up; it is not on the critical path`,
    hint: 'the span may have been recorded on a host whose clock differs by more than its duration',
  };
}

/** Root first, then in time order (a parent before its child at one instant); touching sections of a span join. */
function order(t: Tree, root: number, owned: Owned[]): CriticalSection[] {
  // One stable sort: the root's parts, then the rest, each by time and arrival.
  owned.sort((a, b) => (a.i === root ? 0 : 1) - (b.i === root ? 0 : 1) || a.s - b.s || a.seq - b.seq);
  const joined: Owned[] = [];
  for (const o of owned) {
    const last = joined[joined.length - 1];
    if (last && last.i === o.i && last.e === o.s) last.e = o.e;
    else joined.push(o);
  }
  return joined.map((o) => ({
    spanId: t.spans[o.i].spanId,
    index: o.i,
    startTimeUnixNano: t.text(o.s),
    endTimeUnixNano: t.text(o.e),
  }));
}
