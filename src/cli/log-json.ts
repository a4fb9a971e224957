// A piece of a big log as Trace JSON (`import --json`, core/burst/log-parallel.ts): read as one pass reads it, each
// trace written by JsonBytes after `,\n`, into memory of its own so that a worker thread can hand it over.
import { readPiece, type ChunkJob, type ChunkResult } from '../core/burst/log-chunks';
import { finishTrace } from '../core/io/finish';
import { JsonBytes } from './json-bytes';

export function jsonChunk(job: ChunkJob): ChunkResult {
  // A piece's JSON is about 17 times its size; grown by doubling when a piece says more. The memory of a piece
  // already written is used again when it is big enough: new memory is zeroed page by page.
  const want = 18 * job.bytes.length + 1024;
  let store = job.spare && job.spare.byteLength >= want ? new Uint8Array(job.spare) : new Uint8Array(want);
  let used = 0;
  const bytes = new JsonBytes((b) => {
    if (store.length - used < b.length) {
      const bigger = new Uint8Array(Math.max(2 * store.length, used + b.length));
      bigger.set(store.subarray(0, used));
      store = bigger;
    }
    store.set(b, used);
    used += b.length;
  });
  let traces = 0;
  let spans = 0;
  const read = readPiece(job, (t) => {
    const trace = finishTrace(t);
    bytes.text(',\n');
    bytes.trace(trace);
    traces++;
    spans += trace.spans.length;
  });
  bytes.flush();
  return { ...read, json: store.subarray(0, used), traces, spans };
}
