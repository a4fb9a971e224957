import { randomBytes } from 'node:crypto';

export const newTraceId = (): string => nonZeroHex(16);
export const newSpanId = (): string => nonZeroHex(8);

// W3C trace context forbids all-zero ids.
function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
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
