// Reads one trace by id from a backend, polling with backoff until it is complete or time runs out.
// Spans reach backends late (exporter batching), so 404 means "not yet". Never throws: faults become diagnostics.
import type { Diagnostic, SpanBatch } from '../../trace/model';
import { readAnswer, requestFor, type Api } from './answers';
import type { Backend, FetchOptions } from './types';

const MAX_INTERVAL_MS = 1000;

export async function fetchTrace(backend: Backend, traceId: string, opts: FetchOptions): Promise<SpanBatch> {
  try {
    return await poll(backend, traceId, opts);
  } catch (e) {
    return {
      spans: [],
      diagnostics: [
        {
          code: 'backend-error',
          severity: 'warning',
          message: `reading trace ${traceId} from ${backend.kind} failed: ${(e as Error).message}`,
        },
      ],
    };
  }
}

async function poll(backend: Backend, traceId: string, opts: FetchOptions): Promise<SpanBatch> {
  const now = opts.now ?? (() => performance.now());
  const isComplete = opts.isComplete ?? ((r: SpanBatch) => r.spans.length > 0);
  const deadline = now() + opts.timeoutMs;
  const apis: Api[] =
    backend.kind === 'jaeger-v3'
      ? ['jaeger-v3', 'jaeger-v1']
      : [backend.kind === 'jaeger' ? 'jaeger-v1' : backend.kind];
  const notes: Diagnostic[] = [];
  let best: SpanBatch | undefined;
  let problem: Diagnostic | undefined;
  let lastWasNotFound = false;
  let interval = Math.max(0, opts.pollIntervalMs ?? 100);
  let attempts = 0;
  for (;;) {
    if (opts.signal?.aborted)
      return finish({
        code: 'backend-cancelled',
        severity: 'info',
        message: `reading trace ${traceId} from ${backend.kind} was cancelled`,
      });
    const remaining = deadline - now();
    if (remaining <= 0) break;
    attempts++;
    const api = apis[0];
    const endpoint = api === 'jaeger-v3' ? '/api/v3/traces' : api === 'zipkin' ? '/api/v2/trace' : '/api/traces';
    const where = `${backend.kind} (GET ${endpoint})`;
    const req = requestFor(api, traceId, backend);
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), remaining);
    const onOuter = () => ctrl.abort();
    opts.signal?.addEventListener('abort', onOuter, { once: true });
    let stop = false;
    try {
      const res = await backend.transport(req.path, { headers: req.headers, signal: ctrl.signal });
      const answer = readAnswer(api, res, where);
      lastWasNotFound = answer.kind === 'not-found';
      if (answer.kind === 'unsupported' && apis.length > 1) {
        apis.shift();
        notes.push({
          code: 'backend-api-fallback',
          severity: 'info',
          message: `${backend.kind}: ${answer.why}; using the UI API (/api/traces) instead`,
        });
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onOuter);
        continue; // the next API right away
      }
      if (answer.kind === 'unsupported') {
        problem = { code: 'backend-error', severity: 'warning', message: `${where}: ${answer.why}` };
        stop = true;
      } else if (answer.kind === 'fault') {
        problem = answer.diagnostic;
        stop = !answer.retry;
      } else if (answer.kind === 'trace') {
        problem = undefined;
        best = answer.result;
        if (safeComplete(isComplete, best)) return finish();
      }
    } catch (e) {
      if (!ctrl.signal.aborted) lastWasNotFound = false; // a request cut by the deadline changes nothing we knew
      if (opts.signal?.aborted) continue; // reported at the top of the loop
      // A request cut by the deadline says less than a fault seen before it, so it does not replace one.
      if (!ctrl.signal.aborted)
        problem = {
          code: 'backend-error',
          severity: 'warning',
          message: `${where} could not be reached: ${(e as Error).message}`,
        };
      else if (!problem || attempts === 1)
        problem = {
          code: 'backend-timeout',
          severity: 'warning',
          message: `${where} did not answer within ${Math.round(remaining)} ms`,
        };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onOuter);
    }
    if (stop || opts.once) break;
    const wait = Math.min(interval, deadline - now());
    if (wait > 0) await sleep(wait, opts.signal);
    interval = Math.min(Math.max(interval * 1.5, 10), MAX_INTERVAL_MS);
  }
  if (opts.once)
    return finish(
      lastWasNotFound
        ? { code: 'backend-not-found', severity: 'info', message: `trace ${traceId} is not in ${backend.kind} (yet)` }
        : undefined,
    );
  const got = best
    ? `${best.spans.length} span${best.spans.length === 1 ? '' : 's'} so far`
    : lastWasNotFound
      ? 'the trace was not found'
      : 'no trace';
  return finish({
    code: 'backend-timeout',
    severity: 'warning',
    message:
      `${backend.kind} did not give a complete trace ${traceId} within ` +
      `${opts.timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}; ${got})`,
    hint: best ? undefined : 'check that the apps export spans to this backend, and that the trace id was sampled',
  });

  function finish(extra?: Diagnostic): SpanBatch {
    const diagnostics = [...(best?.diagnostics ?? []), ...notes];
    // The last fault is worth saying even after a good answer; two timeout notes become one.
    if (problem && extra?.code === 'backend-timeout' && problem.code === 'backend-timeout')
      extra = { ...extra, message: `${extra.message}: ${problem.message}` };
    else if (problem) diagnostics.push(problem);
    if (extra) diagnostics.push(extra);
    return { spans: best?.spans ?? [], diagnostics };
  }
}

function safeComplete(f: (r: SpanBatch) => boolean, r: SpanBatch): boolean {
  try {
    return f(r);
  } catch {
    return true;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
