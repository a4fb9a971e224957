// Finds every `ngx_log_debug[0-8](level, log, err, fmt, ...)` call in a C file and returns the
// format string, with C string-literal concatenation, escapes and multi-line calls handled.
// A format that is not a literal (a variable) is skipped; a macro inside one becomes a wildcard.

export interface DebugCall {
  /** 1-based line of the `ngx_log_debug` token, and of the closing parenthesis. */
  line: number;
  endLine: number;
  /** The format as nginx sees it after concatenation; unknown macros are WILDCARD. */
  format: string;
}

/** Stands for a macro whose text we do not know: matches anything. */
export const WILDCARD = '\u0001';

// Macros that appear in format strings and are the same on every Unix build.
const MACROS: Record<string, string> = { CRLF: '\r\n', LF: '\n', CR: '\r', NGX_LINEFEED: '\n', NGX_TID_T_FMT: '%P' };

const CALL = /\bngx_log_debug[0-8]?\s*\(/g;

export function scanDebugCalls(text: string): DebugCall[] {
  const out: DebugCall[] = [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (pos: number): number => {
    let lo = 0,
      hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  CALL.lastIndex = 0;
  for (let m = CALL.exec(text); m; m = CALL.exec(text)) {
    // `#define ngx_log_debugN(...)` lines are macro definitions, not calls.
    const ls = lineStarts[lineOf(m.index) - 1];
    if (/^\s*#\s*define\b/.test(text.slice(ls, m.index))) continue;
    const args = splitArgs(text, m.index + m[0].length);
    if (!args) continue;
    CALL.lastIndex = args.end;
    if (args.list.length < 4) continue;
    const format = formatOf(args.list[3]);
    if (format === undefined) continue;
    out.push({ line: lineOf(m.index), endLine: lineOf(args.end - 1), format });
  }
  return out;
}

type Piece = { kind: 'str'; value: string } | { kind: 'code'; value: string };

// Walks the argument list that starts right after `(` to its closing `)`. Only the format
// (argument 3) is kept, as pieces: string literals decoded, other code raw.
function splitArgs(text: string, start: number): { list: Piece[][]; end: number } | undefined {
  const list: Piece[][] = [[]];
  let depth = 0;
  let i = start;
  let codeFrom = -1;
  const limit = Math.min(text.length, start + 20000);
  const flush = (to: number) => {
    if (codeFrom >= 0 && list.length === 4) list[3].push({ kind: 'code', value: text.slice(codeFrom, to) });
    codeFrom = -1;
  };
  while (i < limit) {
    const ch = text.charCodeAt(i);
    if (ch === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      flush(i);
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return undefined;
      i = e + 2;
      continue;
    }
    if (ch === 47 && text.charCodeAt(i + 1) === 47) {
      flush(i);
      const e = text.indexOf('\n', i);
      i = e < 0 ? limit : e;
      continue;
    }
    if (ch === 34 /* " */) {
      flush(i);
      const r = readString(text, i + 1);
      if (!r) return undefined;
      if (list.length === 4) list[3].push({ kind: 'str', value: r.value });
      i = r.end;
      continue;
    }
    if (ch === 39 /* ' */) {
      let j = i + 1;
      while (j < limit && text.charCodeAt(j) !== 39) j += text.charCodeAt(j) === 92 ? 2 : 1;
      if (codeFrom < 0) codeFrom = i;
      i = j + 1;
      continue;
    }
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) {
      if (depth === 0) {
        flush(i);
        return { list, end: i + 1 };
      }
      depth--;
    } else if (ch === 44 /* , */ && depth === 0) {
      flush(i);
      list.push([]);
      i++;
      continue;
    } else if (ch === 59 /* ; */ && depth === 0) return undefined; // ran past the call: not a real call
    if (codeFrom < 0) codeFrom = i;
    i++;
  }
  return undefined;
}

const SIMPLE_ESC: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '?': '?',
};

function readString(text: string, i: number): { value: string; end: number } | undefined {
  let v = '';
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') return { value: v, end: i + 1 };
    if (ch === '\n') return undefined;
    if (ch !== '\\') {
      v += ch;
      i++;
      continue;
    }
    const n = text[i + 1];
    if (n === '\n') {
      i += 2;
      continue;
    } // line splice
    if (n === 'x') {
      const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2, i + 4));
      if (m) {
        v += String.fromCharCode(parseInt(m[0], 16));
        i += 2 + m[0].length;
        continue;
      }
    }
    if (n >= '0' && n <= '7') {
      const m = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))!;
      v += String.fromCharCode(parseInt(m[0], 8));
      i += 1 + m[0].length;
      continue;
    }
    v += SIMPLE_ESC[n] ?? n;
    i += 2;
  }
  return undefined;
}

// The format argument: string literals and macros, concatenated. Anything else (a variable,
// a conditional expression) means the format is not known at compile time.
function formatOf(arg: Piece[]): string | undefined {
  let out = '';
  let sawString = false;
  for (const p of arg) {
    if (p.kind === 'str') {
      out += p.value;
      sawString = true;
      continue;
    }
    for (const tok of p.value.split(/\s+/).filter(Boolean)) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(tok)) return undefined;
      out += MACROS[tok] ?? WILDCARD;
    }
  }
  return sawString ? out : undefined;
}
