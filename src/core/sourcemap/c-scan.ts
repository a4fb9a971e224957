// The one step both C function finders share (nginx/functions.ts, haproxy/scan.ts): from the `(` after a
// column-0 name, does a body follow? Balances the parentheses over at most 40 lines, skipping comments; the next
// significant character decides: `{` is a definition, anything else (`;` of a prototype, `,` or `)` of a call, a
// string or character literal, which no parameter list has) is not.

/** The 0-based line of the body's `{` when the `(` at lines[line][col] opens a definition's parameters. */
export function bodyBrace(lines: string[], line: number, col: number): number | undefined {
  let depth = 0;
  let inComment = false;
  for (let i = line; i < lines.length && i < line + 40; i++) {
    const s = lines[i];
    for (let c = i === line ? col : 0; c < s.length; c++) {
      const ch = s[c];
      if (inComment) {
        if (ch === '*' && s[c + 1] === '/') {
          inComment = false;
          c++;
        }
        continue;
      }
      if (ch === '/' && s[c + 1] === '*') {
        inComment = true;
        c++;
        continue;
      }
      if (ch === '/' && s[c + 1] === '/') break;
      if (ch === '"' || ch === "'") return undefined;
      if (ch === '(') {
        depth++;
        continue;
      }
      if (ch === ')') {
        if (--depth < 0) return undefined;
        continue;
      }
      if (depth > 0 || /\s/.test(ch)) continue;
      return ch === '{' ? i : undefined;
    }
  }
  return undefined;
}
