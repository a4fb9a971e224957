// 64-bit integers from protobufjs's Reader as exact decimal strings (OTLP/JSON's int64 form), without Long objects.
import type protobuf from 'protobufjs';

type Reader = protobuf.Reader;

export function fixed64(r: Reader): string {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return uint64ToDecimal(lo, hi);
}

export function int64(r: Reader): string {
  const bits = (r as unknown as { int64(): { low: number; high: number } | number }).int64();
  if (typeof bits === 'number') return String(bits);
  if (bits.high >= 0) return uint64ToDecimal(bits.low >>> 0, bits.high >>> 0);
  return BigInt.asIntN(64, (BigInt(bits.high >>> 0) << 32n) | BigInt(bits.low >>> 0)).toString();
}

/**
 * An unsigned 64-bit value (two 32-bit halves) as a decimal string without BigInt: split into three 24-bit
 * digits in base 2^24 and carry in base 1e7, the usual trick for exact 64-bit decimals with doubles.
 */
export function uint64ToDecimal(lo: number, hi: number): string {
  if (hi <= 0x1fffff) return String(hi * 4294967296 + lo);
  const low = lo & 0xffffff;
  const mid = ((lo >>> 24) | (hi << 8)) & 0xffffff;
  const high = (hi >>> 16) & 0xffff;
  // 2^24 = 16777216 = 1*1e7 + 6777216; 2^48 = 281474976710656 = 28147497*1e7 + 6710656.
  let a = low + mid * 6777216 + high * 6710656;
  let b = mid + high * 8147497;
  let c = high * 2;
  const base = 10_000_000;
  if (a >= base) {
    b += Math.floor(a / base);
    a %= base;
  }
  if (b >= base) {
    c += Math.floor(b / base);
    b %= base;
  }
  return c ? `${c}${pad7(b)}${pad7(a)}` : b ? `${b}${pad7(a)}` : String(a);
}

const pad7 = (n: number) => String(n).padStart(7, '0');
