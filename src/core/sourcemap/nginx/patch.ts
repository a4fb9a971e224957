// A small unified-diff reader and applier, for ingress-nginx's nginx patch set (ingress-patches.ts).
// Context must match exactly; a hunk may sit at another line than its header says (the tree is a
// different version, or an earlier hunk grew the file), and is searched nearest first. A hunk that
// fits nowhere is an error that names the patch, the file and the hunk: nothing is half-applied.
import { KubetraceError } from '../../errors';

export interface Hunk {
  oldStart: number;
  newStart: number;
  /** Lines with their mark: ' ' context, '-' removed, '+' added. */
  lines: { op: ' ' | '-' | '+'; text: string }[];
  /** The old or new side ends without a newline (`\ No newline at end of file`). */
  noNewlineOld?: boolean;
  noNewlineNew?: boolean;
}
export interface FilePatch {
  oldPath: string;
  newPath: string;
  hunks: Hunk[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
// The path ends at a tab or at the space before a timestamp (`--- a/x.c Sat Jan 02 11:14:44 2016`);
// nginx's file names hold no spaces.
const pathOf = (header: string) => header.slice(4).trim().split(/\s/)[0];

/** Parses a unified diff; throws on a hunk whose line counts do not add up. */
export function parsePatch(text: string, name = 'patch'): FilePatch[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: FilePatch[] = [];
  let cur: FilePatch | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].replace(/\r$/, '');
    if (l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      cur = { oldPath: pathOf(l), newPath: pathOf(lines[i + 1].replace(/\r$/, '')), hunks: [] };
      out.push(cur);
      i++;
      continue;
    }
    const m = HUNK.exec(l);
    if (!m) continue; // `diff -ru ...`, `Index:`, prose between files
    if (!cur) throw new KubetraceError(`${name}: a hunk at line ${i + 1} comes before any ---/+++ file header`);
    let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
    let newLeft = m[4] === undefined ? 1 : Number(m[4]);
    const hunk: Hunk = { oldStart: Number(m[1]), newStart: Number(m[3]), lines: [] };
    while (oldLeft > 0 || newLeft > 0) {
      i++;
      // A patch whose last hunk lost trailing context lines (an editor trimmed them) still applies, as with
      // GNU patch; anything else missing is an error.
      if (i >= lines.length && oldLeft === newLeft) break;
      if (i >= lines.length) throw new KubetraceError(`${name}: hunk at ${cur.newPath}:${hunk.oldStart} is cut short`);
      const b = lines[i].replace(/\r$/, '');
      const op = b === '' ? ' ' : b[0];
      if (op === '\\') {
        markNoNewline(hunk);
        continue;
      }
      if (op !== ' ' && op !== '-' && op !== '+') {
        throw new KubetraceError(`${name}: line ${i + 1} inside a hunk of ${cur.newPath} starts with "${op}"`);
      }
      hunk.lines.push({ op, text: b.slice(1) });
      if (op !== '+') oldLeft--;
      if (op !== '-') newLeft--;
      if (oldLeft < 0 || newLeft < 0) {
        throw new KubetraceError(
          `${name}: hunk at ${cur.newPath}:${hunk.oldStart} has more lines than its header says`,
        );
      }
    }
    if (lines[i + 1]?.startsWith('\\')) {
      i++;
      markNoNewline(hunk);
    }
    cur.hunks.push(hunk);
  }
  return out;
}

function markNoNewline(h: Hunk): void {
  const last = h.lines[h.lines.length - 1];
  if (!last || last.op !== '+') h.noNewlineOld = true;
  if (!last || last.op !== '-') h.noNewlineNew = true;
}

/** The path a patch writes, with `strip` leading components removed (patch -p). */
export function targetPath(p: FilePatch, strip: number): string {
  const raw = p.newPath === '/dev/null' ? p.oldPath : p.newPath;
  const parts = raw.split('/').filter(Boolean);
  if (parts.length <= strip) throw new KubetraceError(`cannot strip ${strip} components from ${raw}`);
  return parts.slice(strip).join('/');
}

export interface ApplyResult {
  text: string | undefined; // undefined: the patch deletes the file
  /** Per hunk, how far from its header's line it was found. */
  offsets: number[];
}

/** Applies one file's hunks to `text` (undefined for a file that does not exist yet). */
export function applyFilePatch(text: string | undefined, p: FilePatch, label: string): ApplyResult {
  if (text === undefined && p.oldPath !== '/dev/null')
    throw new KubetraceError(`${label}: the file to patch is missing`);
  const lines = text === undefined || text === '' ? [] : text.split('\n');
  let endsWithNewline = true;
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  else if (lines.length) endsWithNewline = false;
  const offsets: number[] = [];
  let delta = 0;
  let floor = 0;
  p.hunks.forEach((h, n) => {
    const old = h.lines.filter((l) => l.op !== '+').map((l) => l.text);
    const neu = h.lines.filter((l) => l.op !== '-').map((l) => l.text);
    const want = Math.max(h.oldStart - 1 + delta, 0) + (old.length === 0 && h.oldStart > 0 ? 1 : 0);
    const [ctxHead, ctxTail] = contextEnds(h);
    // As GNU patch: exact context first, then with `fuzz` context lines ignored. A side with less
    // context than the other ignores fewer, and below zero the hunk must sit at that end of the file.
    const context = Math.max(ctxHead, ctxTail);
    let at = -1;
    let cut = [0, 0];
    for (let fuzz = 0; fuzz <= MAX_FUZZ && at < 0; fuzz++) {
      const pf = fuzz + ctxHead - context;
      const sf = fuzz + ctxTail - context;
      if (pf < 0 && sf < 0) continue; // would have to be the whole file
      const anchor = pf < 0 ? 'start' : sf < 0 ? 'end' : undefined;
      cut = [Math.min(Math.max(pf, 0), ctxHead), Math.min(Math.max(sf, 0), ctxTail)];
      at = find(lines, old.slice(cut[0], old.length - cut[1]), want + cut[0], floor, anchor);
    }
    if (at < 0) {
      throw new KubetraceError(
        `${label}: hunk #${n + 1} (@@ -${h.oldStart} @@) does not apply: its context is not in the file`,
        'the patch set is for another nginx version; use the source tree of the version the controller runs',
      );
    }
    const removed = old.length - cut[0] - cut[1];
    const added = neu.slice(cut[0], neu.length - cut[1]);
    lines.splice(at, removed, ...added);
    offsets.push(at - cut[0] - want);
    delta += added.length - removed + (at - cut[0] - want);
    floor = at + added.length;
    if (h.noNewlineNew) endsWithNewline = false;
    else if (h.noNewlineOld) endsWithNewline = true;
  });
  if (p.newPath === '/dev/null') return { text: undefined, offsets };
  return { text: lines.join('\n') + (lines.length && endsWithNewline ? '\n' : ''), offsets };
}

const MAX_FUZZ = 2;

/** How many context lines open and close the hunk (the lines fuzz may drop). */
function contextEnds(h: Hunk): [number, number] {
  let head = 0;
  while (head < h.lines.length && h.lines[head].op === ' ') head++;
  if (head === h.lines.length) return [0, 0];
  let tail = 0;
  while (h.lines[h.lines.length - 1 - tail].op === ' ') tail++;
  return [head, tail];
}

/** Index where `block` sits in `lines`, nearest to `want` first and never before `floor`; -1 if nowhere. */
function find(lines: string[], block: string[], want: number, floor: number, anchor?: 'start' | 'end'): number {
  const fits = (at: number) =>
    at >= floor &&
    at + block.length <= lines.length &&
    (anchor !== 'start' || at === 0) &&
    (anchor !== 'end' || at + block.length === lines.length) &&
    block.every((b, k) => lines[at + k] === b);
  for (let d = 0; d <= lines.length; d++) {
    if (fits(want + d)) return want + d;
    if (d && fits(want - d)) return want - d;
    if (want + d > lines.length && want - d < floor) break;
  }
  return -1;
}
