// Finds C function definitions in HAProxy's source style: the return type and the name on one line that starts at
// column 0 (`int http_wait_for_request(struct stream *s, ...)`), the parameters possibly over several lines, then
// the body's `{` (next line) and its `}` at column 0. Prototypes and `extern` declarations end in `;` and are
// skipped. Written for HAProxy's layout; it never throws, whatever the text.
import { bodyBrace } from '../c-scan';

export interface HaproxyFunction {
  name: string;
  /** 1-based line of the name, and of the closing brace when one was found. */
  line: number;
  endLine?: number;
}

// A column-0 line that could start a definition: no preprocessor line, no label, no comment, no `extern`.
const START = /^(?!extern\b|typedef\b|return\b|else\b|#)[A-Za-z_][\w \t*,]*?\b([A-Za-z_]\w*)[ \t]*\(/;
const NOT_NAMES = new Set(['__attribute__', 'if', 'for', 'while', 'switch', 'sizeof', 'return', 'DECLARE_POOL']);

/** All function definitions in one file's text, by name (the first definition of a name wins). */
export function scanFunctions(text: string): Map<string, HaproxyFunction> {
  const out = new Map<string, HaproxyFunction>();
  if (typeof text !== 'string') return out;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = START.exec(lines[i]);
    if (!m || NOT_NAMES.has(m[1])) continue;
    const after = bodyBrace(lines, i, m[0].length - 1);
    if (after === undefined) continue;
    let endLine: number | undefined;
    for (let j = after + 1; j < lines.length; j++) {
      if (/^}/.test(lines[j])) {
        endLine = j + 1;
        break;
      }
      if (START.test(lines[j]) && !/^[A-Za-z_]\w*:/.test(lines[j])) break; // the next definition: no column-0 brace
    }
    if (!out.has(m[1])) out.set(m[1], { name: m[1], line: i + 1, ...(endLine ? { endLine } : {}) });
    if (endLine) i = endLine - 1;
  }
  return out;
}
