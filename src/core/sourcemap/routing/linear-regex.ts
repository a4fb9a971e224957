// Regexes from cluster objects (Ingress paths under use-regex, nginx `location ~`, server_name ~) are matched in linear
// time: a Thompson NFA run as a Pike VM, so `/(a|a|a)*!` costs pattern size x path length, never an exponential search.
// Features that need backtracking (back-references, lookaround) are not evaluated: the caller says so instead of
// guessing. A pattern or input too big for the work budget is not evaluated either.

export type LinearMatch = boolean | { notEvaluated: string };

/** Instructions, after `{m,n}` expansion. ingress-nginx paths are short; a pattern this big is not a path. */
const MAX_PROGRAM = 5000;
/** Program size x input length: the most work one test may do (a few ms). */
const MAX_WORK = 4_000_000;

type CharTest = (c: number) => boolean;
type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number } // max -1: unbounded
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'empty' };

class Unsupported extends Error {}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const CLASS_ESCAPES: Record<string, CharTest> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  w: isWord,
  W: (c) => !isWord(c),
  s: isSpace,
  S: (c) => !isSpace(c),
};
const CONTROL_ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, v: 11, '0': 0 };

/** With `i`, a set holds a character when it holds either case of it; a negated class negates that (as RegExp does). */
function folded(test: CharTest): CharTest {
  return (c) => {
    if (test(c)) return true;
    const s = String.fromCharCode(c);
    const lo = s.toLowerCase().charCodeAt(0);
    const up = s.toUpperCase().charCodeAt(0);
    return (lo !== c && test(lo)) || (up !== c && test(up));
  };
}

class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly fold: boolean,
  ) {}

  private set(test: CharTest): Node {
    return { t: 'char', test: this.fold ? folded(test) : test };
  }

  parse(): Node {
    const n = this.alt();
    if (this.i < this.src.length) throw new Unsupported(`unbalanced ")" at ${this.i}`);
    return n;
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? items[0] : items.length ? { t: 'cat', items } : { t: 'empty' };
  }

  private quantified(node: Node): Node {
    for (;;) {
      const c = this.src[this.i];
      let min: number, max: number;
      if (c === '*') [min, max] = [0, -1];
      else if (c === '+') [min, max] = [1, -1];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return node; // PCRE and JS take a lone "{" literally
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (max !== -1 && max < min) throw new Unsupported('a {m,n} quantifier with n < m');
        if (min > MAX_PROGRAM || max > MAX_PROGRAM) throw new Unsupported('a repeat count this big');
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      // A lazy form changes which match is found, not whether one exists; a possessive one can change that.
      if (this.src[this.i] === '?') this.i++;
      else if (this.src[this.i] === '+') throw new Unsupported('a possessive quantifier');
      if (node.t === 'bol' || node.t === 'eol') continue;
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node {
    const s = this.src;
    const c = s[this.i++];
    if (c === '(') {
      if (s[this.i] === '?') {
        const named = /^\?(P?<[A-Za-z_][A-Za-z0-9_]*>|:)/.exec(s.slice(this.i));
        if (!named) throw new Unsupported(`the group "(${s.slice(this.i, this.i + 3)}" (lookaround or a flag)`);
        this.i += named[0].length;
      }
      const inner = this.alt();
      if (s[this.i] !== ')') throw new Unsupported('an unclosed group');
      this.i++;
      return inner;
    }
    if (c === '[') return { t: 'char', test: this.charClass() };
    if (c === '.') return { t: 'char', test: (x) => x !== 10 };
    if (c === '^') return { t: 'bol' };
    if (c === '$') return { t: 'eol' };
    if (c === '\\') return this.escape(false) as Node;
    if (c === '*' || c === '+' || c === '?') throw new Unsupported(`nothing to repeat before "${c}"`);
    const code = c.codePointAt(0)!;
    if (code > 0xffff) this.i++;
    return this.set((x) => x === code);
  }

  /** After a backslash: a class, a control character or a literal. Inside [] a class returns a test too. */
  private escape(inClass: boolean): Node | CharTest | number {
    const e = this.src[this.i++];
    if (e === undefined) throw new Unsupported('a trailing backslash');
    if (CLASS_ESCAPES[e]) return inClass ? CLASS_ESCAPES[e] : this.set(CLASS_ESCAPES[e]);
    if (/[1-9bBAzZGkpPQE]/.test(e)) throw new Unsupported(`the escape \\${e}`);
    let code: number;
    if (e in CONTROL_ESCAPES && !(e === '0' && /[0-9]/.test(this.src[this.i] ?? ''))) code = CONTROL_ESCAPES[e];
    else if (e === 'x' || e === 'u') {
      const m = (e === 'x' ? /^[0-9a-fA-F]{2}/ : /^[0-9a-fA-F]{4}/).exec(this.src.slice(this.i));
      if (!m) throw new Unsupported(`the escape \\${e} without its hex digits`);
      this.i += m[0].length;
      code = parseInt(m[0], 16);
    } else code = e.codePointAt(0)!;
    return inClass ? code : this.set((x) => x === code);
  }

  private charClass(): CharTest {
    const s = this.src;
    const negate = s[this.i] === '^';
    if (negate) this.i++;
    const parts: CharTest[] = [];
    let first = true;
    for (;;) {
      if (this.i >= s.length) throw new Unsupported('an unclosed [');
      if (s[this.i] === ']' && !first) break;
      first = false;
      if (s.startsWith('[:', this.i)) throw new Unsupported('POSIX classes like [:alpha:]');
      const lo = this.classAtom();
      if (typeof lo !== 'number') {
        parts.push(lo);
        continue;
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof hi !== 'number') throw new Unsupported('a range ending in a class');
        if (hi < lo) throw new Unsupported('a range out of order');
        parts.push((x) => x >= lo && x <= hi);
      } else parts.push((x) => x === lo);
    }
    this.i++;
    const member: CharTest = (x) => parts.some((p) => p(x));
    const inSet = this.fold ? folded(member) : member;
    return (x) => inSet(x) !== negate;
  }

  private classAtom(): number | CharTest {
    const c = this.src[this.i++];
    if (c === '\\') return this.escape(true) as number | CharTest;
    const code = c.codePointAt(0)!;
    if (code > 0xffff) this.i++;
    return code;
  }
}

// The program: instructions of a Pike VM.
type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'bol' }
  | { op: 'eol' }
  | { op: 'match' };

function compile(root: Node): Inst[] {
  const prog: Inst[] = [];
  const emit = (i: Inst) => {
    if (prog.length >= MAX_PROGRAM)
      throw new Unsupported(`a pattern over ${MAX_PROGRAM} steps once repeats are expanded`);
    prog.push(i);
    return prog.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'char':
        emit({ op: 'char', test: n.test });
        return;
      case 'bol':
      case 'eol':
        emit({ op: n.t });
        return;
      case 'empty':
        return;
      case 'cat':
        for (const x of n.items) gen(x);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length - 1; k++) {
          const split = emit({ op: 'split', x: 0, y: 0 });
          (prog[split] as { x: number }).x = prog.length;
          gen(n.items[k]);
          jumps.push(emit({ op: 'jmp', x: 0 }));
          (prog[split] as { y: number }).y = prog.length;
        }
        gen(n.items[n.items.length - 1]);
        for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === -1) {
          const split = emit({ op: 'split', x: 0, y: 0 });
          (prog[split] as { x: number }).x = prog.length;
          gen(n.node);
          emit({ op: 'jmp', x: split });
          (prog[split] as { y: number }).y = prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            splits.push(emit({ op: 'split', x: prog.length + 1, y: 0 }));
            gen(n.node);
          }
          for (const s of splits) (prog[s] as { y: number }).y = prog.length;
        }
        return;
      }
    }
  };
  gen(root);
  emit({ op: 'match' });
  return prog;
}

export interface LinearRegex {
  /** Does the pattern match anywhere in `input` (as RegExp.test does)? */
  test(input: string): LinearMatch;
}

/** Compiles `pattern` (PCRE/JS syntax without back-references or lookaround); a reason when it cannot. */
export function linearRegex(
  pattern: string,
  opts: { ignoreCase?: boolean } = {},
): LinearRegex | { notEvaluated: string } {
  let prog: Inst[];
  try {
    prog = compile(new Parser(pattern, !!opts.ignoreCase).parse());
  } catch (e) {
    if (e instanceof Unsupported)
      return { notEvaluated: `the regex uses ${e.message}, which Kubetrace does not evaluate` };
    throw e;
  }
  return {
    test(input: string): LinearMatch {
      if (prog.length * (input.length + 1) > MAX_WORK)
        return {
          notEvaluated: `a regex of ${prog.length} steps on ${input.length} characters is over the work budget`,
        };
      return run(prog, input);
    },
  };
}

function run(prog: Inst[], input: string): boolean {
  const n = prog.length;
  // Generation marks: a state is added once per input position, which is what keeps the run linear.
  const mark = new Int32Array(n).fill(-1);
  let cur: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];
  const add = (list: number[], pc0: number, pos: number, gen: number) => {
    stack.push(pc0);
    while (stack.length) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc];
      if (inst.op === 'jmp') stack.push(inst.x);
      else if (inst.op === 'split') stack.push(inst.y, inst.x);
      else if (inst.op === 'bol') {
        if (pos === 0) stack.push(pc + 1);
      } else if (inst.op === 'eol') {
        if (pos === input.length) stack.push(pc + 1);
      } else list.push(pc);
    }
  };
  for (let pos = 0, gen = 0; ; pos++, gen++) {
    // Unanchored search: a new thread starts at every position (the pattern's own ^ anchors it).
    add(cur, 0, pos, gen);
    if (cur.some((pc) => prog[pc].op === 'match')) return true;
    if (pos >= input.length) return false;
    const c = input.charCodeAt(pos);
    for (const pc of cur) {
      const inst = prog[pc];
      if (inst.op === 'char' && inst.test(c)) add(next, pc + 1, pos + 1, gen + 1);
    }
    [cur, next] = [next, []];
  }
}
