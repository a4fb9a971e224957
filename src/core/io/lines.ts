// A text file's lines with where they start, so that a request seen once in a big log can be read again later by
// seeking to its line instead of keeping it (core/burst/log-set.ts). Memory: one offset per CHECKPOINT lines.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Every CHECKPOINT-th line's byte offset is kept; finding a line reads at most CHECKPOINT - 1 lines before it. */
export const CHECKPOINT = 64;
/** A longer line is read back only up to this many bytes. */
const MAX_LINE_BYTES = 16 << 20;

export class LineIndex {
  /** checkpoints[k]: the byte offset of line k * CHECKPOINT + 1 (lines are numbered from 1). */
  readonly checkpoints: number[] = [];
  bytesRead = 0;
  lines = 0;

  /**
   * The file's lines without their `\n` (a `\r` before it stays, as readline's crlfDelay leaves it for the caller).
   * `signal` stops the read between chunks.
   */
  async *read(path: string, signal?: AbortSignal): AsyncGenerator<string> {
    let rest: Buffer | undefined;
    let restAt = 0;
    // Lines already indexed by add() come first; reading goes on from where they end.
    const from = { highWaterMark: 1 << 20, start: this.bytesRead };
    for await (const chunk of createReadStream(path, from) as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      const base = rest ? restAt : this.bytesRead;
      this.bytesRead += chunk.length;
      let a = 0;
      for (let nl = buf.indexOf(10, a); nl >= 0; nl = buf.indexOf(10, a)) {
        this.mark(base + a);
        yield buf.toString('utf8', a, nl);
        a = nl + 1;
      }
      rest = a < buf.length ? buf.subarray(a) : undefined;
      restAt = base + a;
    }
    if (rest) {
      this.mark(restAt);
      yield rest.toString('utf8');
    }
  }

  /**
   * Lines indexed elsewhere (a worker read them, core/burst/log-chunks.ts): `lines` lines in `bytes` bytes, and the
   * offsets of those numbered CHECKPOINT * k + 1. They must be the lines right after the ones indexed so far.
   */
  add(checkpoints: readonly number[], lines: number, bytes: number): void {
    this.checkpoints.push(...checkpoints);
    this.lines += lines;
    this.bytesRead += bytes;
  }

  private mark(offset: number): void {
    if (this.lines % CHECKPOINT === 0) this.checkpoints.push(offset);
    this.lines++;
  }

  /** The given lines (numbers from 1, ascending), read again from the file; a line past the end is left out. */
  async lookup(fh: FileHandle, numbers: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const n of numbers) {
      const k = Math.floor((n - 1) / CHECKPOINT);
      if (k >= this.checkpoints.length) continue;
      const line = await lineAfter(fh, this.checkpoints[k], n - 1 - k * CHECKPOINT);
      if (line !== undefined) out.set(n, line);
    }
    return out;
  }
}

/**
 * A file's lines from byte `offset` on (where a line starts), split as LineIndex.read splits them: at `\n` only,
 * a `\r` before it left for the reader (controller-log/import.ts takes it off).
 */
export function linesFrom(path: string, offset = 0, signal?: AbortSignal): AsyncGenerator<string> {
  const index = new LineIndex();
  index.bytesRead = offset;
  return index.read(path, signal);
}

/** The line that starts after `skip` newlines from `offset`. */
async function lineAfter(fh: FileHandle, offset: number, skip: number): Promise<string | undefined> {
  let buf = Buffer.alloc(0);
  let pos = offset;
  let start = 0;
  for (;;) {
    const more = Buffer.alloc(Math.min(1 << 16, MAX_LINE_BYTES));
    const { bytesRead } = await fh.read(more, 0, more.length, pos);
    pos += bytesRead;
    buf = Buffer.concat([buf, more.subarray(0, bytesRead)]);
    for (let nl = buf.indexOf(10, start); skip > 0 && nl >= 0; nl = buf.indexOf(10, start)) {
      start = nl + 1;
      skip--;
    }
    if (skip === 0) {
      const end = buf.indexOf(10, start);
      if (end >= 0) return buf.toString('utf8', start, end);
      if (!bytesRead || buf.length - start >= MAX_LINE_BYTES)
        return start < buf.length ? buf.toString('utf8', start) : undefined;
    } else if (!bytesRead) return undefined;
    // Keep only what is still needed: the lines before `start` are passed.
    buf = buf.subarray(start);
    start = 0;
  }
}
