// Reads a burst's app spans from the trace backend in bulk: one FindTraces per window of requests (by the app's
// service and the requests' start times), spans assigned by trace id. A backend that cannot search that way (not
// Jaeger api_v3), or a trace a full window may have crowded out, is read by id, a few at a time.
import { canFindTraces, fetchTrace, findTraces, type Backend } from '../ingest/backend';
import type { Diagnostic, Span } from '../trace/model';

export interface Wanted {
  traceId: string;
  rootSpanId: string;
  startUnixNano: bigint;
  endUnixNano: bigint;
  /** When the answer arrived (performance.now()), to ask by id only for requests that have waited a while. */
  answeredAt: number;
}

const WINDOW_REQUESTS = 200;
/** Spans start after the client's request started; allow for clock skew between the client and the cluster. */
const SLACK_NS = 200_000_000n;
const BY_ID_PER_READ = 8;
const BY_ID_AFTER_MS = 1000;

export class TraceReader {
  private service: string | undefined;
  private byIdTurn = 0;
  readonly diagnostics = new Map<string, Diagnostic>();

  constructor(
    private readonly backend: Backend & { where: string },
    /** The app's Service name: the first guess at its `service.name`, corrected from the first trace read by id. */
    service: string | undefined,
  ) {
    this.service = service;
  }

  /** Spans for the wanted traces that the backend has now (each trace's full list of spans so far). */
  async read(wanted: Wanted[], signal?: AbortSignal): Promise<Map<string, Span[]>> {
    const out = new Map<string, Span[]>();
    if (!wanted.length) return out;
    const ours = new Map(wanted.map((w) => [w.traceId, w]));
    if (canFindTraces(this.backend) && this.service) {
      const sorted = [...wanted].sort((a, b) => (a.startUnixNano < b.startUnixNano ? -1 : 1));
      const windows: Wanted[][] = [];
      for (let i = 0; i < sorted.length; i += WINDOW_REQUESTS) windows.push(sorted.slice(i, i + WINDOW_REQUESTS));
      await Promise.all(
        windows.map(async (w) => {
          const startMin = w[0].startUnixNano - SLACK_NS;
          const startMax = w.reduce((m, x) => (x.endUnixNano > m ? x.endUnixNano : m), 0n) + SLACK_NS;
          // Other requests of the burst (and other traffic) start inside the window too: leave room for them.
          const limit = w.length * 4 + 100;
          const found = await findTraces(
            this.backend,
            { service: this.service!, startMin, startMax, limit },
            { timeoutMs: 5000, signal },
          );
          for (const d of found.diagnostics) this.diagnostics.set(d.message, d);
          for (const [id, spans] of found.traces) if (ours.has(id)) out.set(id, spans);
          if (found.traces.size >= limit)
            this.note('burst-window-full', `a FindTraces window returned ${limit} traces`);
        }),
      );
    }
    // By id: for backends without search, and for requests that waited long with nothing found (a wrong service
    // name, a crowded window). The first trace found this way names the app's service for the searches.
    const now = performance.now();
    const late = wanted.filter(
      (w) =>
        !out.has(w.traceId) && (!canFindTraces(this.backend) || !this.service || now - w.answeredAt > BY_ID_AFTER_MS),
    );
    const turn = late.length ? this.byIdTurn++ % Math.ceil(late.length / BY_ID_PER_READ) : 0;
    await Promise.all(
      late.slice(turn * BY_ID_PER_READ, (turn + 1) * BY_ID_PER_READ).map(async (w) => {
        const r = await fetchTrace(this.backend, w.traceId, { timeoutMs: 2000, signal, once: true });
        if (!r.spans.length) return;
        out.set(w.traceId, r.spans);
        const entry = r.spans.find((s) => s.parentSpanId === w.rootSpanId && s.kind === 'server');
        if (entry && entry.service !== this.service && canFindTraces(this.backend)) this.service = entry.service;
      }),
    );
    return out;
  }

  private note(code: string, message: string): void {
    this.diagnostics.set(code, {
      code,
      severity: 'info',
      message: `${message}; the traces it may have left out were read by id`,
      hint: 'other traffic of the same service shares the window',
    });
  }
}
