// The critical path as src/core/trace/critical-path.ts found it before it worked on time ranks (all BigInt): the
// reference that test/unit/critical-path-numbers.test.ts compares the current code with on random traces.
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
import type { CriticalSection, Diagnostic, Span } from '../../src/core/trace/model';

export interface CriticalPathResult {
  sections: CriticalSection[];
  diagnostics: Diagnostic[];
}

const MAX_DIAGNOSTICS = 20;

interface Tree {
  spans: Span[];
  s: bigint[];
  e: bigint[];
  kids: number[][];
  roots: number[];
  first: Map<string, number>;
  /** A childless phase -> the concurrent server spans it yields its time to (see markYielding). */
  yieldsTo: Map<number, number[]>;
}

interface Candidate {
  k: number;
  cs: bigint;
  ce: bigint;
}

interface Frame {
  i: number;
  lo: bigint;
  cands: Candidate[];
  pos: number;
  cursor: bigint;
  /** Order of arrival on the path, to keep a parent before its child when both start at one instant. */
  seq: number;
  owns: boolean;
}

interface Owned {
  i: number;
  s: bigint;
  e: bigint;
  seq: number;
}

export function referenceCriticalPath(spans: Span[], rootId?: string): CriticalPathResult {
  const diagnostics: Diagnostic[] = [];
  if (!spans.length) return { sections: [], diagnostics };
  const tree = buildTree(spans);
  markYielding(tree);
  const root = pickRoot(tree, rootId, diagnostics);
  const owned: Owned[] = [];
  const visited = new Uint8Array(spans.length);
  const outside: number[] = [];
  let seq = 0;
  const frame = (i: number, lo: bigint, hi: bigint): Frame => {
    visited[i] = 1;
    return { i, lo, cands: candidates(tree, i, lo, hi, visited, outside), pos: 0, cursor: hi, seq: seq++, owns: false };
  };
  const own = (f: Frame, s: bigint, e: bigint) => {
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
  for (const k of outside.slice(0, MAX_DIAGNOSTICS)) diagnostics.push(outsideDiagnostic(tree, k));
  if (outside.length > MAX_DIAGNOSTICS)
    diagnostics.push({
      code: 'critical-path-outside-parent',
      severity: 'info',
      message: `${outside.length - MAX_DIAGNOSTICS} more spans lie entirely outside their parents and are not on the critical path`,
    });
  return { sections: order(tree, root, owned), diagnostics };
}

function buildTree(spans: Span[]): Tree {
  const first = new Map<string, number>();
  spans.forEach((x, i) => {
    if (!first.has(x.spanId)) first.set(x.spanId, i);
  });
  const s = spans.map((x) => nanos(x.startTimeUnixNano));
  const e = spans.map((x, i) => {
    const v = nanos(x.endTimeUnixNano);
    return v < s[i] ? s[i] : v;
  });
  const kids: number[][] = spans.map(() => []);
  const roots: number[] = [];
  spans.forEach((x, i) => {
    // A repeated id's children hang under its first occurrence; a span naming itself as parent is a root.
    const p = x.parentSpanId === undefined ? undefined : first.get(x.parentSpanId);
    if (p !== undefined && p !== i) kids[p].push(i);
    else roots.push(i);
  });
  return { spans, s, e, kids, roots, first, yieldsTo: new Map() };
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
    for (const k of ks) if (!t.kids[k].length && t.spans[k].service === own) t.yieldsTo.set(k, servers);
  }
}

/** The given root, else the root span that covers the most of the trace; other roots are named, never added. */
function pickRoot(t: Tree, rootId: string | undefined, diagnostics: Diagnostic[]): number {
  const given = rootId === undefined ? undefined : t.first.get(rootId);
  let root = given ?? t.roots[0] ?? 0;
  if (given === undefined)
    for (const r of t.roots) {
      const d = t.e[r] - t.s[r];
      const best = t.e[root] - t.s[root];
      if (d > best || (d === best && t.s[r] < t.s[root])) root = r;
    }
  const others = t.roots.filter((r) => r !== root);
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
function candidates(t: Tree, i: number, lo: bigint, hi: bigint, visited: Uint8Array, outside: number[]): Candidate[] {
  const out: Candidate[] = [];
  for (const k of t.kids[i]) {
    if (visited[k]) continue;
    if (t.spans[i].kind === 'producer' && t.spans[k].kind === 'consumer') continue;
    if (t.e[k] < t.s[i] || t.s[k] > t.e[i]) {
      outside.push(k);
      continue;
    }
    const cs = max(max(t.s[k], t.s[i]), lo);
    const ce = min(min(t.e[k], t.e[i]), hi);
    const servers = t.yieldsTo.get(k);
    if (servers) for (const [a, b] of without(cs, ce, servers, t)) out.push({ k, cs: a, ce: b });
    else if (ce > cs) out.push({ k, cs, ce });
  }
  // The last to finish first; of two that finish together, the longer, which covers more of the wait.
  return out.sort((a, b) =>
    a.ce !== b.ce ? (a.ce > b.ce ? -1 : 1) : a.cs !== b.cs ? (a.cs < b.cs ? -1 : 1) : a.k - b.k,
  );
}

/** [cs, ce] minus the windows of the given spans: the pieces of a phase that no server span covers. */
function without(cs: bigint, ce: bigint, servers: number[], t: Tree): [bigint, bigint][] {
  let pieces: [bigint, bigint][] = [[cs, ce]];
  for (const x of servers) {
    const next: [bigint, bigint][] = [];
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
  const p = t.spans[t.first.get(c.parentSpanId ?? '') ?? k];
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
  const byTime = (a: Owned, b: Owned) => cmp(a.s, b.s) || a.seq - b.seq;
  const rootParts = owned.filter((o) => o.i === root).sort(byTime);
  const rest = owned.filter((o) => o.i !== root).sort(byTime);
  const joined: Owned[] = [];
  for (const o of [...rootParts, ...rest]) {
    const last = joined[joined.length - 1];
    if (last && last.i === o.i && last.e === o.s) last.e = o.e;
    else joined.push({ ...o });
  }
  return joined.map((o) => ({
    spanId: t.spans[o.i].spanId,
    index: o.i,
    startTimeUnixNano: String(o.s),
    endTimeUnixNano: String(o.e),
  }));
}

function nanos(v: string): bigint {
  try {
    return BigInt(v);
  } catch {
    return 0n;
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
