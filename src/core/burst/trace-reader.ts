// Reads a burst's app spans from the trace backend in bulk: one FindTraces per window of requests (by the app's
// service and the requests' start times), spans assigned by trace id. A backend that cannot search that way (not
// Jaeger api_v3), or a trace a full window may have crowded out, is read by id, a few at a time.
//
// Every trace a window holds is sent and parsed, the burst's other requests too, so windows are kept narrow: once
// traces were found, a request is looked for only where its app's spans started relative to the client's start in
// the traces found so far (that covers the clocks' skew and the proxy's delay), and requests far apart in time get
// windows of their own. A request missed once is looked for in its whole window again. Requests whose ranges
// overlap are cut into adjacent windows, not overlapping ones, and a request's trace is taken from whichever window
// holds it: overlapping windows of 200 requests sent and parsed 1,750 traces for a burst's 1,000, read at once after
// its last answer (burst/collect.ts).
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

/** A FindTraces query, and how many of the wanted requests start in it. */
interface Window {
  startMin: bigint;
  startMax: bigint;
  requests: number;
}
/** Requests whose ranges overlap, and the adjacent windows that together cover them. */
interface Run {
  windows: Window[];
  members: Wanted[];
}
/** Spans start after the client's request started; allow for clock skew between the client and the cluster. */
const SLACK_NS = 200_000_000n;
/** Around the offsets seen so far: the delay before the app's span starts varies from request to request. */
const MARGIN_NS = 25_000_000n;
/** Windows closer than this are asked as one: each FindTraces is a request of its own. */
const JOIN_GAP_NS = 50_000_000n;
const BY_ID_PER_READ = 8;
const BY_ID_AFTER_MS = 1000;

export class TraceReader {
  private service: string | undefined;
  private byIdTurn = 0;
  /** The earliest and latest start of the app's spans after the client's start, over the traces found (ns). */
  private offsets?: { min: bigint; max: bigint };
  /** Requests a window was asked for and did not hold. */
  private readonly missed = new Set<string>();
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
    const ours = new Set(wanted.map((w) => w.traceId));
    for (const id of this.missed) if (!ours.has(id)) this.missed.delete(id);
    if (canFindTraces(this.backend) && this.service) {
      const service = this.service;
      await Promise.all(
        this.runs(wanted).map(async ({ windows, members }) => {
          const traces = new Map<string, Span[]>();
          let failed = false;
          await Promise.all(
            windows.map(async ({ startMin, startMax, requests }) => {
              // Other requests of the burst (and other traffic) start inside the window too: leave room for them.
              const limit = requests * 4 + 100;
              const found = await findTraces(
                this.backend,
                { service, startMin, startMax, limit },
                { timeoutMs: 5000, signal },
              );
              for (const d of found.diagnostics) this.diagnostics.set(d.message, d);
              if (found.diagnostics.length) failed = true;
              // A trace whose spans started in two windows comes in both: the fuller copy is kept.
              for (const [id, spans] of found.traces)
                if ((traces.get(id)?.length ?? -1) < spans.length) traces.set(id, spans);
              if (found.traces.size >= limit)
                this.note('burst-window-full', `a FindTraces window returned ${limit} traces`);
            }),
          );
          for (const w of members) {
            const spans = traces.get(w.traceId);
            if (!spans) {
              if (!failed) this.missed.add(w.traceId);
              continue;
            }
            out.set(w.traceId, spans);
            this.missed.delete(w.traceId);
            this.learn(w, spans, service);
          }
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
        this.missed.delete(w.traceId);
        const entry = r.spans.find((s) => s.parentSpanId === w.rootSpanId && s.kind === 'server');
        if (entry && entry.service !== this.service && canFindTraces(this.backend)) this.service = entry.service;
      }),
    );
    return out;
  }

  /**
   * Groups the wanted requests into runs whose ranges of start times overlap (each request's range as narrow as is
   * known safe), and cuts each run into adjacent windows of about WINDOW_REQUESTS requests: together they cover the
   * run, so every member's trace is in one of them, once.
   */
  private runs(wanted: Wanted[]): Run[] {
    const ranges = wanted.map((w) => {
      const o = this.offsets;
      return o && !this.missed.has(w.traceId)
        ? { w, min: w.startUnixNano + o.min - MARGIN_NS, max: w.startUnixNano + o.max + MARGIN_NS }
        : { w, min: w.startUnixNano - SLACK_NS, max: w.endUnixNano + SLACK_NS };
    });
    ranges.sort((a, b) => (a.min < b.min ? -1 : a.min > b.min ? 1 : 0));
    const out: Run[] = [];
    let run: Run | undefined;
    let win: Window | undefined;
    for (const r of ranges) {
      if (!run || !win || r.min > win.startMax + JOIN_GAP_NS) {
        win = { startMin: r.min, startMax: r.max, requests: 0 };
        run = { windows: [win], members: [] };
        out.push(run);
      } else if (win.requests >= WINDOW_REQUESTS && r.min > win.startMin) {
        // The next window starts where this request's range does, and the one before ends there.
        const end = win.startMax;
        win.startMax = r.min;
        win = { startMin: r.min, startMax: end, requests: 0 };
        run.windows.push(win);
      }
      if (r.max > win.startMax) win.startMax = r.max;
      win.requests++;
      run.members.push(r.w);
    }
    return out;
  }

  /** Widens the offsets by a trace found: where its first span of the searched service started. */
  private learn(w: Wanted, spans: Span[], service: string): void {
    let first: bigint | undefined;
    for (const s of spans) {
      if (s.service !== service || !/^\d+$/.test(s.startTimeUnixNano)) continue;
      const t = BigInt(s.startTimeUnixNano);
      if (first === undefined || t < first) first = t;
    }
    if (first === undefined) return;
    const d = first - w.startUnixNano;
    if (!this.offsets) this.offsets = { min: d, max: d };
    else if (d < this.offsets.min) this.offsets.min = d;
    else if (d > this.offsets.max) this.offsets.max = d;
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
