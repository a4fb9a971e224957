// Stand-ins for the burst engine's entry points while they are written on their own branches: runBurst
// (src/core/burst/run.ts), summarizeLog (src/core/burst/log-set.ts) and compareBursts (src/core/burst/). Each has
// the signature of the contract in src/core/burst/types.ts and says plainly that this build lacks it; engine.ts
// re-exports them, so switching to the real ones is a change of one import each.
import { KubetraceError } from '../core/errors';
import type { BurstReport } from '../core/burst/model';
import type { BurstOptions, RequestSet } from '../core/burst/types';

const missing = (what: string) =>
  new KubetraceError(`${what} is not in this build of Kubetrace yet`, 'update the extension to a build with bursts');

export async function runBurst(o: BurstOptions): Promise<RequestSet> {
  void o;
  throw missing('the burst engine');
}

export interface LogProgress {
  bytes: number;
  totalBytes: number;
  requests: number;
}

export interface LogSetOptions {
  signal?: AbortSignal;
  onProgress?: (p: LogProgress) => void;
}

export async function summarizeLog(path: string, opts: LogSetOptions = {}): Promise<RequestSet & { requests: number }> {
  void path;
  void opts;
  throw missing('the access-log summary');
}

export interface BurstComparison {
  equal: boolean;
  differences: { what: string; a?: number; b?: number; severity: 'info' | 'warning' | 'error' }[];
}

export function compareBursts(a: BurstReport, b: BurstReport): BurstComparison {
  void a;
  void b;
  throw missing('the burst comparison');
}
