// An access log read in pieces by worker threads and this thread together, with the results taken in file order.
// This is exact, not an approximation: a piece whose reading held error-matching state (an nginx error line waiting
// for its request, a connection's request id) could depend on the pieces before it, so the first such piece and
// everything after it are left to the caller to read in one pass, starting where the independent pieces ended. A
// log without error lines (the usual access log) is read wholly in pieces. test/unit/log-parallel.test.ts compares
// the two ways on random logs.
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KubetraceError, errorMessage } from '../errors';
import type { FormatFamily } from '../ingest/controller-log/classify';
import { summarizeChunk, type ChunkJob, type ChunkResult } from './log-chunks';

/**
 * Pieces of about this many bytes: big enough that taking a result is cheap, small enough to share out and to keep
 * memory low (a few pieces are in flight). A piece's Trace JSON is about 17 times its size, so JSON pieces are
 * smaller. On the 100 MB bench log, 128 KB JSON pieces peaked at 224 MB against 366 MB with 1 MB pieces, in the same
 * time; breakdown pieces of 1 MB at 249 MB against 270 MB with 4 MB pieces. Once the common lines were written
 * straight (src/cli/log-json-plain.ts), 64 KB JSON pieces peaked at 129-144 MB against 133-165 MB with 128 KB, five
 * runs each in turn, in the same time.
 */
export const CHUNK_BYTES = 1 << 20;
export const JSON_CHUNK_BYTES = 64 << 10;

export interface ParallelOptions {
  /** The worker script: it answers each ChunkJob message with summarizeChunk's result (src/cli/log-worker.ts). */
  script: string;
  family?: FormatFamily;
  /** Pieces give their traces' JSON (ChunkJob.json) instead of breakdown parts. */
  json?: boolean;
  /** How this thread reads a piece: what the worker script does with it (default summarizeChunk). */
  local?: (job: ChunkJob) => ChunkResult;
  signal?: AbortSignal;
  /** Worker threads (default one a core, at most 4); with none, this thread reads every piece itself. */
  workers?: number;
  chunkBytes?: number;
}

/** Where the one-pass reading has to start: the first piece that was not independent. */
export interface Resume {
  offset: number;
  firstLine: number;
  /** The latest log time the pieces before it reached (ControllerLogReader's startTime). */
  time: number;
}

interface Piece {
  job: ChunkJob;
  result?: ChunkResult;
}

/**
 * Reads `path` in pieces and hands each independent piece's result to `take`, in file order. A piece goes to the
 * next idle worker; this thread only cuts pieces and takes results. It used to read a piece itself whenever no
 * worker was idle, but then a worker that finished waited for it, and this thread's heap grew with the pieces'
 * garbage: on the 100 MB benchmark log, `--json` took 21.2 s and 207 MB that way, 17.0 s and 157 MB this way
 * (`--summary` 14.2 s and 230 MB, now 13.0 s and 246 MB). Returns where a one-pass reading must go on, or
 * undefined when every piece was independent.
 */
export async function readInParallel(
  path: string,
  opts: ParallelOptions,
  take: (r: ChunkResult) => void,
): Promise<Resume | undefined> {
  const count = Math.max(0, opts.workers ?? Math.min(4, availableParallelism()));
  const size = opts.chunkBytes ?? (opts.json ? JSON_CHUNK_BYTES : CHUNK_BYTES);
  // A worker's young generation at V8's default grows to 48 MB of garbage it could collect sooner. 16 MB read the
  // benchmark log as fast, with about 20 MB less memory for the process, and 4 MB (once the report no longer
  // peaked higher, rows.ts and order.ts) as fast again with 190-198 MB against 244-253, four runs each in turn. A
  // JSON piece's common lines make little garbage (src/cli/log-json-plain.ts): 2 MB wrote the benchmark log's JSON
  // as fast, in 130-160 MB instead of 170-200.
  //
  // What a JSON piece leaves behind reaches the old generation all the same, and V8 let it grow to 12-18 MB before
  // collecting it, from about 5 MB live. Capped at JSON_OLD_MB, the benchmark log's JSON took 106-108 MB instead of
  // 131-133, in the same time. Such a worker runs out of memory only on live data, which a piece holds little of
  // unless it is long (a very long line): those pieces are read by this thread, which has no such cap (BIG_PIECE).
  const limits = opts.json
    ? { maxYoungGenerationSizeMb: JSON_YOUNG_MB, maxOldGenerationSizeMb: JSON_OLD_MB }
    : { maxYoungGenerationSizeMb: YOUNG_MB };
  const pool = Array.from({ length: count }, () => new Worker(opts.script, { resourceLimits: limits }));
  const idle = [...pool];
  const queue: Piece[] = [];
  const spares: ArrayBuffer[] = [];
  // Memory pieces were read into, back from the workers. Reading into it again, instead of into new memory each
  // time, keeps the process from holding freed pieces that wait for a worker's collector and for malloc to reuse.
  const inputs: ArrayBuffer[] = [];
  const memory = (n: number) => {
    const b = inputs.pop();
    return b && b.byteLength >= n ? new Uint8Array(b, 0, n) : new Uint8Array(n);
  };
  let time = 0;
  let resume: Resume | undefined;
  let failure: Error | undefined;
  let closing = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const waitFor = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  for (const w of pool) {
    w.on('error', (e) => {
      failure ??= e;
      poke();
    });
    w.on('exit', (code) => {
      if (!closing) failure ??= new Error(`a log reader thread stopped (exit code ${code})`);
      poke();
    });
  }
  // Results in file order; the first piece that held state ends the reading in pieces.
  const drain = () => {
    while (queue.length && queue[0].result && !resume) {
      const p = queue.shift() as Piece;
      const r = p.result as ChunkResult;
      if (r.stateful) resume = { offset: p.job.offset, firstLine: p.job.firstLine, time };
      else {
        time = Math.max(time, r.time);
        take(r);
        // `take` is done with the bytes: the next piece writes its JSON there instead of into new memory (kept for
        // as many pieces as can be in flight).
        if (r.json && spares.length < 2 * count + 2) spares.push(r.json.buffer as ArrayBuffer);
      }
    }
    if (failure) throw failure;
    opts.signal?.throwIfAborted();
  };
  let offset = 0;
  let line = 1;
  const cut = async (bytes: Uint8Array) => {
    const job: ChunkJob = { bytes, offset, firstLine: line, ...(opts.family && { family: opts.family }) };
    if (opts.json) job.json = true;
    offset += bytes.length;
    line += countLines(bytes);
    const p: Piece = { job };
    // Pieces done here wait for a worker's before them: no more than a few, so memory stays bounded.
    while (queue.length > 2 * count && !queue[0].result && !failure) await waitFor();
    queue.push(p);
    if (opts.json) job.spare = spares.pop();
    const big = bytes.length > BIG_PIECE * size;
    while (count && !big && !idle.length && !failure) await waitFor();
    if (failure) throw failure;
    const w = big ? undefined : idle.pop();
    if (w) {
      w.once('message', (r: ChunkResult | { error: string }) => {
        if ('error' in r) failure ??= new Error(r.error);
        else {
          p.result = r;
          if (r.input && inputs.length < 2 * count + 2) inputs.push(r.input);
        }
        idle.push(w);
        poke();
      });
      w.postMessage(job, job.spare ? [bytes.buffer as ArrayBuffer, job.spare] : [bytes.buffer as ArrayBuffer]);
    } else {
      p.result = (opts.local ?? summarizeChunk)(job);
    }
    drain();
  };
  const fh = await open(path, 'r');
  try {
    // Each piece is read straight into memory of its own (new, or a finished piece's that its worker handed back),
    // whole lines only: the partial line at its end starts the next piece. A line longer than a piece makes the
    // piece grow.
    let buf = memory(size);
    let filled = 0;
    while (!resume) {
      if (filled === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, offset + filled);
      filled += bytesRead;
      if (bytesRead && filled < buf.length) continue;
      if (!filled) break;
      // At the end of the file the last line needs no `\n`.
      const nl = bytesRead ? buf.lastIndexOf(10, filled - 1) : filled - 1;
      if (nl < 0) continue;
      const next = memory(Math.max(size, 2 * (filled - nl - 1)));
      next.set(buf.subarray(nl + 1, filled));
      await cut(buf.subarray(0, nl + 1));
      if (!bytesRead) break;
      filled -= nl + 1;
      buf = next;
    }
    for (drain(); queue.length && !resume; drain()) await waitFor();
    return resume;
  } catch (e) {
    if (e === opts.signal?.reason) throw e;
    throw new KubetraceError(`reading ${path} in pieces failed: ${errorMessage(e)}`);
  } finally {
    await fh.close();
    closing = true;
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

const YOUNG_MB = 4;
const JSON_YOUNG_MB = 2;
const JSON_OLD_MB = 16;
/** A piece this many times longer than the usual (it grew to hold a long line) is read by this thread. */
const BIG_PIECE = 4;

function countLines(b: Uint8Array): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  // The file's last line may have no `\n`.
  return b.length && b[b.length - 1] !== 10 ? n + 1 : n;
}
