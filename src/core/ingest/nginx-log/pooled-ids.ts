// Random span/trace ids from a pooled buffer: one randomFillSync per 4096 ids instead of one per id, which
// dominated importing large logs. Same distribution as ids.ts (crypto random, never all zero).
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(65536);
const ZERO: Record<number, string> = { 8: '0'.repeat(16), 16: '0'.repeat(32) };
let pos = pool.length;

function hex(bytes: number): string {
  for (;;) {
    if (pos + bytes > pool.length) {
      randomFillSync(pool);
      pos = 0;
    }
    const s = pool.toString('hex', pos, pos + bytes);
    pos += bytes;
    if (s !== ZERO[bytes]) return s;
  }
}

export const pooledSpanId = (): string => hex(8);
export const pooledTraceId = (): string => hex(16);
