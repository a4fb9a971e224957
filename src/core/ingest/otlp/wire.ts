// The protobuf wire format as the OTLP decoder reads it (src/core/ingest/otlp/decode.ts): wire types, bounded
// embedded messages, and skipping unknown fields as protobuf requires.
import protobuf from 'protobufjs';

export type Reader = protobuf.Reader;
export const LEN = 2;
export const VARINT = 0;
export const I64 = 1;
export const I32 = 5;
/**
 * Embedded messages one decode may open: a fixed allowance plus one per 4 input bytes. Every real message costs at
 * least 2 bytes (tag and length) and real spans average far more; a file of repeated `0a 00` (an empty ResourceSpans
 * every 2 bytes) would otherwise become millions of objects, 50 times its size in heap. sub() spends it.
 */
const messageBudget = (bytes: number) => 4096 + Math.floor(bytes / 4);
// Decoding is synchronous, so one module-level counter serves the current decode.
let budget = Infinity;

/** Runs `read` with the message budget of a `bytes`-long input; the budget is gone afterwards, even on a throw. */
export function withBudget<T>(bytes: number, read: () => T): T {
  budget = messageBudget(bytes);
  try {
    return read();
  } finally {
    budget = Infinity;
  }
}

/** Reads a length prefix and returns the end offset of the embedded message, checking it is inside the buffer. */
export function sub(r: Reader): number {
  const len = r.uint32();
  // An empty message costs 2 bytes of input and a whole object of heap: it counts as 8 (real exports have few).
  budget -= len === 0 ? 8 : 1;
  if (budget < 0)
    throw new RangeError(
      `more embedded messages than ${messageBudget(r.len)} (4096 + one per ` +
        `4 bytes, empty ones count 8), at offset ${r.pos}: not a real export`,
    );
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`length ${len} at offset ${r.pos} runs past the end (${r.len})`);
  return end;
}

/** A field that ran past the end of its enclosing message means the lengths are inconsistent. */
export function fits(r: Reader, end: number): void {
  if (r.pos > end) throw new RangeError(`a field overruns its enclosing message at offset ${end}`);
}

export function skip(r: Reader, tag: number): void {
  const wire = tag & 7;
  if (tag >>> 3 === 0 || wire === 3 || wire === 4 || wire > 5) throw new Error(`invalid tag ${tag} at offset ${r.pos}`);
  r.skipType(wire);
}

export function hexField(r: Reader): string {
  const end = sub(r);
  const s = (r.buf as Buffer).toString('hex', r.pos, end);
  r.pos = end;
  return s;
}
