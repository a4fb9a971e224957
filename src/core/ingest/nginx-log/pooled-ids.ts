// Random span/trace ids from a pooled buffer: one randomFillSync per 4096 ids instead of one per id, which
// dominated importing large logs. Same distribution as ids.ts (crypto random, never all zero).
// The pool is turned into hex once and ids are slices of that text: a hex conversion per id cost about as
// much again as the rest of making an access-log line's spans. (A kept id keeps its 128 KB of text alive; ids are
// kept with their traces, 8192 ids to a text, so that is the 16 bytes an id takes anyway.)
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(65536);
const ZERO: Record<number, string> = { 16: '0'.repeat(16), 32: '0'.repeat(32) };
let text = '';
let pos = 0;

function hex(digits: number): string {
  for (;;) {
    if (pos + digits > text.length) {
      randomFillSync(pool);
      text = pool.toString('hex');
      pos = 0;
    }
    const s = text.slice(pos, pos + digits);
    pos += digits;
    if (s !== ZERO[digits]) return s;
  }
}

export const pooledSpanId = (): string => hex(16);
export const pooledTraceId = (): string => hex(32);
