// Finds every trace of a service that started in a time window, in one request: how a burst reads its traces
// (docs/ARCHITECTURE.md, "How a probe flows through the code") instead of asking for each trace id. Jaeger's query
// API v3: GET /api/v3/traces?query.service_name=&query.start_time_min=&query.start_time_max=&query.num_traces=
// (RFC 3339 times with nanoseconds; a trace matches when one of the service's spans started inside the window;
// the newest traces first, at most num_traces of them; none found is 404 "No traces found").
// Never throws: faults become diagnostics.
import type { Diagnostic, Span } from '../../trace/model';
import { readOtlpJsonTraces } from '../tempo/reader';
import { readAnswer } from './answers';
import type { Backend } from './types';

export interface FindQuery {
  service: string;
  /** The window of span start times, Unix nanoseconds. */
  startMin: bigint;
  startMax: bigint;
  /** At most this many traces (Jaeger's search depth). */
  limit: number;
}

export interface Found {
  /** Spans by trace id; `limit` traces means the window may hold more. */
  traces: Map<string, Span[]>;
  diagnostics: Diagnostic[];
  /** The backend cannot search by service and time (not Jaeger api_v3): ask by id instead. */
  unsupported?: boolean;
}

export const canFindTraces = (b: Backend): boolean => b.kind === 'jaeger-v3';

export function findPath(q: FindQuery): string {
  const p = new URLSearchParams({
    'query.service_name': q.service,
    'query.start_time_min': rfc3339Nano(q.startMin),
    'query.start_time_max': rfc3339Nano(q.startMax),
    'query.num_traces': String(q.limit),
  });
  return `/api/v3/traces?${p.toString()}`;
}

export async function findTraces(
  backend: Backend,
  q: FindQuery,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<Found> {
  if (!canFindTraces(backend)) return { traces: new Map(), diagnostics: [], unsupported: true };
  const where = `${backend.kind} (GET /api/v3/traces)`;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs);
  const onOuter = () => ctrl.abort();
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  try {
    const res = await backend.transport(findPath(q), { headers: { accept: 'application/json' }, signal: ctrl.signal });
    const html = /html/i.test(res.headers['content-type'] ?? '');
    if (res.status === 200 && !html && res.body.length) {
      const read = readOtlpJsonTraces(res.body, 'jaeger');
      return { traces: new Map(read.traces.map((t) => [t.traceId, t.spans])), diagnostics: read.diagnostics };
    }
    // Everything else means what it means for a trace read by id: not found, no api_v3 here, or a fault.
    const answer = readAnswer('jaeger-v3', res, where);
    if (answer.kind === 'unsupported')
      return { traces: new Map(), diagnostics: [note(`${where}: ${answer.why}`)], unsupported: true };
    return { traces: new Map(), diagnostics: answer.kind === 'fault' ? [answer.diagnostic] : [] };
  } catch (e) {
    const why = ctrl.signal.aborted ? `no answer within ${opts.timeoutMs} ms` : (e as Error).message;
    return { traces: new Map(), diagnostics: opts.signal?.aborted ? [] : [note(`${where}: ${why}`)] };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuter);
  }
}

const note = (message: string): Diagnostic => ({ code: 'backend-error', severity: 'warning', message });

/** Go's time.RFC3339Nano, in UTC: 2026-12-05T17:00:55.123456789Z. */
export function rfc3339Nano(unixNano: bigint): string {
  const sec = unixNano / 1_000_000_000n;
  const frac = (unixNano % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(sec) * 1000).toISOString().replace(/\.\d+Z$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}
