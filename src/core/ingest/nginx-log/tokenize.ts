// Splits a text access-log line into bare words, "quoted" fields and [bracketed] fields.

export type Token =
  | { kind: 'bare'; text: string; col: number }
  | { kind: 'quoted'; text: string; raw: string; col: number }
  | { kind: 'bracket'; text: string; col: number };

export type TokenizeResult = { tokens: Token[] } | { error: string };

export function tokenize(line: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  const lastClose = line.lastIndexOf(']');
  // The next ']' after i, found again only once i passes it, so the scan stays linear.
  let close = -1;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const col = i + 1;
    if (c === 34 /* " */) {
      // nginx writes `"` inside a field as \x22; JSON-escaping formats write \". Both are skipped here.
      let j = i + 1;
      while (j < n && line.charCodeAt(j) !== 34) j += line.charCodeAt(j) === 92 /* \ */ ? 2 : 1;
      if (j >= n) return { error: `unterminated quoted field starting at column ${col}` };
      const raw = line.slice(i + 1, j);
      tokens.push({ kind: 'quoted', text: raw, raw, col });
      i = j + 1;
    } else if (
      c === 91 /* [ */ &&
      lastClose > i &&
      endsField(line, (close = close > i ? close : line.indexOf(']', i + 1)) + 1)
    ) {
      // Only `[...]` followed by a space is a bracketed field: `[fd00::1]:8080` (an IPv6 peer) is a bare word,
      // and so is a '[' with no ']' after it.
      const j = close;
      tokens.push({ kind: 'bracket', text: line.slice(i + 1, j), col });
      i = j + 1;
    } else {
      let j = i;
      while (j < n && line.charCodeAt(j) !== 32 && line.charCodeAt(j) !== 9) j++;
      tokens.push({ kind: 'bare', text: line.slice(i, j), col });
      i = j;
    }
  }
  return { tokens };
}

const endsField = (line: string, k: number) => k >= line.length || line[k] === ' ' || line[k] === '\t';

/** Joins bare words back into list values: `a,` `b` → `a, b`; `a` `:` `b` → `a : b`. */
export function joinLists(words: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    // A word that neither continues a list nor is followed by ` : ` is a value on its own (nearly every word).
    if (!words[i].endsWith(',') && words[i + 1] !== ':') {
      out.push(words[i++]);
      continue;
    }
    // Parts are collected and joined once: growing a string and asking endsWith() on it each time is quadratic.
    const parts = [words[i]];
    let last = words[i++];
    for (;;) {
      if (last.endsWith(',') && i < words.length) {
        last = words[i++];
        parts.push(' ', last);
        continue;
      }
      if (words[i] === ':' && i + 1 < words.length) {
        last = words[i + 1];
        parts.push(' : ', last);
        i += 2;
        continue;
      }
      break;
    }
    out.push(parts.join(''));
  }
  return out;
}
