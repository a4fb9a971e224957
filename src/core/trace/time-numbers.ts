// Span times (decimal nanosecond strings) as plain numbers that keep their order, for work that only compares
// times and picks among them (the critical path). BigInt parsing and comparing was most of that work's cost on the
// small traces an access log gives, one per line.
import type { Span } from './model';

export interface TimeNumbers {
  /** Each span's start and end; an end before its start is taken as the start. */
  s: number[];
  e: number[];
  /** The decimal string (as BigInt prints it) of any number in `s` and `e`. */
  text(v: number): string;
}

// Up to this many spans, a time's string is found by looking through them: cheaper than building a Map.
const FEW = 16;

// Fifteen digits stay exact in a double (2^53 is about 9.007e15).
const EXACT_DIGITS = 15;

export function timeNumbers(spans: Span[]): TimeNumbers {
  return offsets(spans) ?? ranks(spans);
}

/**
 * The usual case, times of one era: every time is a canonical decimal string of one length sharing all but its
 * last fifteen digits, so those digits are the time less a common base, exactly. Undefined otherwise.
 */
function offsets(spans: Span[]): TimeNumbers | undefined {
  const n = spans.length;
  const ref = spans[0].startTimeUnixNano;
  if (typeof ref !== 'string') return undefined;
  const len = ref.length;
  const fixed = len > EXACT_DIGITS ? len - EXACT_DIGITS : 0;
  for (let j = 0; j < fixed; j++) if (!isDigit(ref.charCodeAt(j))) return undefined;
  const s: number[] = new Array(n);
  const e: number[] = new Array(n);
  const read = (v: unknown): number => {
    if (typeof v !== 'string' || v.length !== len || (len > 1 && v.charCodeAt(0) === 48)) return -1;
    for (let j = 0; j < fixed; j++) if (v.charCodeAt(j) !== ref.charCodeAt(j)) return -1;
    let x = 0;
    for (let j = fixed; j < len; j++) {
      const c = v.charCodeAt(j);
      if (!isDigit(c)) return -1;
      x = x * 10 + (c - 48);
    }
    return x;
  };
  for (let i = 0; i < n; i++) {
    const a = read(spans[i].startTimeUnixNano);
    const b = read(spans[i].endTimeUnixNano);
    if (a < 0 || b < 0) return undefined;
    s[i] = a;
    e[i] = b < a ? a : b;
  }
  // Every number is some span's start or (unless clamped to the start) end, written as given.
  const find = (v: number): string => {
    for (let i = 0; i < n; i++) {
      if (s[i] === v) return spans[i].startTimeUnixNano;
      if (e[i] === v) return spans[i].endTimeUnixNano;
    }
    throw new Error(`time ${v} is no span's`);
  };
  if (n <= FEW) return { s, e, text: find };
  let map: Map<number, string> | undefined;
  const text = (v: number): string => {
    if (!map) {
      map = new Map();
      for (let i = n - 1; i >= 0; i--) {
        map.set(e[i], spans[i].endTimeUnixNano);
        map.set(s[i], spans[i].startTimeUnixNano);
      }
    }
    return map.get(v) ?? find(v);
  };
  return { s, e, text };
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Any times: each one's position among the trace's distinct times, found on their canonical strings. */
function ranks(spans: Span[]): TimeNumbers {
  const n = spans.length;
  const starts: string[] = new Array(n);
  const ends: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = canonical(spans[i].startTimeUnixNano);
    ends[i] = canonical(spans[i].endTimeUnixNano);
  }
  const times = starts.concat(ends).sort(compareTimes);
  let u = 0;
  for (let j = 0; j < times.length; j++) if (!u || times[u - 1] !== times[j]) times[u++] = times[j];
  times.length = u;
  const s: number[] = new Array(n);
  const e: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = rankOf(times, starts[i]);
    const v = rankOf(times, ends[i]);
    e[i] = v < s[i] ? s[i] : v;
  }
  return { s, e, text: (r) => times[r] };
}

// A time as the decimal string BigInt prints; one BigInt cannot read counts as 0 (as critical-path.ts always did).
const CANONICAL = /^(?:0|-?[1-9]\d*)$/;

function canonical(v: unknown): string {
  if (typeof v === 'string' && CANONICAL.test(v)) return v;
  try {
    return String(BigInt(v as string));
  } catch {
    return '0';
  }
}

/** Numeric order of two canonical decimal strings: of two with one sign, the longer is further from zero. */
function compareTimes(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  if (na !== (b.charCodeAt(0) === 45)) return na ? -1 : 1;
  const c = a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return na ? -c : c;
}

function rankOf(times: string[], v: string): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareTimes(times[mid], v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
