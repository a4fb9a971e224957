// A piece of a big log as Trace JSON (`import --json`, core/burst/log-parallel.ts): read as one pass reads it, each
// trace written by JsonBytes after `,\n`, into memory of its own so that a worker thread can hand it over.
import { readPiece, type ChunkJob, type ChunkResult } from '../core/burst/log-chunks';
import { finishTrace } from '../core/io/finish';
import { JsonBytes } from './json-bytes';
import { PLAIN_SPANS, writePlainTrace } from './log-json-plain';

export function jsonChunk(job: ChunkJob): ChunkResult {
  // A piece's JSON is about 17 times its size; the writer doubles its memory when a piece says more. The memory of
  // a piece already written is used again when it is big enough: new memory is zeroed page by page. Sized by the
  // piece's length rounded up to a power of two, so that the memory of a piece a few bytes shorter (pieces end at a
  // line's end) serves the next: sized by the exact length, any piece longer than the one before took new memory.
  const want = 18 * 2 ** Math.ceil(Math.log2(Math.max(job.bytes.length, 1024))) + 1024;
  const store = job.spare && job.spare.byteLength >= want ? new Uint8Array(job.spare) : new Uint8Array(want);
  const bytes = new JsonBytes(undefined, store);
  let traces = 0;
  let spans = 0;
  const read = readPiece(
    job,
    (t) => {
      const trace = finishTrace(t);
      bytes.separator(false);
      bytes.trace(trace);
      traces++;
      spans += trace.spans.length;
    },
    (rec, line) => {
      if (!writePlainTrace(bytes, rec, line, false)) return false;
      traces++;
      spans += PLAIN_SPANS;
      return true;
    },
  );
  return { ...read, json: bytes.written(), traces, spans };
}
