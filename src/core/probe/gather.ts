// Gathers spans from every source until the trace is complete (docs/ARCHITECTURE.md, "When a trace is complete"):
// every expected layer present, and either the span tree closed (src/core/trace/closed.ts) once every feed has
// answered, or a quiet period without a new span: `quietMs`, or `pendingQuietMs` while a span is known to be on its
// way (a named parent, the answer to a call); give up after `maxWaitMs` with what arrived.
import type { Diagnostic, Layer, SpanBatch, Span } from '../trace/model';
import { errorMessage } from '../errors';
import { treeState, type TreeState } from '../trace/closed';

export interface SpanFeed {
  name: string;
  /** One attempt; returns everything this source knows about the trace so far. Never throws for bad data. */
  poll(signal: AbortSignal): Promise<SpanBatch>;
  intervalMs?: number;
}

export interface GatherOptions {
  feeds: SpanFeed[];
  /** Layers that must be present before the trace is complete. */
  expected: Layer[];
  /** Spans already known (the client spans). */
  initial: Span[];
  quietMs?: number;
  /** The quiet period while the tree is pending: two exporters flush on their own timers, 100 ms or more apart. */
  pendingQuietMs?: number;
  maxWaitMs?: number;
  signal?: AbortSignal;
  now?: () => number;
  onUpdate?: (spanCount: number, missing: Layer[]) => void;
  /** Called with each source's latest answer, so that one source can look at another's spans. */
  onResult?: (source: string, result: SpanBatch) => void;
}

export interface Gathered {
  results: SpanBatch[];
  complete: boolean;
  missing: Layer[];
  waitedMs: number;
  diagnostics: Diagnostic[];
}

export async function gather(o: GatherOptions): Promise<Gathered> {
  const now = o.now ?? (() => performance.now());
  const quietMs = o.quietMs ?? 50;
  const pendingQuietMs = o.pendingQuietMs ?? 500;
  const maxWaitMs = o.maxWaitMs ?? 5000;
  const t0 = now();
  const latest = new Map<string, SpanBatch>();
  const errors = new Map<string, string>();
  let lastNew = t0;
  const seen = new Set(o.initial.map((s) => s.spanId));
  // The tree is re-checked only when a span or a feed's first answer arrived: a check is a pass over the spans.
  let version = 0;
  let state: TreeState = 'open';
  let checkedAt = -1;
  const tree = () => {
    if (checkedAt === version) return state;
    checkedAt = version;
    state = treeState([...o.initial, ...[...latest.values()].flatMap((r) => r.spans)]);
    // Closed counts once every feed has answered: a feed that has not read yet may hold the rest.
    if (state === 'closed' && latest.size < o.feeds.length) state = 'open';
    return state;
  };
  const layers = () => {
    const have = new Set<Layer>(o.initial.map((s) => s.layer));
    for (const r of latest.values())
      for (const s of r.spans)
        if (s.attributes['kubetrace.provisional'] !== true) have.add(s.layer === 'downstream' ? 'app' : s.layer);
    return o.expected.filter((l) => !have.has(l));
  };
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const runner = async (src: SpanFeed) => {
    while (!stop.signal.aborted) {
      try {
        const r = await src.poll(stop.signal);
        // A poll cut short by our own stop knows less than the answer before it (a cancelled backend read has no
        // spans): keep that one, or the trace loses spans that had already arrived.
        if (stop.signal.aborted && latest.has(src.name)) break;
        if (!latest.has(src.name)) version++;
        latest.set(src.name, r);
        o.onResult?.(src.name, r);
        errors.delete(src.name);
        for (const s of r.spans)
          if (!seen.has(s.spanId)) {
            seen.add(s.spanId);
            lastNew = now();
            version++;
          }
      } catch (e) {
        if (stop.signal.aborted) break;
        errors.set(src.name, errorMessage(e));
      }
      await sleep(src.intervalMs ?? 25, stop.signal);
    }
  };
  const runners = o.feeds.map(runner);
  let complete = false;
  while (!stop.signal.aborted) {
    const missing = layers();
    o.onUpdate?.(seen.size, missing);
    const t = now();
    const shape = tree();
    const quiet = t - lastNew >= (shape === 'pending' ? pendingQuietMs : quietMs);
    if (!missing.length && (shape === 'closed' || quiet)) {
      complete = true;
      break;
    }
    if (t - t0 >= maxWaitMs) break;
    await sleep(10, stop.signal);
  }
  stop.abort();
  o.signal?.removeEventListener('abort', onOuterAbort);
  await Promise.allSettled(runners);
  const diagnostics: Diagnostic[] = [...errors].map(([name, message]) => ({
    code: 'source-failed',
    severity: 'warning',
    message: `${name}: ${message}`,
    hint: 'the trace shows what the other feeds gave',
  }));
  return { results: [...latest.values()], complete, missing: layers(), waitedMs: now() - t0, diagnostics };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
