import { randomBytes } from 'node:crypto';

export const newTraceId = (): string => nonZeroHex(16);
export const newSpanId = (): string => nonZeroHex(8);

// Random bytes are taken 4 KB at a time: a burst makes a dozen ids per request, and one randomBytes call per id
// cost more than the rest of making its spans.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

// W3C trace context forbids all-zero ids.
function nonZeroHex(bytes: number): string {
  for (;;) {
    if (used + bytes > pool.length) {
      pool = randomBytes(POOL_BYTES);
      used = 0;
    }
    const hex = pool.toString('hex', used, used + bytes);
    used += bytes;
    if (!/^0+$/.test(hex)) return hex;
  }
}

export const isTraceId = (s: string): boolean => /^[0-9a-f]{32}$/.test(s) && !/^0+$/.test(s);
export const isSpanId = (s: string): boolean => /^[0-9a-f]{16}$/.test(s) && !/^0+$/.test(s);

export function traceparent(traceId: string, spanId: string, sampled = true): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

export function parseTraceparent(
  value: string | undefined,
): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (!value) return undefined;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value.trim());
  if (!m || m[1] === 'ff' || !isTraceId(m[2]) || !isSpanId(m[3])) return undefined;
  return { traceId: m[2], spanId: m[3], sampled: (parseInt(m[4], 16) & 1) === 1 };
}
