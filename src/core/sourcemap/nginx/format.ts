// nginx format strings (src/core/ngx_string.c : ngx_vslprintf) compiled to token lists, and a
// memoized matcher: each (token, position) pair is tried at most once, so no message can make
// matching blow up the way nested `.*?` regexes can.
import { WILDCARD } from './c-scan';

export type Tok =
  | { t: 'lit'; s: string }
  | { t: 'str'; hex: 0 | 1 | 2 } // %V %v %s %*s, hex-dumped with x/X
  | { t: 'num'; hex: 0 | 1 | 2 } // %d %i %ui %uA %O %T %M %z %D %L %l %P %r %p, hex with x/X
  | { t: 'float' } // %f %.Nf
  | { t: 'char' }; // %c

export function compileFormat(fmt: string): Tok[] {
  const toks: Tok[] = [];
  let lit = '';
  const push = (t: Tok) => {
    if (lit) {
      toks.push({ t: 'lit', s: lit });
      lit = '';
    }
    // Two adjacent strings match exactly what one string matches.
    const prev = toks[toks.length - 1];
    if (t.t === 'str' && prev?.t === 'str' && prev.hex === 0 && t.hex === 0) return;
    toks.push(t);
  };
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    if (ch === WILDCARD) {
      push({ t: 'str', hex: 0 });
      i++;
      continue;
    }
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    i++;
    if (fmt[i] === '0') i++;
    while (fmt[i] >= '0' && fmt[i] <= '9') i++;
    let hex: 0 | 1 | 2 = 0;
    for (;;) {
      const f = fmt[i];
      if (f === 'u' || f === 'm' || f === '*') {
        i++;
        continue;
      }
      if (f === 'X') {
        hex = 2;
        i++;
        continue;
      }
      if (f === 'x') {
        hex = 1;
        i++;
        continue;
      }
      if (f === '.') {
        i++;
        while (fmt[i] >= '0' && fmt[i] <= '9') i++;
      }
      break;
    }
    const c = fmt[i];
    if (c === undefined) break;
    i++;
    switch (c) {
      case 'V':
      case 'v':
      case 's':
        push({ t: 'str', hex });
        break;
      case 'O':
      case 'P':
      case 'T':
      case 'M':
      case 'z':
      case 'i':
      case 'd':
      case 'l':
      case 'D':
      case 'L':
      case 'A':
      case 'r':
        push({ t: 'num', hex });
        break;
      case 'p':
        push({ t: 'num', hex: 2 });
        break;
      case 'f':
        push({ t: 'float' });
        break;
      case 'c':
        push({ t: 'char' });
        break;
      case 'Z':
        lit += '\0';
        break;
      case 'N':
        lit += '\n';
        break;
      default:
        lit += c; // `%%` and unknown conversions print the character itself
    }
  }
  if (lit) toks.push({ t: 'lit', s: lit });
  return toks;
}

/** Characters of literal text: more literal text means a more specific format. */
export function literalWeight(toks: Tok[]): number {
  let n = 0;
  for (const t of toks) if (t.t === 'lit') n += t.s.length;
  return n;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHexLower = (c: number) => isDigit(c) || (c >= 97 && c <= 102);
const isHexUpper = (c: number) => isDigit(c) || (c >= 65 && c <= 70);
const hexTest = (hex: 1 | 2) => (hex === 1 ? isHexLower : isHexUpper);

/**
 * Does `s` (the whole message) come from a format with these tokens? `allowTruncated` accepts a
 * message that ends early, as nginx cuts lines at NGX_MAX_ERROR_STR.
 */
export function matchTokens(toks: Tok[], s: string, allowTruncated = false): boolean {
  const n = s.length;
  const failed = new Set<number>();
  const go = (ti: number, pos: number): boolean => {
    if (ti === toks.length) return pos === n;
    if (pos === n && allowTruncated) return true;
    const key = ti * (n + 1) + pos;
    if (failed.has(key)) return false;
    const ok = step(ti, pos);
    if (!ok) failed.add(key);
    return ok;
  };
  const step = (ti: number, pos: number): boolean => {
    const t = toks[ti];
    switch (t.t) {
      case 'lit': {
        if (s.startsWith(t.s, pos)) return go(ti + 1, pos + t.s.length);
        return allowTruncated && t.s.startsWith(s.slice(pos));
      }
      case 'char':
        return pos < n && go(ti + 1, pos + 1);
      case 'num': {
        let p = pos;
        if (t.hex === 0) {
          while (p < n && s.charCodeAt(p) === 32) p++;
          if (s.charCodeAt(p) === 45) p++;
          const d0 = p;
          while (p < n && isDigit(s.charCodeAt(p))) p++;
          for (let e = p; e > d0; e--) if (go(ti + 1, e)) return true;
          return false;
        }
        const ok = hexTest(t.hex);
        while (p < n && s.charCodeAt(p) === 32) p++;
        const d0 = p;
        while (p < n && ok(s.charCodeAt(p))) p++;
        for (let e = p; e > d0; e--) if (go(ti + 1, e)) return true;
        return false;
      }
      case 'float': {
        let p = pos;
        if (s.charCodeAt(p) === 45) p++;
        const d0 = p;
        while (p < n && isDigit(s.charCodeAt(p))) p++;
        if (p === d0) return false;
        const ends = [p];
        if (s.charCodeAt(p) === 46) {
          let q = p + 1;
          while (q < n && isDigit(s.charCodeAt(q))) q++;
          if (q > p + 1) ends.unshift(q);
        }
        return ends.some((e) => go(ti + 1, e));
      }
      case 'str': {
        let max = n;
        if (t.hex) {
          const ok = hexTest(t.hex);
          max = pos;
          while (max < n && ok(s.charCodeAt(max))) max++;
        }
        if (allowTruncated && max === n) return true; // the string may run up to the cut
        const next = toks[ti + 1];
        if (!next) return max === n;
        if (next.t === 'lit') {
          for (let j = s.indexOf(next.s, pos); j >= 0 && j <= max; j = s.indexOf(next.s, j + 1)) {
            if (go(ti + 1, j)) return true;
          }
          return false;
        }
        for (let j = pos; j <= max; j++) if (go(ti + 1, j)) return true;
        return false;
      }
    }
  };
  return go(0, 0);
}
