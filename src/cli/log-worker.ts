// The worker thread behind `kubetrace import LOG --summary` and `--json` on a big log (core/burst/log-parallel.ts): each message is
// a piece of the log, each answer its summarizeChunk result, with the typed arrays handed over rather than copied.
import { parentPort } from 'node:worker_threads';
import { summarizeChunk, type ChunkJob } from '../core/burst/log-chunks';
import { errorMessage } from '../core/errors';
import { jsonChunk } from './log-json';

parentPort?.on('message', (job: ChunkJob) => {
  let r;
  try {
    r = job.json ? jsonChunk(job) : summarizeChunk(job);
  } catch (e) {
    parentPort?.postMessage({ error: errorMessage(e) });
    return;
  }
  const p = r.part;
  const arrays = p
    ? [p.ids.bytes, p.start, p.duration, p.status, p.flags, p.failed, p.pod, p.path, p.method, p.shape, p.offset]
    : [];
  const buffers = [...arrays, p?.values, r.lineOf, r.json]
    .filter((a) => a !== undefined)
    .map((a) => (a as Uint8Array).buffer as ArrayBuffer);
  // The piece's own memory goes back too: nothing made of it refers to it (lines were copied out as strings).
  r.input = job.bytes.buffer as ArrayBuffer;
  parentPort?.postMessage(r, [...buffers, r.input]);
});
